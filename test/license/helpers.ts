/**
 * Licence test workspaces: an initialised workspace with the pudong catalog imported. Keys of
 * PostgreSQL workspaces go under the run's scratch folder, not the user's ~/.config.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Db } from '../../src/db';
import { importCatalog } from '../../src/catalog/service';
import { resolveKeyFile } from '../../src/license/keys';
import type { Backend } from '../helpers/db';
import { PUDONG_BASE, freshWorkspace } from '../helpers/workspace';

process.env.XDG_CONFIG_HOME = fs.mkdtempSync(path.join(process.env.YIYE_TEST_TMP ?? os.tmpdir(), 'xdg-'));

export const LICENSE_FIXTURES = path.resolve(__dirname, '../../fixtures/license');
export const lic = (name: string) => path.join(LICENSE_FIXTURES, name);
export const BATCH1 = lic('发证申请-2026-03-15.xlsx');
export const BATCH2 = lic('发证申请-2026-03-16-GBK.csv');
export const OPS = lic('变更延续注销-2026-06-01.xlsx');

export interface LicenseWorkspace {
  url: string;
  db: Db;
  keyFile: string;
}

export async function licenseWorkspace(backend: Backend): Promise<LicenseWorkspace> {
  const { url, db } = await freshWorkspace(backend);
  await importCatalog(db, PUDONG_BASE, { actor: 'test' });
  return { url, db, keyFile: resolveKeyFile(url) };
}

export function tmpDir(prefix: string): string {
  return fs.mkdtempSync(path.join(process.env.YIYE_TEST_TMP ?? os.tmpdir(), prefix));
}
