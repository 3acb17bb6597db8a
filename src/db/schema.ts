/**
 * The SQLite schema a workspace should have — every table, index, trigger and view — computed by
 * running yiye's own migrations into an in-memory database, never kept as a hand-written list, so
 * a migration added later is covered the day it lands. `db restore` and `db status` compare a
 * workspace's sqlite_master with it: a planted trigger (one that quietly resets revoked licences to
 * valid), a dropped append-only trigger or a changed index is refused, named, exit 4.
 */
import knexFactory from 'knex';
import { YiyeError, ExitCode } from '../cli/errors';
import { migrations } from './migrations';

export interface SchemaObject {
  type: string;
  name: string;
  table: string;
  sql: string | null;
}

export interface SchemaDiff {
  extra: SchemaObject[];
  missing: SchemaObject[];
  changed: SchemaObject[];
}

/** sqlite_master's own rows (autoindexes, sqlite_sequence) belong to SQLite, not to a migration. */
export const SQLITE_MASTER_QUERY = `SELECT type, name, tbl_name AS "table", sql FROM sqlite_master WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY type, name`;

const expectedCache = new Map<string, Promise<SchemaObject[]>>();

/** What the given migrations (a prefix of yiye's list, as a workspace records them) create, from an empty in-memory database. */
export function expectedSqliteSchema(applied: string[]): Promise<SchemaObject[]> {
  const key = applied.join('\n');
  let p = expectedCache.get(key);
  if (!p) {
    p = build(applied);
    expectedCache.set(key, p);
  }
  return p;
}

async function build(applied: string[]): Promise<SchemaObject[]> {
  const wanted = applied.map((name) => migrations.find((m) => m.name === name)).filter((m): m is (typeof migrations)[number] => !!m);
  const db = knexFactory({ client: 'sqlite3', connection: { filename: ':memory:' }, useNullAsDefault: true, pool: { min: 1, max: 1 }, log: { warn() {}, error() {}, deprecate() {}, debug() {} } });
  try {
    await db.raw('PRAGMA foreign_keys=ON');
    await db.migrate.latest({
      migrationSource: {
        getMigrations: async () => wanted.map((m) => m.name),
        getMigrationName: (name: string) => name,
        getMigration: async (name: string) => wanted.find((m) => m.name === name)!,
      },
      tableName: 'yiye_migrations',
    });
    return (await db.raw(SQLITE_MASTER_QUERY)) as SchemaObject[];
  } finally {
    await db.destroy();
  }
}

/** Whitespace is not meaning: SQLite keeps statements as typed, and ALTER TABLE edits them in place. */
const norm = (sql: string | null) => (sql ?? '').replace(/\s+/g, ' ').replace(/\s*([(),])\s*/g, '$1').trim();

export function diffSchema(actual: SchemaObject[], expected: SchemaObject[]): SchemaDiff {
  const key = (o: SchemaObject) => `${o.type}\u0000${o.name}`;
  const want = new Map(expected.map((o) => [key(o), o]));
  const have = new Map(actual.map((o) => [key(o), o]));
  return {
    extra: actual.filter((o) => !want.has(key(o))),
    missing: expected.filter((o) => !have.has(key(o))),
    changed: actual.filter((o) => want.has(key(o)) && norm(want.get(key(o))!.sql) !== norm(o.sql)),
  };
}

export const schemaDiffEmpty = (d: SchemaDiff) => d.extra.length + d.missing.length + d.changed.length === 0;

const TYPE: Record<string, string> = { table: '表', index: '索引', trigger: '触发器', view: '视图' };
const named = (o: SchemaObject) => `${TYPE[o.type] ?? o.type} ${o.name}${o.type !== 'table' ? `（表 ${o.table}）` : ''}`;

/** Exit 4, naming every extra, missing and changed object. `label` names the database. */
export function schemaAlteredError(label: string, d: SchemaDiff): YiyeError {
  const parts = [
    d.extra.length ? `多出 ${d.extra.map(named).join('、')}` : '',
    d.missing.length ? `缺少 ${d.missing.map(named).join('、')}` : '',
    d.changed.length ? `被改动 ${d.changed.map(named).join('、')}` : '',
  ].filter(Boolean);
  return new YiyeError(
    `“${label}”的数据库结构与 yiye 迁移建立的不一致：${parts.join('；')}。`,
    'SCHEMA_ALTERED',
    ExitCode.conflict,
    '数据库结构被绕过 yiye 改动过（例如植入的触发器可以悄悄把已撤销的许可证改回有效，删掉的触发器使审计日志可被改写）。请换用另一份备份，或查明谁有数据库写权限；不要在这样的工作区上继续发证。',
    { schema: { extra: d.extra, missing: d.missing, changed: d.changed } },
  );
}
