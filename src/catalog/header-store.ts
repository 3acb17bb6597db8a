/**
 * Headers an office taught once: `yiye catalog headers add <header> <field>` stores a header as its
 * departments write it with the catalog field it means; every later import reads it (above the
 * built-in synonyms). `--map 'header=field'` does the same for one run.
 */
import type { Knex } from 'knex';
import { nowIso } from '../db';
import { UsageError } from '../cli/errors';
import { normalizeHeader } from '../text/headers';
import { FIELD_LABEL, FIELDS, fieldNamed, type Field } from './headers';

const SCOPE = 'catalog';

export interface TaughtHeader {
  header: string;
  field: Field;
  label: string;
}

/** A field named by its key or Chinese label, or a usage error listing the fields. */
export function requireField(name: string, where: string): Field {
  const f = fieldNamed(name);
  if (!f) throw new UsageError(`${where}：“${name}”不是目录字段。`, '运行 `yiye catalog headers fields` 查看全部字段名及中文名称。');
  return f;
}

/** `--map '计划发证时间=targetDate'` (or `=落地时限`), repeatable: header → field pairs. */
export function parseMapFlags(maps: string[]): Array<[string, Field]> {
  return maps.map((m) => {
    const at = m.lastIndexOf('=');
    const header = at > 0 ? m.slice(0, at).trim() : '';
    const field = at > 0 ? m.slice(at + 1).trim() : '';
    if (!header || !field) throw new UsageError(`--map “${m}”的格式不对。`, "应写成 --map '表头=字段'，例如 --map '计划发证时间=targetDate'。");
    return [header, requireField(field, `--map “${m}”`)];
  });
}

const keyOf = (header: string) => {
  const h = normalizeHeader(header);
  return h.full || h.bare;
};

/** The stored mappings, oldest first. */
export async function listTaughtHeaders(db: Knex): Promise<TaughtHeader[]> {
  const rows = (await db('header_mappings').where({ scope: SCOPE }).orderBy('id')) as Array<{ header: string; field: string }>;
  return rows.filter((r) => (FIELDS as string[]).includes(r.field)).map((r) => ({ header: r.header, field: r.field as Field, label: FIELD_LABEL[r.field as Field] }));
}

export async function loadTaughtHeaders(db: Knex): Promise<Array<[string, Field]>> {
  return (await listTaughtHeaders(db)).map((t) => [t.header, t.field]);
}

/** Stores (or replaces) what a header means. */
export async function addTaughtHeader(db: Knex, header: string, fieldName: string): Promise<TaughtHeader & { replaced: boolean }> {
  const field = requireField(fieldName, 'catalog headers add');
  const key = keyOf(header);
  if (!key) throw new UsageError('表头不能为空。', "例如：yiye catalog headers add '计划发证时间' targetDate");
  const existing = await db('header_mappings').where({ scope: SCOPE, header_key: key }).first();
  if (existing) await db('header_mappings').where({ id: existing.id }).update({ header: header.trim(), field });
  else await db('header_mappings').insert({ scope: SCOPE, header_key: key, header: header.trim(), field, created_at: nowIso() });
  return { header: header.trim(), field, label: FIELD_LABEL[field], replaced: !!existing };
}

/** Removes a stored mapping; false when there was none. */
export async function removeTaughtHeader(db: Knex, header: string): Promise<boolean> {
  return (await db('header_mappings').where({ scope: SCOPE, header_key: keyOf(header) }).delete()) > 0;
}

/** Every field with its Chinese label and the headers it already understands. */
export function catalogFields(): Array<{ field: Field; label: string }> {
  return FIELDS.map((f) => ({ field: f, label: FIELD_LABEL[f] }));
}
