import type { Knex } from 'knex';
import { nowIso } from '../db';
import type { ParsedRow, RowRef } from './parse';
import { FIELD_HEADERS, FIELD_LABEL, type Field } from './headers';
import { reserveCodes } from './codes';
import {
  DepartmentCache,
  coDepartmentsOf,
  insertChunked,
  materialsOf,
  selectIn,
  setCoDepartments,
  toBool,
  type IndustryRow,
  type LinkRow,
  type MaterialRow,
  type MatterRow,
} from './store';
import { LEVEL_LABEL, type IndustryFields, type LinkFields, type Material, type MatterFields, type Ref } from './types';

export interface Counts {
  inserted: number;
  updated: number;
  unchanged: number;
  removed?: number;
}

export interface CatalogCounts {
  industries: Counts;
  matters: Counts;
  links: Counts;
  materials: Counts;
}

export const emptyCounts = (): CatalogCounts => ({
  industries: { inserted: 0, updated: 0, unchanged: 0 },
  matters: { inserted: 0, updated: 0, unchanged: 0 },
  links: { inserted: 0, updated: 0, unchanged: 0 },
  materials: { inserted: 0, updated: 0, unchanged: 0, removed: 0 },
});

export interface WriteError {
  field: Field | '';
  message: string;
}

export interface FieldChange {
  field: string;
  label: string;
  from: unknown;
  to: unknown;
}

/** One line of `catalog diff`. */
export interface CatalogChange {
  kind: 'industries' | 'matters' | 'links' | 'materials';
  action: 'add' | 'change' | 'remove';
  /** What changed, as a person names it: an industry or matter name, "行业 → 事项" for links. */
  key: string;
  fields?: FieldChange[];
  source?: RowRef;
}

/**
 * Labels of the stored fields a change names that the sheet's FIELD_LABEL (headers.ts) does not
 * have, or labels otherwise: a change shows the value (国民经济行业分类, 收费), not the column.
 */
const CHANGE_LABEL: Record<string, string> = {
  code: '编码',
  name: '名称',
  gbCodes: '国民经济行业分类',
  targetText: '落地时限（原文）',
  legalLimitDays: '法定时限',
  legalLimitUnit: '法定时限单位',
  committedLimitDays: '承诺时限',
  committedLimitUnit: '承诺时限单位',
  fee: '收费',
};

function changeLabel(field: string): string {
  return CHANGE_LABEL[field] ?? (Object.hasOwn(FIELD_LABEL, field) ? FIELD_LABEL[field as Field] : field);
}

/** Matter fields stored in a column of their own (departments go through ids). */
const MATTER_COLUMNS: Array<[keyof MatterFields, keyof MatterRow]> = [
  ['code', 'code'],
  ['name', 'name'],
  ['level', 'level'],
  ['legalBasis', 'legal_basis'],
  ['reformMode', 'reform_mode'],
  ['measures', 'measures'],
  ['supervision', 'supervision'],
  ['legalLimitDays', 'legal_limit_days'],
  ['legalLimitUnit', 'legal_limit_unit'],
  ['committedLimitDays', 'committed_limit_days'],
  ['committedLimitUnit', 'committed_limit_unit'],
  ['onsiteInspection', 'onsite_inspection'],
  ['commitment', 'commitment'],
  ['fee', 'fee'],
  ['conditions', 'conditions'],
];

const INDUSTRY_COLUMNS: Array<[keyof IndustryFields, keyof IndustryRow]> = [
  ['code', 'code'],
  ['name', 'name'],
  ['batch', 'batch'],
  ['authority', 'authority'],
  ['targetDate', 'target_date'],
  ['targetText', 'target_text'],
  ['notes', 'notes'],
];

const same = (a: unknown, b: unknown) => (a ?? null) === (b ?? null);
type MaterialFields = Omit<Material, 'seq'>;
const sameMaterial = (a: MaterialFields, b: MaterialRow) =>
  a.name === b.name && same(a.form, b.form) && same(a.copies, b.copies) && same(a.required, toBool(b.required)) && same(a.source, b.source) && same(a.note, b.note);

