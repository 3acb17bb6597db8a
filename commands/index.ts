/**
 * Every command, listed explicitly (oclif "explicit" strategy): no directory scan at start-up.
 * Each topic keeps its own list in commands/<topic>/index.ts.
 */
import Init from './init';
import { CATALOG_COMMANDS } from './catalog';
import { GUIDE_COMMANDS } from './guide';
import { LICENSE_COMMANDS } from './license';
import { KEYS_COMMANDS } from './keys';
import { TASKS_COMMANDS } from './tasks';
import { REPORT_COMMANDS } from './report';
import { DB_COMMANDS } from './db';
import { AUDIT_COMMANDS } from './audit';
import { CALENDAR_COMMANDS } from './calendar';
import { INSPECT_COMMANDS } from './inspect';
import { SETTINGS_COMMANDS } from './settings';

export const COMMANDS = {
  init: Init,
  ...CATALOG_COMMANDS,
  ...GUIDE_COMMANDS,
  ...LICENSE_COMMANDS,
  ...KEYS_COMMANDS,
  ...TASKS_COMMANDS,
  ...REPORT_COMMANDS,
  ...DB_COMMANDS,
  ...AUDIT_COMMANDS,
  ...CALENDAR_COMMANDS,
  ...INSPECT_COMMANDS,
  ...SETTINGS_COMMANDS,
};
