import { connect, migrateDownAll, migrateLatest } from '../../src/db';
import { backends, freshDbUrl } from '../helpers/db';

const TABLES = ['licenses', 'license_versions', 'license_items', 'license_number_seq', 'license_events', 'license_batches', 'uscc_exceptions'];

describe.each(backends())('licence migration on %s', (backend) => {
  it('creates the licence tables with the contract columns and removes them again', async () => {
    const db = connect(await freshDbUrl(backend));
    try {
      await migrateLatest(db);
      for (const t of TABLES) expect(await db.schema.hasTable(t)).toBe(true);
      for (const c of ['number', 'industry_id', 'issue_date', 'status']) expect(await db.schema.hasColumn('licenses', c)).toBe(true);
      await migrateDownAll(db);
      for (const t of TABLES) expect(await db.schema.hasTable(t)).toBe(false);
      await migrateLatest(db);
      expect(await db.schema.hasTable('licenses')).toBe(true);
    } finally {
      await db.destroy();
    }
  });
});
