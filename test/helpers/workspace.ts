import path from 'node:path';
import type { Db } from '../../src/db';
import { connect } from '../../src/db';
import { initWorkspace } from '../../src/settings/service';
import { freshDbUrl, type Backend } from './db';

export const FIXTURES = path.resolve(__dirname, '../../fixtures/catalog');
export const pudong = (name: string) => path.join(FIXTURES, 'pudong', name);
export const bad = (name: string) => path.join(FIXTURES, 'bad', name);

export const PUDONG_BASE = ['附件1-试点行业清单.xlsx', '附件2-事项目录.xlsx', '附件3-行业事项对应表.csv'].map(pudong);
export const PUDONG_ALL = [...PUDONG_BASE, pudong('便利店-综合目录.xlsx'), pudong('事项目录-UTF8-BOM.csv'), pudong('事项目录-UTF16.csv')];

/** A new initialised workspace on the backend, and an open connection to it. */
export async function freshWorkspace(backend: Backend): Promise<{ url: string; db: Db }> {
  const url = await freshDbUrl(backend);
  await initWorkspace(url, { regionCode: '310115', authorityName: '浦东新区人民政府', licenseNumberPattern: '{region}{year}{industry}{seq:6}' });
  return { url, db: connect(url) };
}

/**
 * Everything the catalog holds, in a stable order and without bookkeeping columns (times, batch
 * stamps): equal snapshots mean the catalog did not change.
 */
export async function catalogSnapshot(db: Db): Promise<Record<string, unknown[]>> {
  const drop = (rows: Array<Record<string, unknown>>) =>
    rows.map(({ created_at: _c, updated_at: _u, last_import_id: _l, ...rest }) => {
      for (const [k, v] of Object.entries(rest)) if (typeof v === 'boolean') rest[k] = v ? 1 : 0;
      return rest;
    });
  return {
    departments: drop(await db('departments').orderBy('id')),
    industries: drop(await db('industries').orderBy('id')),
    co: drop(await db('industry_co_departments').orderBy(['industry_id', 'seq'])),
    matters: drop(await db('matters').orderBy('id')),
    materials: drop(await db('materials').orderBy('id')),
    links: drop(await db('industry_matters').orderBy(['industry_id', 'matter_id'])),
  };
}