const keyOf = (r: Ref) => (r.code ? `c:${r.code}` : `n:${r.name}`);
const idOf = (row: unknown): number => (typeof row === 'object' && row !== null ? (row as { id: number }).id : (row as number));

/**
 * Writes parsed catalog rows inside the import's transaction, chunk by chunk, and counts what it
 * inserted, updated and left unchanged. Every row it touches is stamped with the batch id, which is
 * how a second mention of the same matter in one batch is told from a first (and checked to agree),
 * with memory that does not grow with the file. In `collect` mode it also records each change.
 */
export class CatalogWriter {
  readonly counts = emptyCounts();
  readonly changes: CatalogChange[] = [];
  private industriesByCode = new Map<string, IndustryRow>();
  private industriesByName = new Map<string, IndustryRow>();
  private linkSeq = new Map<number, number>();
  private linkedIndustries = new Set<number>();
  private matterLevels = new Set<string>();
  private sawIndustrySheet = false;
  private sawMatterSheet = false;
  private readonly now = nowIso();

  private constructor(
    private readonly db: Knex.Transaction,
    private readonly batchId: number,
    private readonly collect: boolean,
    private readonly depts: DepartmentCache,
  ) {}

  static async open(db: Knex.Transaction, batchId: number, collect: boolean): Promise<CatalogWriter> {
    const depts = new DepartmentCache(db);
    await depts.load();
    const w = new CatalogWriter(db, batchId, collect, depts);
    // Industries are few (tens to hundreds): keep them at hand for resolving links.
    for (const r of (await db('industries').select()) as IndustryRow[]) w.rememberIndustry(r);
    return w;
  }

  private rememberIndustry(r: IndustryRow) {
    if (r.code) this.industriesByCode.set(r.code, r);
    this.industriesByName.set(r.name, r);
  }

  private change(c: CatalogChange) {
    if (this.collect) this.changes.push(c);
  }

  /**
   * Writes one chunk of rows (all of one sheet); returns the rows it rejected, by index in the chunk,
   * each problem with the field it concerns (the caller names the sheet's column).
   */
  async write(chunk: ParsedRow[]): Promise<Map<number, WriteError[]>> {
    const failed = new Map<number, WriteError[]>();
    const fail = (i: number, field: Field | '', message: string) => {
      const list = failed.get(i) ?? [];
      list.push({ field, message });
      failed.set(i, list);
    };
    const kind = chunk[0]?.kind;
    if (kind === 'industries') {
      this.sawIndustrySheet = true;
      for (let i = 0; i < chunk.length; i++) {
        const r = chunk[i];
        if (r.kind === 'industries') await this.upsertIndustry(r.industry, r.ref, (field, msg) => fail(i, field, msg));
      }
    } else if (kind === 'matters' || kind === 'combined') {
      if (kind === 'matters') this.sawMatterSheet = true;
      if (kind === 'combined') {
        // an industry the catalog lacks, or one whose own columns the sheet carries, is set first
        for (let i = 0; i < chunk.length; i++) {
          const r = chunk[i];
          if (r.kind !== 'combined' || !r.industry) continue;
          const known = (r.industry.code && this.industriesByCode.get(r.industry.code)) || this.industriesByName.get(r.industry.name);
          if (!known || Object.keys(r.industry).length > 1) await this.upsertIndustry(r.industry, r.ref, (field, msg) => fail(i, field, msg));
        }
      }
      const matters = chunk.map((r) => (r.kind === 'matters' || r.kind === 'combined' ? r.matter : undefined));
      const resolved = await this.upsertMatters(chunk, matters as MatterFields[], fail);
      if (kind === 'combined') {
        const ok = chunk.map((r, i) => ({ r, i })).filter(({ i }) => !failed.has(i));
        await this.upsertLinks(ok.map(({ r, i }) => ({ i, ref: r.ref, link: (r as Extract<ParsedRow, { kind: 'combined' }>).link })), fail, resolved);
      }
    } else if (kind === 'links') {
      await this.upsertLinks(chunk.map((r, i) => ({ i, ref: r.ref, link: (r as Extract<ParsedRow, { kind: 'links' }>).link })), fail);
    } else if (kind === 'materials') {
      await this.upsertMaterialRows(chunk, fail);
    }
    return failed;
  }

