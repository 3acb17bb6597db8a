import type { Knex } from 'knex';

/** The four milestone states of a pilot industry (issue 5 item 5). */
export const MILESTONE_STATES = ['已落地（按时）', '已落地（逾期）', '未落地（已逾期）', '未到期'] as const;
export type MilestoneState = (typeof MILESTONE_STATES)[number];

export interface IndustryMilestone {
  name: string;
  code: string | null;
  authority: string | null;
  targetDate: string | null;
  /** The issue date of its first licence on or before the as-of date, or null. */
  firstLicenseOn: string | null;
  status: MilestoneState;
  /** Days late (landed late, or overdue and still not landed), else 0. */
  daysLate: number;
}

const days = (a: string, b: string) => Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86400000);

/**
 * Derived, never typed: each pilot industry's target date (industries.target_date, from the catalog)
 * against the first licence issued for it (licenses.issue_date) by `asOf`. A licence counts whatever
 * its later status: the industry landed the day its first licence was issued. Without a `licenses`
 * table (the licence register not installed) no industry has landed. An industry without a target
 * date is never overdue (未到期 until it lands, then 已落地（按时）).
 */
export async function industryMilestones(db: Knex, asOf: string): Promise<IndustryMilestone[]> {
  const industries: Array<{ id: number; name: string; code: string | null; authority: string | null; target_date: string | null }> = await db('industries')
    .select('id', 'name', 'code', 'authority', 'target_date')
    .orderBy('id');
  const first = new Map<number, string>();
  if (await db.schema.hasTable('licenses')) {
    const rows: Array<{ industry_id: number; first: string }> = await db('licenses').where('issue_date', '<=', asOf).groupBy('industry_id').select('industry_id').min({ first: 'issue_date' });
    for (const r of rows) first.set(r.industry_id, r.first);
  }
  return industries.map((i) => {
    const landed = first.get(i.id) ?? null;
    const target = i.target_date;
    let status: MilestoneState;
    let daysLate = 0;
    if (landed) {
      const late = !!target && landed > target;
      status = late ? '已落地（逾期）' : '已落地（按时）';
      daysLate = late ? days(target!, landed) : 0;
    } else if (target && target < asOf) {
      status = '未落地（已逾期）';
      daysLate = days(target, asOf);
    } else status = '未到期';
    return { name: i.name, code: i.code, authority: i.authority, targetDate: target, firstLicenseOn: landed, status, daysLate };
  });
}

/** Licences issued in [from, to] per industry (industry order), when the licence register exists. */
export async function licensesIssued(db: Knex, from: string, to: string): Promise<Array<{ industry: string; count: number }> | null> {
  if (!(await db.schema.hasTable('licenses'))) return null;
  const rows = (await db('licenses as l')
    .join('industries as i', 'i.id', 'l.industry_id')
    .whereBetween('l.issue_date', [from, to])
    .groupBy('i.id', 'i.name')
    .select('i.name')
    .count({ n: '*' })
    .orderBy('i.id')) as Array<{ name: string; n: number | string }>;
  return rows.map((r) => ({ industry: r.name, count: Number(r.n) }));
}
