/** The catalog's domain types: what the rest of yiye (guides, licences, progress) reads. */

export type Authority = 'local' | 'national';
export type Level = 'national' | 'provincial' | 'municipal' | 'district';

/** The four reform modes of 国发〔2021〕7号, exactly as written. */
export const REFORM_MODES = ['直接取消审批', '审批改为备案', '实行告知承诺', '优化审批服务'] as const;
export type ReformMode = (typeof REFORM_MODES)[number];

export const LEVEL_LABEL: Record<Level, string> = { national: '国家级', provincial: '省级', municipal: '市级', district: '区级' };
export const AUTHORITY_LABEL: Record<Authority, string> = { local: '仅涉及地方事权', national: '涉及国家事权' };

export interface Industry {
  id: number;
  code: string | null;
  /** True when `code` was assigned by the catalog's rule, not given by the office (README “行业编码”). */
  codeAssigned: boolean;
  name: string;
  gbCodes: string[];
  batch: string | null;
  authority: Authority | null;
  leadDepartment: string | null;
  coDepartments: string[];
  /** First licence due by (YYYY-MM-DD), and the deadline as written. */
  targetDate: string | null;
  targetText: string | null;
  notes: string | null;
}

export interface Material {
  seq: number;
  name: string;
  form: string | null;
  copies: number | null;
  required: boolean | null;
  source: string | null;
  note: string | null;
}

export interface Matter {
  id: number;
  code: string | null;
  name: string;
  level: Level | null;
  competentDepartment: string | null;
  approvingDepartment: string | null;
  legalBasis: string | null;
  reformMode: ReformMode | null;
  measures: string | null;
  supervision: string | null;
  legalLimitDays: number | null;
  legalLimitUnit: string | null;
  committedLimitDays: number | null;
  committedLimitUnit: string | null;
  onsiteInspection: boolean | null;
  commitment: boolean | null;
  fee: string | null;
  conditions: string | null;
}

export interface IndustryMatter {
  matter: Matter;
  mandatory: boolean;
  /** When the matter applies, e.g. "销售酒类商品的"; null for 必办. */
  condition: string | null;
  seq: number;
}

/** Fields an import can set on an industry; `undefined` = the sheet has no such column (leave as is). */
export type IndustryFields = {
  code?: string | null;
  name: string;
  gbCodes?: string[];
  batch?: string | null;
  authority?: Authority | null;
  leadDepartment?: string | null;
  coDepartments?: string[];
  targetDate?: string | null;
  targetText?: string | null;
  notes?: string | null;
};

export type MatterFields = {
  code?: string | null;
  name: string;
  level?: Level | null;
  competentDepartment?: string | null;
  approvingDepartment?: string | null;
  legalBasis?: string | null;
  reformMode?: ReformMode | null;
  measures?: string | null;
  supervision?: string | null;
  legalLimitDays?: number | null;
  legalLimitUnit?: string | null;
  committedLimitDays?: number | null;
  committedLimitUnit?: string | null;
  onsiteInspection?: boolean | null;
  commitment?: boolean | null;
  fee?: string | null;
  conditions?: string | null;
  /** A list from one cell: replaces the matter's materials. */
  materials?: Omit<Material, 'seq'>[];
};

/** A reference by code or name (at least one). */
export interface Ref {
  code: string | null;
  name: string | null;
}

export interface LinkFields {
  industry: Ref;
  matter: Ref;
  mandatory: boolean;
  condition: string | null;
}

export interface MaterialRowFields {
  matter: Ref;
  material: Omit<Material, 'seq'>;
}