  // ---- industries: few rows, one at a time ----

  private async upsertIndustry(f: IndustryFields, ref: RowRef, fail: (field: Field | '', msg: string) => void) {
    const byCode = f.code ? this.industriesByCode.get(f.code) : undefined;
    const byName = this.industriesByName.get(f.name);
    if (byCode && byName && byCode.id !== byName.id) {
      return fail('industryName', `行业名称“${f.name}”已被编码为“${byName.code ?? '（无）'}”的另一行业使用，与编码“${f.code}”冲突`);
    }
    // an assigned code gives way to the office's own, until a licence carries it
    const replacesAssigned = !byCode && byName && f.code && byName.code && byName.code !== f.code && toBool(byName.code_assigned ?? null) && !(await this.db('licenses').where({ industry_id: byName.id }).first());
    if (!byCode && byName && f.code && byName.code && byName.code !== f.code && !replacesAssigned) {
      return fail('industryCode', `行业“${f.name}”在目录中的编码为“${byName.code}”，本文件中为“${f.code}”`);
    }
    const existing = byCode ?? byName;
    const leadId = f.leadDepartment === undefined ? undefined : await this.depts.ensure(f.leadDepartment);
    // one at a time: a transaction is one connection, and the cache must see each insert
    let coIds: number[] | undefined;
    if (f.coDepartments !== undefined) {
      coIds = [];
      for (const d of f.coDepartments) coIds.push((await this.depts.ensure(d))!);
    }
    const values: Partial<IndustryRow> = {};
    for (const [field, column] of INDUSTRY_COLUMNS) if (f[field] !== undefined) (values as Record<string, unknown>)[column] = f[field];
    if (f.gbCodes !== undefined) values.gb_codes = f.gbCodes.length ? f.gbCodes.join(',') : null;
    if (leadId !== undefined) values.lead_department_id = leadId;
    // an empty 行业编码 cell never takes away a code the industry has (assigned or the office's own)
    if (!values.code) delete values.code;
    if (replacesAssigned) values.code_assigned = false;

    if (!existing) {
      // no 行业编码: one by the stable rule (src/catalog/codes.ts), so licences can be numbered
      const code = values.code ?? (await reserveCodes(this.db, 1))[0];
      const row = { ...values, code, code_assigned: !values.code, name: f.name, last_import_id: this.batchId, created_at: this.now, updated_at: this.now };
      const [id] = await this.db('industries').insert(row).returning('id');
      const full = { ...(row as IndustryRow), id: idOf(id) };
      this.rememberIndustry(full);
      if (coIds) await setCoDepartments(this.db, full.id, coIds);
      this.counts.industries.inserted++;
      this.change({ kind: 'industries', action: 'add', key: f.name, source: ref });
      return;
    }
    const diffs: FieldChange[] = [];
    for (const [k, v] of Object.entries(values)) {
      if (k === 'code_assigned') continue;
      const prev = (existing as unknown as Record<string, unknown>)[k];
      if (!same(prev, v)) diffs.push(this.fieldChange(industryField(k), k.endsWith('department_id') ? this.depts.name(prev as number | null) : prev, k.endsWith('department_id') ? this.depts.name(v as number | null) : v));
    }
    if (coIds) {
      const prevCo = (await coDepartmentsOf(this.db, [existing.id], this.depts)).get(existing.id) ?? [];
      const nextCo = [...new Set(coIds)].map((id) => this.depts.name(id));
      if (prevCo.join('、') !== nextCo.join('、')) diffs.push(this.fieldChange('coDepartments', prevCo.join('、'), nextCo.join('、')));
    }
    if (existing.last_import_id === this.batchId) {
      if (diffs.length) fail(asField(diffs[0].field, true), `行业“${f.name}”在本批次中出现多次且内容不一致（${diffs.map((d) => d.label).join('、')}）`);
      return;
    }
    if (diffs.length === 0) {
      await this.db('industries').where({ id: existing.id }).update({ last_import_id: this.batchId });
      existing.last_import_id = this.batchId;
      this.counts.industries.unchanged++;
      return;
    }
    await this.db('industries').where({ id: existing.id }).update({ ...values, last_import_id: this.batchId, updated_at: this.now });
    if (coIds) await setCoDepartments(this.db, existing.id, coIds);
    const updated = { ...existing, ...values, last_import_id: this.batchId } as IndustryRow;
    this.industriesByName.delete(existing.name);
    if (existing.code) this.industriesByCode.delete(existing.code);
    this.rememberIndustry(updated);
    this.counts.industries.updated++;
    this.change({ kind: 'industries', action: 'change', key: f.name, fields: diffs, source: ref });
  }

