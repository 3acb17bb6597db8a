import type { Knex } from 'knex';
import * as m001 from './20261122_001_catalog';
import * as m002License from './20261122_002_license';
import * as m003 from './20261122_003_tasks';
import * as m004Audit from './20261122_004_audit';
import * as m005TaskAudit from './20261122_005_task_audit';
import * as m010ImpHeaders from './20261206_010_imp_headers';
import * as m011NewcomerCalendar from './20261206_011_newcomer_calendar';
import * as m014Inspect from './20261206_014_inspect';

export interface Migration {
  name: string;
  up(knex: Knex): Promise<void>;
  down(knex: Knex): Promise<void>;
}

/** Every migration, in order. Listed explicitly so the build and the tests see the same set. */
export const migrations: Migration[] = [{ name: '20261122_001_catalog', ...m001 }, { name: '20261122_002_license', ...m002License }, { name: '20261122_003_tasks', ...m003 }, { name: '20261122_004_audit', ...m004Audit }, { name: '20261122_005_task_audit', ...m005TaskAudit },
  { name: '20261206_010_imp_headers', ...m010ImpHeaders },
  { name: '20261206_011_newcomer_calendar', ...m011NewcomerCalendar },
  { name: '20261206_014_inspect', ...m014Inspect },
];
