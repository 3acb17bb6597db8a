import type { Knex } from 'knex';
import { daysBetween } from './status';

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
    // one index seek per industry on licenses(industry_id, issue_date), not a scan of the register:
    // the register grows to millions of rows, the industries stay a few dozen
    const rows: Array<{ id: number; first: string | null }> = await db('industries as i')
      .select('i.id', db('licenses as l').min('l.issue_date').whereRaw('l.industry_id = i.id').andWhere('l.issue_date', '<=', asOf).as('first'))
      .orderBy('i.id');
    for (const r of rows) if (r.first) first.set(r.id, r.first);
  }
  return industries.map((i) => {
    const landed = first.get(i.id) ?? null;
    const target = i.target_date;
    let status: MilestoneState;
    let daysLate = 0;
    if (landed) {
      const late = !!target && landed > target;
      status = late ? '已落地（逾期）' : '已落地（按时）';
      daysLate = late ? daysBetween(target!, landed) : 0;
    } else if (target && target < asOf) {
      status = '未落地（已逾期）';
      daysLate = daysBetween(target, asOf);
    } else status = '未到期';
    return { name: i.name, code: i.code, authority: i.authority, targetDate: target, firstLicenseOn: landed, status, daysLate };
  });
}

/** Licences issued in [from, to] per industry (industry order), when the licence register exists. */
export async function licensesIssued(db: Knex, from: string, to: string): Promise<Array<{ industry: string; count: number }> | null> {
  if (!(await db.schema.hasTable('licenses'))) return null;
  // counted per industry over the index range of the period (see industryMilestones)
  const rows = (await db('industries as i')
    .select('i.name', db('licenses as l').count('*').whereRaw('l.industry_id = i.id').andWhereBetween('l.issue_date', [from, to]).as('n'))
    .orderBy('i.id')) as Array<{ name: string; n: number | string }>;
  return rows.filter((r) => Number(r.n) > 0).map((r) => ({ industry: r.name, count: Number(r.n) }));
}