  private fieldChange(field: string, from: unknown, to: unknown): FieldChange {
    return { field, label: changeLabel(field), from: from ?? null, to: to ?? null };
  }

  // ---- matters: bulk per chunk ----

  /**
   * Upserts the chunk's matters and returns every matter it names, by `c:code` and `n:name`, so
   * that the links of a combined sheet need not look them up again.
   */
  private async upsertMatters(chunk: ParsedRow[], matters: MatterFields[], fail: (i: number, field: Field | '', msg: string) => void): Promise<Map<string, MatterRow>> {
    const codes = matters.filter((m) => m?.code).map((m) => m.code as string);
    const byCode = new Map<string, MatterRow>();
    const byName = new Map<string, MatterRow>();
    for (const r of await selectIn<MatterRow>(this.db, 'matters', 'code', codes)) byCode.set(r.code!, r);
    // By name only where the code did not settle it: no code, an unknown code, or a renamed matter
    // whose new name might belong to another one.
    const names = matters.filter((m) => m && (!m.code || byCode.get(m.code)?.name !== m.name)).map((m) => m.name);
    for (const r of await selectIn<MatterRow>(this.db, 'matters', 'name', names)) byName.set(r.name, r);
    for (const r of byCode.values()) if (!byName.has(r.name)) byName.set(r.name, r);
    const wantMaterials = matters.some((m) => m?.materials !== undefined);
    const existingMaterials = wantMaterials ? await materialsOf(this.db, [...new Set([...byCode.values(), ...byName.values()].map((r) => r.id))]) : new Map<number, MaterialRow[]>();

    // rows new to the catalog, by key, with the first row that brought them
    const fresh = new Map<string, { i: number; values: Partial<MatterRow>; m: MatterFields }>();
    const touched: number[] = [];
    for (let i = 0; i < matters.length; i++) {
      const m = matters[i];
      if (!m) continue;
      if (m.level) this.matterLevels.add(m.level);
      const ref = chunk[i].ref;
      const c = m.code ? byCode.get(m.code) : undefined;
      const n = byName.get(m.name);
      if (c && n && c.id !== n.id) {
        fail(i, 'matterName', `事项名称“${m.name}”已被编码为“${n.code ?? '（无）'}”的另一事项使用，与编码“${m.code}”冲突`);
        continue;
      }
      if (!c && n && m.code && n.code && n.code !== m.code) {
        fail(i, 'matterCode', `事项“${m.name}”在目录中的编码为“${n.code}”，本文件中为“${m.code}”`);
        continue;
      }
      const values = await this.matterValues(m);
      const existing = c ?? n;
      if (!existing) {
        const key = m.code ? `c:${m.code}` : `n:${m.name}`;
        const other = fresh.get(key) ?? fresh.get(`n:${m.name}`);
        if (other) {
          const diffs = this.diffMatter(other.values as MatterRow, values);
          if (other.m.name !== m.name) fail(i, 'matterCode', `事项编码“${m.code}”在本批次中对应不同的事项：“${other.m.name}”与“${m.name}”`);
          else if (other.m.code && m.code && other.m.code !== m.code) fail(i, 'matterCode', `事项“${m.name}”在本批次中有两个编码：“${other.m.code}”与“${m.code}”`);
          else if (diffs.length) fail(i, asField(diffs[0].field), `事项“${m.name}”在本批次中出现多次且内容不一致（${diffs.map((d) => d.label).join('、')}）`);
          continue;
        }
        fresh.set(key, { i, values, m });
        if (m.code) fresh.set(`n:${m.name}`, { i, values, m });
        continue;
      }
      const diffs = this.diffMatter(existing, values);
      if (existing.last_import_id === this.batchId) {
        if (m.code && existing.code && existing.code !== m.code) fail(i, 'matterCode', `事项“${m.name}”在本批次中有两个编码：“${existing.code}”与“${m.code}”`);
        else if (m.code && existing.name !== m.name) fail(i, 'matterName', `事项编码“${m.code}”在本批次中对应不同的事项：“${existing.name}”与“${m.name}”`);
        else if (diffs.length) fail(i, asField(diffs[0].field), `事项“${m.name}”在本批次中出现多次且内容不一致（${diffs.map((d) => d.label).join('、')}）`);
        else if (m.materials && !this.sameMaterials(m.materials, existingMaterials.get(existing.id) ?? [])) fail(i, 'materials', `事项“${m.name}”在本批次中出现多次且申请材料不一致`);
        continue;
      }
      existing.last_import_id = this.batchId;
      if (diffs.length === 0) {
        touched.push(existing.id);
        this.counts.matters.unchanged++;
      } else {
        await this.db('matters').where({ id: existing.id }).update({ ...values, last_import_id: this.batchId, updated_at: this.now });
        Object.assign(existing, values);
        this.counts.matters.updated++;
        this.change({ kind: 'matters', action: 'change', key: m.name, fields: diffs, source: ref });
      }
      if (m.materials) await this.replaceMaterials(existing.id, m.name, m.materials, existingMaterials.get(existing.id) ?? [], ref);
    }
    for (let k = 0; k < touched.length; k += 500) {
      await this.db('matters').whereIn('id', touched.slice(k, k + 500)).update({ last_import_id: this.batchId });
    }

    const resolved = new Map<string, MatterRow>();
    for (const r of [...byCode.values(), ...byName.values()]) {
      if (r.code) resolved.set(`c:${r.code}`, r);
      resolved.set(`n:${r.name}`, r);
    }
    const inserts = [...new Map([...fresh.values()].map((f) => [f.i, f])).values()];
    if (inserts.length === 0) return resolved;
    const created = await insertChunked(
      this.db,
      'matters',
      inserts.map((f) => ({
        ...f.values,
        // either department column serves for both when only one is given
        competent_department_id: f.values.competent_department_id ?? f.values.approving_department_id ?? null,
        approving_department_id: f.values.approving_department_id ?? f.values.competent_department_id ?? null,
        last_import_id: this.batchId,
        created_at: this.now,
        updated_at: this.now,
      })),
      ['id', 'name'],
    );
    this.counts.matters.inserted += inserts.length;
    // Ids come back from the insert (RETURNING), matched by name since row order is not promised.
    const ids = new Map(created.map((r) => [r.name as string, r.id as number]));
    for (const f of inserts) {
      this.change({ kind: 'matters', action: 'add', key: f.m.name, source: chunk[f.i].ref });
      const row = { ...(f.values as MatterRow), id: ids.get(f.m.name)!, last_import_id: this.batchId };
      if (f.m.code) resolved.set(`c:${f.m.code}`, row);
      resolved.set(`n:${f.m.name}`, row);
    }
    const withMaterials = inserts.filter((f) => f.m.materials?.length);
    if (withMaterials.length) {
      const rows = withMaterials.flatMap((f) => f.m.materials!.map((mat, seq) => ({ matter_id: ids.get(f.m.name)!, seq: seq + 1, ...mat })));
      await insertChunked(this.db, 'materials', rows);
      this.counts.materials.inserted += rows.length;
    }
    return resolved;
  }

