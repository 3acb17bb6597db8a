/** The guide documents' types and the document model they are rendered from. */

export const GUIDE_TYPES = ['rules', 'guide', 'notice', 'pledge', 'form'] as const;
export type GuideType = (typeof GUIDE_TYPES)[number];

export const GUIDE_FORMATS = ['md', 'html', 'docx'] as const;
export type GuideFormat = (typeof GUIDE_FORMATS)[number];

/** What each document is called (the title suffix after the industry name). */
export const GUIDE_TITLES: Record<GuideType, string> = {
  rules: '“一业一证”改革实施细则',
  guide: '行业综合许可办事指南',
  notice: '行业综合许可一次告知单',
  pledge: '行业综合许可告知承诺书',
  form: '行业综合许可申请表',
};

export const GUIDE_TYPE_LABELS: Record<GuideType, string> = {
  rules: '实施细则',
  guide: '办事指南',
  notice: '一次告知单',
  pledge: '告知承诺书',
  form: '一表申请',
};

export interface GuideWarning {
  industry: string;
  matter: string | null;
  /** NO_MATERIALS, NO_LEGAL_BASIS, NO_TIME_LIMIT, NO_LEAD_DEPARTMENT, NO_MATTERS, CALENDAR_RANGE, NATURAL_DAYS, TEMPLATE */
  code: string;
  message: string;
  /** CALENDAR_RANGE: the years whose holiday arrangement is missing. */
  years?: number[];
}

export interface MatterView {
  no: number;
  code: string | null;
  name: string;
  department: string;
  competentDepartment: string | null;
  level: string | null;
  legalBasis: string | null;
  legalBasisList: string[];
  /** The legal basis, or 设定依据待补充 (never a blank in a document). */
  legalBasisText: string;
  reformMode: string | null;
  measures: string | null;
  supervision: string | null;
  mandatory: boolean;
  condition: string | null;
  /** 必办, or the condition (销售酒类商品的). */
  applies: string;
  legalDays: number | null;
  committedDays: number | null;
  /** The limit counted: the committed one, else the statutory one; null when neither is known. */
  days: number | null;
  unit: string;
  /** 5个工作日 / 即办 / 未明确 */
  limitText: string;
  legalLimitText: string;
  onsiteInspection: boolean;
  commitment: boolean;
  fee: string;
  conditions: string[];
  materials: Array<{ name: string; form: string | null; copies: number | null; required: boolean }>;
  /** 直接取消审批: listed for information, not applied for. */
  cancelled: boolean;
  filing: boolean;
}

export interface MaterialItem {
  no: number;
  name: string;
  /** 原件 / 复印件 / 原件及复印件 / 电子 … as the departments ask, merged. */
  form: string;
  sealed: boolean;
  copies: number;
  required: boolean;
  /** Needed only when the applicant ticks one of these situations (all its matters are conditional). */
  onlyWhen: string[];
  matters: string[];
  matterNos: number[];
  /** Every matter it serves accepts 告知承诺 for it: the commitment letter replaces it. */
  byCommitment: boolean;
  source: string | null;
  notes: string[];
  /** How many times departments asked for it before merging. */
  requests: number;
  /** What the applicant must know about it, or —: 告知承诺 replaces it, only when …, optional, notes. */
  remark: string;
}

export interface SharedCondition {
  text: string;
  matters: string[];
}

export interface OptionGroup {
  no: number;
  condition: string;
  matters: string[];
  departments: string[];
}

export interface GuideModel {
  industry: {
    name: string;
    code: string | null;
    gbCodes: string[];
    authority: string | null;
    batch: string | null;
    leadDepartment: string;
    hasLead: boolean;
    coDepartments: string[];
    /** Lead, co-operating and every approving department, once each. */
    departments: string[];
    /** The departments that decide the bundled matters. */
    approvingDepartments: string[];
    licenceName: string;
    targetDate: string | null;
    targetText: string | null;
    notes: string | null;
  };
  office: { authority: string; region: string };
  /** Date the documents carry (成文日期) and the example acceptance date, YYYY-MM-DD. */
  date: string;
  fingerprint: string;
  matters: MatterView[];
  /** Matters applied for (not cancelled), mandatory first. */
  active: MatterView[];
  mandatory: MatterView[];
  conditional: MatterView[];
  cancelled: MatterView[];
  filings: MatterView[];
  /** Active matters with 具体改革举措 / 事中事后监管措施 in the catalog. */
  reformed: MatterView[];
  supervised: MatterView[];
  materials: MaterialItem[];
  commitmentMaterials: MaterialItem[];
  conditions: { shared: SharedCondition[]; perMatter: Array<{ matter: string; items: string[] }> };
  inspection: { matters: Array<{ name: string; department: string }>; count: number; departments: string[] };
  commitment: {
    any: boolean;
    matters: Array<{ name: string; department: string; commitments: string[]; replaces: string[]; supervision: string | null }>;
  };
  time: {
    serialDays: number;
    parallelDays: number;
    savedDays: number;
    longest: string | null;
    acceptDate: string;
    serialDate: string;
    parallelDate: string;
    /** Either date below was counted on weekends only (a year without holiday data). */
    approximate: boolean;
    parallelApproximate: boolean;
    serialApproximate: boolean;
  };
  options: OptionGroup[];
  metrics: GuideMetrics;
  warnings: GuideWarning[];
}

/** `guide metrics` rows (seed 000: 减时限、减材料、减环节、减跑动). */
export interface GuideMetrics {
  industry: string;
  matters: number;
  materialsBefore: number;
  materialsAfter: number;
  serialDays: number;
  parallelDays: number;
  inspectionsBefore: number;
  inspectionsAfter: number;
  approvalsBefore: number;
  approvalsAfter: number;
  windowsBefore: number;
  windowsAfter: number;
  /** Merged materials the commitment letter replaces. */
  materialsByCommitment: number;
}
