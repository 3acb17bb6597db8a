/**
 * The consolidated material list (一表申请 / 一套材料): the materials of every bundled matter merged so
 * that one document several departments ask for is listed once, with the matters it serves.
 *
 * Departments write the same material differently: 《营业执照》, 营业执照复印件, 营业执照（副本）复印件
 * （加盖公章）, ＩＣＰ full-width letters, trailing 。 — `materialKey` strips what does not change which
 * document it is (book-title marks, 原件/复印件/副本/扫描件, 加盖公章, punctuation, width, spaces) and
 * keeps the form and seal requirements apart, so the merged row still says what to bring.
 */
import { normalizeText, toHalfWidth } from '../text/normalize';
import type { MaterialItem } from './types';

/** Qualifiers that say how to bring a document, not which document it is. */
const FORM_WORDS = /(原件及复印件|原件和复印件|原件或复印件|原件|复印件|副本|正本|扫描件|电子版|电子件|影印件)/g;
const SEAL_WORDS = /(加盖(单位|企业|申请人)?公章|盖章|加盖印章)(的)?/g;
const BRACKETED = /[（(【[]([^（）()【】[\]]*)[)）】\]]/g;

/** One pass of the clean-up; the removed qualifiers are reported through `forms` and `seal`. */
function stripOnce(text: string, forms: string[], seal: () => void): string {
  let s = text;
  // a bracketed part that only qualifies the form/seal goes; a bracket naming the thing stays (药品经营许可（零售）)
  s = s.replace(BRACKETED, (whole, inner: string) => {
    const qualifiers: string[] = [];
    let sealed = false;
    const rest = inner.replace(FORM_WORDS, (w) => (qualifiers.push(w), '')).replace(SEAL_WORDS, () => ((sealed = true), '')).replace(/[、，,及和或需并且\s]/g, '');
    if (rest !== '') return whole;
    forms.push(...qualifiers);
    if (sealed) seal();
    return '';
  });
  s = s.replace(SEAL_WORDS, () => (seal(), ''));
  s = s.replace(FORM_WORDS, (w) => (forms.push(w), ''));
  s = s.replace(/[《》〈〉「」『』“”"']/g, '');
  s = s.replace(/^[\s、，,。.；;：:]+|[\s、，,。.；;：:的]+$/g, '');
  // removing a qualifier between two words leaves a double space: fold it
  return normalizeText(s);
}

/**
 * The document a material name names, and how to bring it. Repeated until nothing changes, so the
 * result is its own result: one removal can pair the brackets around it ("[（加盖公章））营业执照" →
 * "[）营业执照" → "营业执照").
 */
function stripQualifiers(name: string): { core: string; forms: string[]; sealed: boolean } {
  const forms: string[] = [];
  let sealed = false;
  let s = normalizeText(name);
  for (let i = 0; i < 16; i++) {
    const next = stripOnce(s, forms, () => (sealed = true));
    if (next === s) break;
    s = next;
  }
  return { core: s || normalizeText(name), forms, sealed };
}

function keyOnce(name: string): string {
  return toHalfWidth(stripQualifiers(name).core)
    .replace(/[\s\u3000、，,。.；;：:·•\-—_（）()【】[\]]/g, '')
    .toLowerCase();
}

/**
 * The key two material names share when they mean the same document. Taken to its fixed point:
 * dropping punctuation can expose a qualifier at the edge ("营业执照的）" → "营业执照的" → "营业执照"),
 * and a key must be its own key.
 */
export function materialKey(name: string): string {
  let key = keyOnce(name);
  for (let i = 0; i < 8; i++) {
    const next = keyOnce(key);
    if (next === key) break;
    key = next;
  }
  return key;
}

/** The name to print: the document itself, without form or seal qualifiers. */
export function materialDisplayName(name: string): string {
  return stripQualifiers(name).core;
}

/** Application forms and identity/registration papers: proof of who applies, not of a condition. */
const NOT_REPLACEABLE = /申请书|申请表|申请登记表|登记表|备案表|备案书|信息表|申请报告|营业执照|身份证|身份证明|法人资格证明|委托书|授权书|承诺书/;

/**
 * Whether the 告知承诺 route replaces this material of this matter. The catalog has no per-material
 * flag, so: a note that mentions 告知承诺 decides (可实行告知承诺 / 实行告知承诺时免于提交); otherwise, for a
 * matter that accepts 告知承诺, every material that proves a condition (制度, 证明, 报告, 图纸, 合同 …) is
 * replaced, and the application form and identity papers are not — the rule of seed 001 二(五):
 * “允许申请人以告知承诺书替代证明符合相关审批条件的材料”.
 */
export function replacedByCommitment(matterCommitment: boolean, material: { name: string; note: string | null }): boolean {
  const note = material.note ?? '';
  if (/告知承诺/.test(note)) return !/不适用|不得|不实行|不可/.test(note);
  return matterCommitment && !NOT_REPLACEABLE.test(material.name);
}

export interface MaterialInput {
  matterNo: number;
  matter: string;
  /** The matter's situation when it is conditional; null for 必办. */
  condition: string | null;
  commitment: boolean;
  name: string;
  form: string | null;
  copies: number | null;
  required: boolean | null;
  source: string | null;
  note: string | null;
}

const FORM_ORDER = ['原件', '复印件', '原件及复印件', '电子'];

function mergeForms(forms: string[]): string {
  const set = new Set(
    forms
      .map((f) => f.replace(/^(原件和复印件|原件或复印件)$/, '原件及复印件').replace(/^(电子版|电子件|扫描件)$/, '电子').replace(/^(副本|正本|影印件)$/, '复印件'))
      .filter((f) => f !== ''),
  );
  if (set.has('原件') && set.has('复印件')) {
    set.delete('原件');
    set.delete('复印件');
    set.add('原件及复印件');
  }
  if (set.has('原件及复印件')) {
    set.delete('原件');
    set.delete('复印件');
  }
  return [...set].sort((a, b) => FORM_ORDER.indexOf(a) - FORM_ORDER.indexOf(b)).join('、');
}

/**
 * Merges every matter's materials, keeping the order in which they are first asked for. Copies are
 * the most any one department asks for (one set of papers serves every department through 一窗受理);
 * a material is required if any department requires it; it is replaced by the commitment letter only
 * when every matter it serves accepts that.
 */
export function consolidateMaterials(inputs: MaterialInput[]): MaterialItem[] {
  type Acc = Omit<MaterialItem, 'remark'> & { forms: string[]; conds: Array<string | null>; replaced: boolean[] };
  const byKey = new Map<string, Acc>();
  for (const m of inputs) {
    const key = materialKey(m.name);
    const q = stripQualifiers(m.name);
    let item = byKey.get(key);
    if (!item) {
      const fresh: Acc = {
        no: byKey.size + 1,
        name: q.core,
        form: '',
        sealed: false,
        copies: 1,
        required: false,
        onlyWhen: [],
        matters: [],
        matterNos: [],
        byCommitment: false,
        source: null,
        notes: [],
        requests: 0,
        forms: [],
        conds: [],
        replaced: [],
      };
      byKey.set(key, fresh);
      item = fresh;
    }
    item.requests++;
    item.forms.push(...q.forms, ...(m.form ? [m.form] : []));
    item.sealed ||= q.sealed;
    if (m.copies !== null && m.copies > item.copies) item.copies = m.copies;
    item.required ||= m.required !== false;
    if (!item.matters.includes(m.matter)) {
      item.matters.push(m.matter);
      item.matterNos.push(m.matterNo);
      item.conds.push(m.condition);
    }
    item.replaced.push(replacedByCommitment(m.commitment, m));
    item.source ??= m.source;
    if (m.note && !item.notes.includes(m.note)) item.notes.push(m.note);
  }
  return [...byKey.values()].map(({ forms, conds, replaced, ...item }) => {
    const merged = {
      ...item,
      form: mergeForms(forms) || '—',
      onlyWhen: conds.every((c) => c !== null) ? [...new Set(conds as string[])] : [],
      byCommitment: replaced.every(Boolean),
    };
    return { ...merged, remark: remarkOf(merged) };
  });
}

function remarkOf(m: Omit<MaterialItem, 'remark'>): string {
  const parts: string[] = [];
  if (m.byCommitment) parts.push('选择告知承诺的，以告知承诺书替代');
  if (m.onlyWhen.length) parts.push(`${m.onlyWhen.join('或')}提交`);
  if (!m.required) parts.push('非必需');
  if (m.sealed) parts.push('加盖公章');
  for (const n of m.notes) if (!parts.some((p) => n.includes(p) || p.includes(n))) parts.push(n);
  return parts.length ? parts.join('；') : '—';
}