  private async matterValues(m: MatterFields): Promise<Partial<MatterRow>> {
    const v: Record<string, unknown> = {};
    for (const [field, column] of MATTER_COLUMNS) if (m[field] !== undefined) v[column] = m[field];
    if (m.competentDepartment !== undefined) v.competent_department_id = await this.depts.ensure(m.competentDepartment);
    if (m.approvingDepartment !== undefined) v.approving_department_id = await this.depts.ensure(m.approvingDepartment);
    return v as Partial<MatterRow>;
  }

  private diffMatter(existing: MatterRow, values: Partial<MatterRow>): FieldChange[] {
    const out: FieldChange[] = [];
    for (const [column, v] of Object.entries(values)) {
      let prev = (existing as unknown as Record<string, unknown>)[column];
      if (column === 'onsite_inspection' || column === 'commitment') prev = toBool(prev as number | boolean | null);
      if (same(prev, v)) continue;
      const field = matterField(column);
      if (column.endsWith('department_id')) out.push(this.fieldChange(field, this.depts.name(prev as number | null), this.depts.name(v as number | null)));
      else if (column === 'level') out.push(this.fieldChange(field, prev ? LEVEL_LABEL[prev as keyof typeof LEVEL_LABEL] : null, v ? LEVEL_LABEL[v as keyof typeof LEVEL_LABEL] : null));
      else out.push(this.fieldChange(field, prev, v));
    }
    return out;
  }

