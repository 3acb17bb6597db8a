import type { Knex } from 'knex';
import { addChainColumns, backfillChain, dropAppendOnly, dropChainColumns, makeAppendOnly, TASK_UPDATES_CHAIN } from '../../audit/chain';

/**
 * The reform tasks' history joins the hash-chained audit log: seq, prev_hash and hash on
 * task_updates, existing entries chained in id order, and the table append-only from now on (as
 * the licence events are), so an edited or deleted progress record is caught by `yiye audit verify`.
 */
export async function up(knex: Knex): Promise<void> {
  await addChainColumns(knex, 'task_updates');
  await backfillChain(knex, TASK_UPDATES_CHAIN);
  await makeAppendOnly(knex, 'task_updates');
}

export async function down(knex: Knex): Promise<void> {
  await dropAppendOnly(knex, 'task_updates');
  await dropChainColumns(knex, 'task_updates');
  await knex('audit_heads').where({ chain: TASK_UPDATES_CHAIN.name }).delete();
}
