import type { Knex } from 'knex';
import { addChainColumns, backfillChain, dropChainColumns, TASK_UPDATES_CHAIN } from '../../audit/chain';

/**
 * The reform tasks' history joins the hash-chained audit log: seq, prev_hash and hash on
 * task_updates, existing entries chained in id order, and the table append-only from now on (as
 * the licence events are), so an edited or deleted progress record is caught by `yiye audit verify`.
 */
const isPg = (knex: Knex) => knex.client.config.client === 'pg';

export async function up(knex: Knex): Promise<void> {
  await addChainColumns(knex, 'task_updates');
  await backfillChain(knex, TASK_UPDATES_CHAIN);
  if (isPg(knex)) {
    await knex.raw(`CREATE FUNCTION task_updates_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'task_updates is append-only'; END $$`);
    await knex.raw(`CREATE TRIGGER task_updates_no_change BEFORE UPDATE OR DELETE ON task_updates
      FOR EACH ROW EXECUTE FUNCTION task_updates_append_only()`);
  } else {
    await knex.raw(`CREATE TRIGGER task_updates_no_update BEFORE UPDATE ON task_updates
      BEGIN SELECT RAISE(ABORT, 'task_updates is append-only'); END`);
    await knex.raw(`CREATE TRIGGER task_updates_no_delete BEFORE DELETE ON task_updates
      BEGIN SELECT RAISE(ABORT, 'task_updates is append-only'); END`);
  }
}

export async function down(knex: Knex): Promise<void> {
  if (isPg(knex)) {
    await knex.raw('DROP TRIGGER IF EXISTS task_updates_no_change ON task_updates');
    await knex.raw('DROP FUNCTION IF EXISTS task_updates_append_only()');
  } else {
    await knex.raw('DROP TRIGGER IF EXISTS task_updates_no_update');
    await knex.raw('DROP TRIGGER IF EXISTS task_updates_no_delete');
  }
  await dropChainColumns(knex, 'task_updates');
  await knex('audit_heads').where({ chain: TASK_UPDATES_CHAIN.name }).delete();
}