  private sameMaterials(next: MaterialFields[], prev: MaterialRow[]): boolean {
    return next.length === prev.length && next.every((m, i) => sameMaterial(m, prev[i]));
  }

  /** A list from one cell replaces the matter's materials; counted position by position. */
  private async replaceMaterials(matterId: number, matterName: string, next: MaterialFields[], prev: MaterialRow[], ref: RowRef) {
    const c = this.counts.materials;
    if (this.sameMaterials(next, prev)) {
      c.unchanged += next.length;
      return;
    }
    for (let i = 0; i < Math.max(next.length, prev.length); i++) {
      if (next[i] && prev[i]) sameMaterial(next[i], prev[i]) ? c.unchanged++ : c.updated++;
      else if (next[i]) c.inserted++;
      else c.removed = (c.removed ?? 0) + 1;
    }
    this.change({
      kind: 'materials',
      action: 'change',
      key: matterName,
      fields: [this.fieldChange('materials', prev.map((p) => p.name), next.map((n) => n.name))],
      source: ref,
    });
    await this.db('materials').where({ matter_id: matterId }).delete();
    if (next.length) await insertChunked(this.db, 'materials', next.map((m, i) => ({ matter_id: matterId, seq: i + 1, ...m })));
  }

  // ---- materials as rows: upsert by (matter, name) ----

  private async upsertMaterialRows(chunk: ParsedRow[], fail: (i: number, field: Field | '', msg: string) => void) {
    const rows = chunk as Array<Extract<ParsedRow, { kind: 'materials' }>>;
    const matters = await this.resolveMatters(rows.map((r) => r.material.matter));
    const byMatter = await materialsOf(this.db, [...new Set([...matters.values()].map((m) => m.id))]);
    for (let i = 0; i < rows.length; i++) {
      const { matter: ref, material } = rows[i].material;
      const matter = matters.get(keyOf(ref)) ?? (ref.name ? matters.get(`n:${ref.name}`) : undefined);
      if (!matter) {
        fail(i, ref.code ? 'matterCode' : 'matterName', `事项“${ref.name ?? ref.code}”不在事项目录中（请先导入事项目录，或核对名称）`);
        continue;
      }
      const list = byMatter.get(matter.id) ?? [];
      byMatter.set(matter.id, list);
      const prev = list.find((p) => p.name === material.name);
      if (!prev) {
        const seq = list.reduce((mx, p) => Math.max(mx, p.seq), 0) + 1;
        const row = { matter_id: matter.id, seq, ...material };
        const [id] = await this.db('materials').insert(row).returning('id');
        list.push({ ...row, id: idOf(id) } as MaterialRow);
        this.counts.materials.inserted++;
        this.change({ kind: 'materials', action: 'add', key: `${matter.name}：${material.name}`, source: rows[i].ref });
      } else if (sameMaterial(material, prev)) {
        this.counts.materials.unchanged++;
      } else {
        await this.db('materials').where({ id: prev.id }).update(material);
        Object.assign(prev, material);
        this.counts.materials.updated++;
        this.change({ kind: 'materials', action: 'change', key: `${matter.name}：${material.name}`, source: rows[i].ref });
      }
    }
  }

