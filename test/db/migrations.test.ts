import { connect, migrateDownAll, migrateLatest, migrationStatus } from '../../src/db';
import { migrations } from '../../src/db/migrations';
import { backends, freshDbUrl } from '../helpers/db';

const TABLES = ['settings', 'departments', 'import_log', 'industries', 'industry_co_departments', 'matters', 'materials', 'industry_matters'];

describe.each(backends())('migrations on %s', (backend) => {
  it('go up and down and up again, leaving exactly the schema', async () => {
    const db = connect(await freshDbUrl(backend));
    try {
      expect((await migrationStatus(db)).pending).toEqual(migrations.map((m) => m.name));
      expect(await migrateLatest(db)).toEqual(migrations.map((m) => m.name));
      for (const t of TABLES) expect(await db.schema.hasTable(t)).toBe(true);
      expect((await migrationStatus(db)).pending).toEqual([]);

      await migrateDownAll(db);
      for (const t of TABLES) expect(await db.schema.hasTable(t)).toBe(false);

      await migrateLatest(db);
      await db('departments').insert({ name: '区市场监管局', created_at: '2026-01-01T00:00:00Z' });
      expect(await db('departments').pluck('name')).toEqual(['区市场监管局']);
    } finally {
      await db.destroy();
    }
  });
});
