import type { Knex } from 'knex';
import { SQLITE_CHUNK, nowIso } from '../db';
import type { Authority, Industry, Level, Material, Matter, ReformMode } from './types';

/** Rows as stored. Booleans come back as 0/1 from SQLite and true/false from PostgreSQL. */
export interface IndustryRow {
  id: number;
  code: string | null;
  name: string;
  gb_codes: string | null;
  batch: string | null;
  authority: string | null;
  lead_department_id: number | null;
  target_date: string | null;
  target_text: string | null;
  notes: string | null;
  last_import_id: number | null;
  /** The code was assigned by the catalog's rule (no 行业编码 in the department's list). */
  code_assigned?: boolean | number | null;
}

export interface MatterRow {
  id: number;
  code: string | null;
  name: string;
  level: string | null;
  competent_department_id: number | null;
  approving_department_id: number | null;
  legal_basis: string | null;
  reform_mode: string | null;
  measures: string | null;
  supervision: string | null;
  legal_limit_days: number | null;
  legal_limit_unit: string | null;
  committed_limit_days: number | null;
  committed_limit_unit: string | null;
  onsite_inspection: boolean | number | null;
  commitment: boolean | number | null;
  fee: string | null;
  conditions: string | null;
  last_import_id: number | null;
}

export interface MaterialRow {
  id: number;
  matter_id: number;
  seq: number;
  name: string;
  form: string | null;
  copies: number | null;
  required: boolean | number | null;
  source: string | null;
  note: string | null;
}

export interface LinkRow {
  industry_id: number;
  matter_id: number;
  mandatory: boolean | number;
  condition: string | null;
  seq: number;
  last_import_id: number | null;
}

export const toBool = (v: boolean | number | null): boolean | null => (v === null || v === undefined ? null : Boolean(v));

/** Departments by id, loaded once per operation: there are dozens, not thousands. */
export class DepartmentCache {
  private byName = new Map<string, number>();
  private byId = new Map<number, string>();
  constructor(private readonly db: Knex) {}

  async load(): Promise<void> {
    const rows: Array<{ id: number; name: string }> = await this.db('departments').select('id', 'name');
    for (const r of rows) this.remember(r.id, r.name);
  }

  private remember(id: number, name: string) {
    this.byName.set(name, id);
    this.byId.set(id, name);
  }

  name(id: number | null): string | null {
    return id === null ? null : (this.byId.get(id) ?? null);
  }

  idOf(name: string | null | undefined): number | null {
    return name ? (this.byName.get(name) ?? null) : null;
  }

  /** The department's id, creating it on first mention. */
  async ensure(name: string | null | undefined): Promise<number | null> {
    if (!name) return null;
    const known = this.byName.get(name);
    if (known !== undefined) return known;
    const [row] = await this.db('departments').insert({ name, created_at: nowIso() }).returning('id');
    const id = typeof row === 'object' ? (row as { id: number }).id : (row as number);
    this.remember(id, name);
    return id;
  }
}

export function industryToDomain(r: IndustryRow, depts: DepartmentCache, co: string[]): Industry {
  return {
    id: r.id,
    code: r.code,
    codeAssigned: Boolean(toBool(r.code_assigned ?? null)),
    name: r.name,
    gbCodes: r.gb_codes ? r.gb_codes.split(',') : [],
    batch: r.batch,
    authority: r.authority as Authority | null,
    leadDepartment: depts.name(r.lead_department_id),
    coDepartments: co,
    targetDate: r.target_date,
    targetText: r.target_text,
    notes: r.notes,
  };
}

export function matterToDomain(r: MatterRow, depts: DepartmentCache): Matter {
  return {
    id: r.id,
    code: r.code,
    name: r.name,
    level: r.level as Level | null,
    competentDepartment: depts.name(r.competent_department_id),
    approvingDepartment: depts.name(r.approving_department_id),
    legalBasis: r.legal_basis,
    reformMode: r.reform_mode as ReformMode | null,
    measures: r.measures,
    supervision: r.supervision,
    legalLimitDays: r.legal_limit_days,
    legalLimitUnit: r.legal_limit_unit,
    committedLimitDays: r.committed_limit_days,
    committedLimitUnit: r.committed_limit_unit,
    onsiteInspection: toBool(r.onsite_inspection),
    commitment: toBool(r.commitment),
    fee: r.fee,
    conditions: r.conditions,
  };
}

export function materialToDomain(r: MaterialRow): Material {
  return { seq: r.seq, name: r.name, form: r.form, copies: r.copies, required: toBool(r.required), source: r.source, note: r.note };
}

/** Rows of `table` whose `column` is one of `values`, in chunks small enough for SQLite. */
export async function selectIn<T>(db: Knex, table: string, column: string, values: Array<string | number>): Promise<T[]> {
  const out: T[] = [];
  const unique = [...new Set(values)];
  for (let i = 0; i < unique.length; i += SQLITE_CHUNK) {
    out.push(...((await db(table).whereIn(column, unique.slice(i, i + SQLITE_CHUNK))) as T[]));
  }
  return out;
}

/**
 * Inserts rows in chunks SQLite accepts (its compound-SELECT limit). With `returning`, gives back
 * those columns of the new rows (RETURNING works on SQLite ≥ 3.35 and PostgreSQL).
 */
export async function insertChunked(db: Knex, table: string, rows: object[], returning?: string[]): Promise<Array<Record<string, unknown>>> {
  const out: Array<Record<string, unknown>> = [];
  for (let i = 0; i < rows.length; i += SQLITE_CHUNK) {
    const q = db(table).insert(rows.slice(i, i + SQLITE_CHUNK));
    if (returning) out.push(...((await q.returning(returning)) as Array<Record<string, unknown>>));
    else await q;
  }
  return out;
}

export async function coDepartmentsOf(db: Knex, industryIds: number[], depts: DepartmentCache): Promise<Map<number, string[]>> {
  const rows = await selectIn<{ industry_id: number; department_id: number; seq: number }>(db, 'industry_co_departments', 'industry_id', industryIds);
  rows.sort((a, b) => a.seq - b.seq);
  const out = new Map<number, string[]>();
  for (const r of rows) {
    const list = out.get(r.industry_id) ?? [];
    list.push(depts.name(r.department_id) ?? '');
    out.set(r.industry_id, list);
  }
  return out;
}

export async function setCoDepartments(db: Knex, industryId: number, ids: number[]): Promise<void> {
  await db('industry_co_departments').where({ industry_id: industryId }).delete();
  const rows = [...new Set(ids)].map((department_id, seq) => ({ industry_id: industryId, department_id, seq }));
  if (rows.length) await db('industry_co_departments').insert(rows);
}

export async function materialsOf(db: Knex, matterIds: number[]): Promise<Map<number, MaterialRow[]>> {
  const rows = await selectIn<MaterialRow>(db, 'materials', 'matter_id', matterIds);
  rows.sort((a, b) => a.seq - b.seq);
  const out = new Map<number, MaterialRow[]>();
  for (const r of rows) {
    const list = out.get(r.matter_id) ?? [];
    list.push(r);
    out.set(r.matter_id, list);
  }
  return out;
}