  private async resolveMatters(refs: Ref[]): Promise<Map<string, MatterRow>> {
    const out = new Map<string, MatterRow>();
    const codes = refs.filter((r) => r.code).map((r) => r.code!);
    const names = refs.filter((r) => r.name).map((r) => r.name!);
    for (const r of await selectIn<MatterRow>(this.db, 'matters', 'code', codes)) out.set(`c:${r.code}`, r);
    for (const r of await selectIn<MatterRow>(this.db, 'matters', 'name', names)) out.set(`n:${r.name}`, r);
    return out;
  }

  // ---- links ----

  private async upsertLinks(
    items: Array<{ i: number; ref: RowRef; link: LinkFields }>,
    fail: (i: number, field: Field | '', msg: string) => void,
    known?: Map<string, MatterRow>,
  ) {
    if (items.length === 0) return;
    const matters = known ?? (await this.resolveMatters(items.map((x) => x.link.matter)));
    const resolved: Array<{ i: number; ref: RowRef; link: LinkFields; industryId: number; matter: MatterRow; industryName: string }> = [];
    for (const x of items) {
      const ind = x.link.industry;
      const industry = (ind.code ? this.industriesByCode.get(ind.code) : undefined) ?? (ind.name ? this.industriesByName.get(ind.name) : undefined);
      const matter = (x.link.matter.code ? matters.get(`c:${x.link.matter.code}`) : undefined) ?? (x.link.matter.name ? matters.get(`n:${x.link.matter.name}`) : undefined);
      if (!industry) fail(x.i, ind.name ? 'industryName' : 'industryCode', `行业“${ind.name ?? ind.code}”不在试点行业目录中（请先导入行业清单，或核对名称）`);
      if (!matter) fail(x.i, x.link.matter.name ? 'matterName' : 'matterCode', `事项“${x.link.matter.name ?? x.link.matter.code}”不在事项目录中（请先导入事项目录，或核对名称）`);
      if (industry && matter) resolved.push({ ...x, industryId: industry.id, matter, industryName: industry.name });
    }
    const existing = new Map<string, LinkRow>();
    // Per industry, so the lookup uses the (industry_id, matter_id) key instead of scanning.
    const byIndustry = new Map<number, number[]>();
    for (const r of resolved) pushTo(byIndustry, r.industryId, r.matter.id);
    for (const [industryId, matterIds] of byIndustry) {
      const rows = (await this.db('industry_matters')
        .select('industry_id', 'matter_id', 'mandatory', 'condition', 'last_import_id')
        .where('industry_id', industryId)
        .whereIn('matter_id', [...new Set(matterIds)])) as LinkRow[];
      for (const r of rows) existing.set(`${r.industry_id}/${r.matter_id}`, r);
    }
    const unchanged = new Map<number, number[]>();
    const inserts: LinkRow[] = [];
    for (const r of resolved) {
      this.linkedIndustries.add(r.industryId);
      const key = `${r.industryId}/${r.matter.id}`;
      const prev = existing.get(key);
      const label = `${r.industryName} → ${r.matter.name}`;
      if (!prev) {
        const row: LinkRow = { industry_id: r.industryId, matter_id: r.matter.id, mandatory: r.link.mandatory, condition: r.link.condition, seq: await this.nextSeq(r.industryId), last_import_id: this.batchId };
        existing.set(key, row);
        inserts.push(row);
        this.change({ kind: 'links', action: 'add', key: label, source: r.ref });
        continue;
      }
      const diffs: FieldChange[] = [];
      if (toBool(prev.mandatory) !== r.link.mandatory) diffs.push(this.fieldChange('mandatory', toBool(prev.mandatory) ? '必办' : '按情形', r.link.mandatory ? '必办' : '按情形'));
      if (!same(prev.condition, r.link.condition)) diffs.push(this.fieldChange('condition', prev.condition, r.link.condition));
      if (prev.last_import_id === this.batchId) {
        if (diffs.length) fail(r.i, 'condition', `“${label}”在本批次中出现多次且办理情形不一致`);
        continue;
      }
      prev.last_import_id = this.batchId;
      if (diffs.length === 0) {
        pushTo(unchanged, r.industryId, r.matter.id);
        this.counts.links.unchanged++;
      } else {
        await this.db('industry_matters')
          .where({ industry_id: r.industryId, matter_id: r.matter.id })
          .update({ mandatory: r.link.mandatory, condition: r.link.condition, last_import_id: this.batchId });
        this.counts.links.updated++;
        this.change({ kind: 'links', action: 'change', key: label, fields: diffs, source: r.ref });
      }
    }
    for (const [industryId, matterIds] of unchanged) {
      await this.db('industry_matters').where('industry_id', industryId).whereIn('matter_id', matterIds).update({ last_import_id: this.batchId });
    }
    await insertChunked(this.db, 'industry_matters', inserts);
    this.counts.links.inserted += inserts.length;
  }

