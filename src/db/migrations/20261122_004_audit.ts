import type { Knex } from 'knex';
import { addChainColumns, backfillChain, dropChainColumns, IMPORT_LOG_CHAIN, LICENSE_EVENTS_CHAIN, makeAppendOnly } from '../../audit/chain';

/**
 * The hash-chained audit log (src/audit/chain.ts): seq, prev_hash and hash on the licence events and
 * the catalog import log, existing rows chained in id order, one head per chain (last seq and hash,
 * optionally signed with the workspace key), and import_log rows frozen once chained.
 */
const isPg = (knex: Knex) => knex.client.config.client === 'pg';

// The append-only triggers of migration 002, lifted while existing events get their chain columns.
async function withEventTriggersLifted(knex: Knex, fn: () => Promise<void>): Promise<void> {
  if (isPg(knex)) {
    await knex.raw('ALTER TABLE license_events DISABLE TRIGGER license_events_no_change');
    await fn();
    await knex.raw('ALTER TABLE license_events ENABLE TRIGGER license_events_no_change');
  } else {
    await knex.raw('DROP TRIGGER IF EXISTS license_events_no_update');
    await knex.raw('DROP TRIGGER IF EXISTS license_events_no_delete');
    await fn();
    await makeAppendOnly(knex, 'license_events'); // on SQLite: the two triggers again
  }
}

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('audit_heads', (t) => {
    t.string('chain', 64).primary();
    t.integer('seq').notNullable();
    t.string('hash', 64).notNullable();
    t.string('updated_at', 32);
    // The signature covers (chain, signed_seq, signed_hash): the chain up to that entry.
    t.integer('signed_seq');
    t.string('signed_hash', 64);
    t.string('signature', 100);
    t.string('key_id', 32);
  });

  await addChainColumns(knex, 'license_events');
  await addChainColumns(knex, 'import_log');
  await withEventTriggersLifted(knex, async () => {
    await backfillChain(knex, LICENSE_EVENTS_CHAIN);
  });
  await backfillChain(knex, IMPORT_LOG_CHAIN);

  // An import's log row is written when it starts and completed when it ends (then chained): from
  // then on it is as append-only as the licence events.
  if (isPg(knex)) {
    await knex.raw(`CREATE FUNCTION audit_sealed_row() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF OLD.hash IS NOT NULL THEN RAISE EXCEPTION '% is append-only: chained entries cannot change', TG_TABLE_NAME; END IF;
        IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
        RETURN NEW;
      END $$`);
    await knex.raw(`CREATE TRIGGER import_log_sealed BEFORE UPDATE OR DELETE ON import_log FOR EACH ROW EXECUTE FUNCTION audit_sealed_row()`);
  } else {
    await knex.raw(`CREATE TRIGGER import_log_sealed_no_update BEFORE UPDATE ON import_log WHEN OLD.hash IS NOT NULL
      BEGIN SELECT RAISE(ABORT, 'import_log is append-only: chained entries cannot change'); END`);
    await knex.raw(`CREATE TRIGGER import_log_sealed_no_delete BEFORE DELETE ON import_log WHEN OLD.hash IS NOT NULL
      BEGIN SELECT RAISE(ABORT, 'import_log is append-only: chained entries cannot change'); END`);
  }
}

export async function down(knex: Knex): Promise<void> {
  if (isPg(knex)) {
    await knex.raw('DROP TRIGGER IF EXISTS import_log_sealed ON import_log');
    await knex.raw('DROP FUNCTION IF EXISTS audit_sealed_row()');
  } else {
    await knex.raw('DROP TRIGGER IF EXISTS import_log_sealed_no_update');
    await knex.raw('DROP TRIGGER IF EXISTS import_log_sealed_no_delete');
  }
  await dropChainColumns(knex, 'import_log');
  await dropChainColumns(knex, 'license_events');
  await knex.schema.dropTableIfExists('audit_heads');
}
