import { makeAppendOnly } from '../../audit/chain';
import type { Knex } from 'knex';

/**
 * 行业综合许可证: one `licenses` row per licence (its number, industry, first issue date and current
 * state — other modules read these columns), every issued version in `license_versions` with the
 * items it carries, the signed payload of each version, the gapless number sequence per (year,
 * industry), the batches that issued or changed licences, and an append-only event log.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('license_batches', (t) => {
    t.increments('id');
    t.string('kind', 16).notNullable(); // issue | apply | command
    t.text('file_name');
    t.string('sha256', 64);
    t.string('actor', 100).notNullable();
    t.string('started_at', 32).notNullable();
    t.string('finished_at', 32);
    t.text('counts');
  });

  await knex.schema.createTable('licenses', (t) => {
    t.increments('id');
    t.string('number', 64).notNullable().unique();
    t.integer('industry_id').notNullable().references('industries.id');
    /** 申请编号 of the application that created the licence: re-running a batch finds it. */
    t.string('application_no', 100).notNullable().unique();
    /** First issue (YYYY-MM-DD); a reissued version has its own 制证日期 in license_versions. */
    t.string('issue_date', 10).notNullable();
    t.string('status', 16).notNullable(); // valid | revoked | cancelled | expired | withdrawn
    t.string('status_date', 10);
    t.text('status_reason');
    t.integer('current_version').notNullable();
    // The current version's holder and place, kept here so "already licensed" is one indexed look-up.
    t.string('uscc', 18).notNullable();
    t.string('holder_name', 300).notNullable();
    t.text('premises').notNullable();
    t.text('premises_key').notNullable();
    t.string('valid_until', 10).notNullable();
    t.integer('batch_id').references('license_batches.id');
    t.string('created_at', 32).notNullable();
    t.string('updated_at', 32).notNullable();
    t.index(['industry_id', 'issue_date']);
    t.index(['status', 'valid_until']);
  });
  // One valid licence per holder, industry and premises: a second is a change, not a new licence.
  // Also what keeps two concurrent batches from both licensing the same business.
  await knex.raw(`CREATE UNIQUE INDEX licenses_one_valid ON licenses (uscc, industry_id, premises_key) WHERE status = 'valid'`);

  await knex.schema.createTable('license_versions', (t) => {
    t.increments('id');
    t.integer('license_id').notNullable().references('licenses.id');
    t.integer('version').notNullable();
    t.string('holder_name', 300).notNullable();
    t.string('uscc', 18).notNullable();
    t.string('legal_rep', 100).notNullable();
    t.integer('industry_id').notNullable().references('industries.id');
    t.text('premises').notNullable();
    t.string('authority_name', 200).notNullable();
    /** 制证日期 of this version. */
    t.string('issue_date', 10).notNullable();
    t.string('valid_until', 10).notNullable();
    t.string('superseded_at', 10);
    t.text('payload').notNullable();
    t.string('signature', 100).notNullable();
    t.string('key_id', 32).notNullable();
    t.integer('batch_id').references('license_batches.id');
    t.string('created_at', 32).notNullable();
    t.unique(['license_id', 'version']);
  });

  await knex.schema.createTable('license_items', (t) => {
    t.integer('version_id').notNullable().references('license_versions.id').onDelete('CASCADE');
    t.integer('matter_id').notNullable().references('matters.id');
    t.integer('seq').notNullable();
    /** 单项许可证号 of the permit behind this item, when the approving department gave one. */
    t.string('permit_no', 100);
    /** 有效期至 of that permit (YYYY-MM-DD). */
    t.string('valid_until', 10);
    t.primary(['version_id', 'matter_id']);
  });

  // Last number taken per (year, industry). 0 stands for "any": a pattern without {year} numbers
  // across years, one without {industry} across industries (numbers must stay unique).
  await knex.schema.createTable('license_number_seq', (t) => {
    t.integer('year').notNullable();
    t.integer('industry_id').notNullable();
    t.integer('last_seq').notNullable();
    t.primary(['year', 'industry_id']);
  });

  await knex.schema.createTable('license_events', (t) => {
    t.increments('id');
    t.integer('license_id').notNullable().references('licenses.id');
    t.integer('version').notNullable();
    t.string('event', 16).notNullable(); // issue | change | renew | revoke | cancel | withdraw
    t.string('event_date', 10).notNullable();
    t.string('actor', 100).notNullable();
    t.string('at', 32).notNullable();
    t.text('reason');
    t.text('details'); // JSON: what changed
    t.integer('batch_id').references('license_batches.id');
    t.text('file_name');
    t.string('sheet', 100);
    t.integer('row_number');
    t.string('file_sha256', 64);
    t.index(['license_id']);
    t.index(['file_sha256', 'sheet', 'row_number']);
  });

  await knex.schema.createTable('uscc_exceptions', (t) => {
    t.string('code', 32).primary();
    t.text('reason').notNullable();
    t.string('actor', 100).notNullable();
    t.string('created_at', 32).notNullable();
  });

  // The audit log is append-only in the database itself, not only by convention in the code.
  await makeAppendOnly(knex, 'license_events');
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['uscc_exceptions', 'license_events', 'license_number_seq', 'license_items', 'license_versions', 'licenses', 'license_batches']) {
    await knex.schema.dropTableIfExists(table);
  }
  if (knex.client.config.client === 'pg') await knex.raw('DROP FUNCTION IF EXISTS license_events_append_only()'); // its trigger went with the table
}