  private async nextSeq(industryId: number): Promise<number> {
    let seq = this.linkSeq.get(industryId);
    if (seq === undefined) {
      const row = (await this.db('industry_matters').where({ industry_id: industryId }).max({ m: 'seq' }).first()) as { m: number | null } | undefined;
      seq = Number(row?.m ?? 0);
    }
    seq++;
    this.linkSeq.set(industryId, seq);
    return seq;
  }

  /** What the batch did not mention, within what it covers (see diffCatalog). */
  async removals(): Promise<CatalogChange[]> {
    const out: CatalogChange[] = [];
    const notInBatch = (q: Knex.QueryBuilder, column = 'last_import_id') => q.where((w) => w.whereNull(column).orWhereNot(column, this.batchId));
    if (this.sawIndustrySheet) {
      for (const r of (await notInBatch(this.db('industries').select('name'))) as Array<{ name: string }>) out.push({ kind: 'industries', action: 'remove', key: r.name });
    }
    if (this.sawMatterSheet) {
      const q = notInBatch(this.db('matters').select('name', 'level'));
      if (this.matterLevels.size) q.whereIn('level', [...this.matterLevels]);
      for (const r of (await q) as Array<{ name: string }>) out.push({ kind: 'matters', action: 'remove', key: r.name });
    }
    if (this.linkedIndustries.size) {
      const rows = (await notInBatch(
        this.db('industry_matters as l')
          .join('industries as i', 'i.id', 'l.industry_id')
          .join('matters as m', 'm.id', 'l.matter_id')
          .select('i.name as industry', 'm.name as matter')
          .whereIn('l.industry_id', [...this.linkedIndustries]),
        'l.last_import_id',
      )) as Array<{ industry: string; matter: string }>;
      for (const r of rows) out.push({ kind: 'links', action: 'remove', key: `${r.industry} → ${r.matter}` });
    }
    return out;
  }
}

function industryField(column: string): string {
  const found = INDUSTRY_COLUMNS.find(([, c]) => c === column);
  if (found) return found[0];
  return column === 'gb_codes' ? 'gbCodes' : column === 'lead_department_id' ? 'leadDepartment' : column;
}

function matterField(column: string): string {
  const found = MATTER_COLUMNS.find(([, c]) => c === column);
  if (found) return found[0];
  return column === 'competent_department_id' ? 'competentDepartment' : column === 'approving_department_id' ? 'approvingDepartment' : column;
}

/** Domain field of a change → the sheet field whose column to blame. */
function asField(field: string, industry = false): Field | '' {
  const map: Record<string, Field> = {
    code: industry ? 'industryCode' : 'matterCode',
    name: industry ? 'industryName' : 'matterName', legalLimitDays: 'legalLimit', legalLimitUnit: 'legalLimit', committedLimitDays: 'committedLimit',
    committedLimitUnit: 'committedLimit', targetText: 'targetDate', gbCodes: 'gbCodes',
  };
  return map[field] ?? ((field in FIELD_HEADERS ? field : '') as Field | '');
}

function pushTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
