/**
 * Opening a workspace must not write when no migration is pending: knex's migration lock is a
 * write, and on SQLite it made every command wait behind (and then fail during) a long batch.
 */
import { connect } from '../../src/db';
import { importCatalog } from '../../src/catalog/service';
import { yiye } from '../helpers/cli';
import { PUDONG_BASE, freshWorkspace } from '../helpers/workspace';

describe('openWorkspace on SQLite while another process holds the write lock', () => {
  it('a read-only command still answers (no migration lock taken when nothing is pending)', async () => {
    const { url, db } = await freshWorkspace('sqlite');
    await importCatalog(db, PUDONG_BASE, { actor: 'test' });
    await db.destroy();

    const holder = connect(url); // one connection: the lock lives on it until ROLLBACK
    await holder.raw('BEGIN IMMEDIATE');
    try {
      const list = await yiye(['catalog', 'list', 'industries', '--db', url, '--json'], { env: { YIYE_DB: '' } });
      expect(list.stderr).toBe('');
      expect(list.code).toBe(0);
      expect(list.json).toHaveLength(31);
    } finally {
      await holder.raw('ROLLBACK');
      await holder.destroy();
    }
  });
});
