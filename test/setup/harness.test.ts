/** The test harness itself: both backends are real, writable, UTF-8 clean and isolated per database. */
import { knex, Knex } from 'knex';
import { Backend, backends, freshDbUrl } from '../helpers/db';

function open(backend: Backend, url: string): Knex {
  return backend === 'sqlite'
    ? knex({ client: 'sqlite3', connection: { filename: url }, useNullAsDefault: true })
    : knex({ client: 'pg', connection: url });
}

const NAME = '便利店（食品经营许可）';

test('PostgreSQL is not silently skipped', () => {
  if (process.env.YIYE_TEST_PG !== '0') expect(backends()).toEqual(['sqlite', 'postgres']);
});

describe.each(backends())('%s', (backend) => {
  let db: Knex;
  beforeEach(async () => {
    db = open(backend, await freshDbUrl(backend));
    await db.schema.createTable('industry', (t) => {
      t.increments('id');
      t.string('name', 200).notNullable();
    });
  });
  afterEach(() => db.destroy());

  test('stores and reads back Chinese text', async () => {
    await db('industry').insert({ name: NAME });
    const rows = await db('industry').select('name');
    expect(rows).toEqual([{ name: NAME }]);
    // Same row found by an equality match on the text, i.e. the server did not transcode it.
    expect(await db('industry').where({ name: NAME }).first('id')).toBeDefined();
  });

  test('a rolled-back transaction writes nothing', async () => {
    await expect(
      db.transaction(async (trx) => {
        await trx('industry').insert({ name: NAME });
        expect(await trx('industry').count({ n: '*' })).toEqual([{ n: backend === 'sqlite' ? 1 : '1' }]);
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect(await db('industry').count({ n: '*' })).toEqual([{ n: backend === 'sqlite' ? 0 : '0' }]);
  });

  test('each freshDbUrl is a separate, empty database', async () => {
    const [urlA, urlB] = [await freshDbUrl(backend), await freshDbUrl(backend)];
    expect(urlA).not.toEqual(urlB);
    const a = open(backend, urlA);
    const b = open(backend, urlB);
    try {
      await a.schema.createTable('only_in_a', (t) => t.string('x'));
      await a('only_in_a').insert({ x: NAME });
      expect(await b.schema.hasTable('only_in_a')).toBe(false);
      expect(await b.schema.hasTable('industry')).toBe(false);
    } finally {
      await Promise.all([a.destroy(), b.destroy()]);
    }
  });
});
