/**
 * The four batch commands of the crash suite, each as: a template workspace, a generated batch, the
 * command line, the check of what a killed run left (none of the batch or all of it, and the
 * invariants that hold either way), a snapshot to compare complete runs by, and the check that a run
 * on a complete batch reported nothing new.
 */
import path from 'node:path';
import type { Knex } from 'knex';
import type { Db } from '../../src/db';
import { importCatalog } from '../../src/catalog/service';
import { issueLicenses } from '../../src/license/issue';
import { importTasks } from '../../src/progress/service';
import type { Backend } from '../helpers/db';
import { applyBatch, catalogBatch, pudongCatalog, issueBatch, ISSUE_INDUSTRIES, progressReturn, taskLedger } from './generate';
import { count, makeTemplate, rowsOf, scratch, SEED, sqliteIntact, type Run, type State, type Template } from './harness';

export interface Prepared {
  template: Template;
  /** The command line for a workspace cloned from the template. */
  args(url: string): string[];
  /** What a (killed or finished) run left: throws when it is neither none nor all of the batch, or breaks an invariant. */
  state(db: Db): Promise<State>;
  /** The data the batch is about, comparable between runs. */
  snapshot(db: Db): Promise<unknown>;
  /** Throws unless the run's JSON says it found the batch complete and wrote nothing new. */
  idle(r: Run): void;
}

export interface Scenario {
  command: string;
  /** Batch size: chosen so that one uninterrupted run takes about 1–2 s on a loaded 2-core machine. */
  size: number;
  prepare(backend: Backend): Promise<Prepared>;
}

class Broken extends Error {}
function fail(message: string): never {
  throw new Broken(message);
}

async function common(db: Db): Promise<void> {
  if (db.client.config.client !== 'pg') await sqliteIntact(db);
}

/** none when every count is 0, all when every count is its full size; anything else is a partial batch. */
function noneOrAll(what: Record<string, [number, number]>): State {
  const entries = Object.entries(what);
  if (entries.every(([, [n]]) => n === 0)) return 'none';
  if (entries.every(([, [n, full]]) => n === full)) return 'all';
  return fail(`partial batch: ${entries.map(([k, [n, full]]) => `${k} ${n}/${full}`).join(', ')}`);
}

const commonOpts = ['--actor', 'faults', '--json'];

// ------------------------------------------------------------------ catalog import

export const catalogImport: Scenario = {
  command: 'catalog import',
  size: 300,
  async prepare(backend) {
    const template = await makeTemplate(backend, async () => undefined);
    const batch = catalogBatch(scratch('catalog-batch-'), SEED, this.size);
    return {
      template,
      args: (url) => ['catalog', 'import', ...batch.files, '--db', url, ...commonOpts],
      async state(db) {
        await common(db);
        const state = noneOrAll({
          industries: [await count(db, 'industries'), batch.industries],
          matters: [await count(db, 'matters'), batch.matters],
          links: [await count(db, 'industry_matters'), batch.links],
          materials: [await count(db, 'materials'), batch.materials],
        });
        // import_log: one 成功 row per file per committed import, nothing else (no 进行中 left behind)
        const log = (await db('import_log').select('status')) as Array<{ status: string }>;
        const odd = log.filter((l) => l.status !== '成功');
        if (odd.length) fail(`import_log holds ${odd.length} rows with status ${[...new Set(odd.map((l) => l.status))].join('/')}`);
        if (log.length % batch.files.length !== 0) fail(`import_log holds ${log.length} rows for imports of ${batch.files.length} files`);
        if ((log.length > 0) !== (state === 'all')) fail(`import_log says ${log.length ? 'committed' : 'nothing'} but the catalog holds ${state} of the batch`);
        if (state === 'none' && (await count(db, 'departments'))) fail('departments written without the catalog');
        return state;
      },
      async snapshot(db) {
        return {
          industries: await rowsOf(db, 'industries'),
          matters: await rowsOf(db, 'matters'),
          materials: await rowsOf(db, 'materials'),
          departments: await rowsOf(db, 'departments'),
          links: (
            await db('industry_matters as l')
              .join('industries as i', 'i.id', 'l.industry_id')
              .join('matters as m', 'm.id', 'l.matter_id')
              .select('i.name as industry', 'm.code as matter', 'l.condition', 'l.seq')
          )
            .map((r: unknown) => JSON.stringify(r))
            .sort(),
        };
      },
      idle(r) {
        if (!r.json?.committed || !r.json?.noChange) fail(`a re-import of the complete batch changed the catalog: ${JSON.stringify(r.json).slice(0, 500)}`);
      },
    };
  },
};

// ------------------------------------------------------------------ license issue

/** Licences, versions, items, issue events, numbering and batches: the invariants any state must keep. */
export async function licenceInvariants(db: Knex): Promise<void> {
  const licences = (await db('licenses as l').join('industries as i', 'i.id', 'l.industry_id').select('l.id', 'l.number', 'l.industry_id', 'l.issue_date', 'l.current_version', 'l.status', 'i.code')) as Array<{
    id: number;
    number: string;
    industry_id: number;
    issue_date: string;
    current_version: number;
    status: string;
    code: string;
  }>;
  // numbers: per (year, industry) 1..n without a gap or a repeat, and the sequence row agrees
  const bySeq = new Map<string, number[]>();
  for (const l of licences) {
    const m = /^310115(\d{4})(.+)(\d{6})$/.exec(l.number);
    if (!m || m[2] !== l.code) fail(`licence number ${l.number} does not follow the pattern for industry ${l.code}`);
    const key = `${m[1]}:${l.industry_id}`;
    bySeq.set(key, [...(bySeq.get(key) ?? []), Number(m[3])]);
  }
  const seqRows = (await db('license_number_seq').select('year', 'industry_id', 'last_seq')) as Array<{ year: number; industry_id: number; last_seq: number | string }>;
  const seqOf = new Map(seqRows.map((r) => [`${r.year}:${r.industry_id}`, Number(r.last_seq)]));
  for (const [key, seqs] of bySeq) {
    seqs.sort((a, b) => a - b);
    const bad = seqs.findIndex((s, i) => s !== i + 1);
    if (bad >= 0) fail(`numbers of ${key} are not 1..${seqs.length}: at position ${bad + 1} found ${seqs[bad]}${seqs[bad] === seqs[bad - 1] ? ' (duplicate)' : ' (gap)'}`);
    if (seqOf.get(key) !== seqs.length) fail(`license_number_seq ${key} says ${seqOf.get(key)}, ${seqs.length} licences hold numbers`);
  }
  for (const [key, last] of seqOf) if (last !== 0 && !bySeq.has(key)) fail(`license_number_seq ${key} says ${last} but no licence holds a number of it`);

  // versions: current_version of them, exactly one current (not superseded), and it is the last
  const versions = (await db('license_versions').select('license_id', 'version', 'superseded_at')) as Array<{ license_id: number; version: number; superseded_at: string | null }>;
  const vOf = new Map<number, Array<{ version: number; superseded_at: string | null }>>();
  for (const v of versions) vOf.set(v.license_id, [...(vOf.get(v.license_id) ?? []), v]);
  if (vOf.size !== licences.length) fail(`${vOf.size} licences have versions, ${licences.length} licences exist`);
  // events: one issue event per licence, one change/renew event per later version, one ending event per ended licence
  const events = (await db('license_events').select('license_id', 'event', 'version')) as Array<{ license_id: number; event: string; version: number }>;
  const eOf = new Map<number, string[]>();
  for (const e of events) eOf.set(e.license_id, [...(eOf.get(e.license_id) ?? []), e.event]);
  for (const l of licences) {
    const vs = vOf.get(l.id) ?? [];
    const current = vs.filter((v) => v.superseded_at === null);
    if (vs.length !== Number(l.current_version) || current.length !== 1 || Number(current[0].version) !== Number(l.current_version)) {
      fail(`licence ${l.number}: current_version ${l.current_version}, versions ${vs.map((v) => `${v.version}${v.superseded_at ? '' : '*'}`).join(',')}`);
    }
    const es = eOf.get(l.id) ?? [];
    const issues = es.filter((e) => e === 'issue').length;
    const newVersions = es.filter((e) => e === 'change' || e === 'renew').length;
    const endings = es.filter((e) => e === 'cancel' || e === 'revoke' || e === 'withdraw').length;
    if (issues !== 1 || newVersions !== vs.length - 1 || endings !== (l.status === 'valid' ? 0 : 1)) {
      fail(`licence ${l.number} (${l.status}, ${vs.length} versions) has events ${es.join(',') || 'none'}`);
    }
  }
  if (events.some((e) => !vOf.has(e.license_id))) fail('an event names a licence that does not exist');
  // batches: none left unfinished (each is written inside its transaction)
  const open = await count(db, 'license_batches', (q) => q.whereNull('finished_at'));
  if (open) fail(`${open} licence batches were started and never finished`);
}

export async function licenceTemplate(backend: Backend, extra?: (db: Db, t: Template) => Promise<void>): Promise<Template> {
  return makeTemplate(backend, async (db, t) => {
    await importCatalog(db, pudongCatalog(scratch('pudong-')), { actor: 'faults' });
    await extra?.(db, t);
  });
}

export const licenseIssue: Scenario = {
  command: 'license issue',
  size: 600,
  async prepare(backend) {
    const template = await licenceTemplate(backend);
    const batch = issueBatch(path.join(scratch('issue-batch-'), '发证申请.csv'), `F${SEED}`, this.size, (i) => 1_000_000 + (SEED % 1_000_000) * 7 + i, (i) => ISSUE_INDUSTRIES[i % ISSUE_INDUSTRIES.length]);
    return {
      template,
      args: (url) => ['license', 'issue', batch.file, '--db', url, '--key-file', template.keyFile, '--date', '2026-05-01', ...commonOpts],
      async state(db) {
        await common(db);
        await licenceInvariants(db);
        const state = noneOrAll({
          licences: [await count(db, 'licenses'), batch.applicationNos.length],
          versions: [await count(db, 'license_versions'), batch.applicationNos.length],
          items: [await count(db, 'license_items'), batch.items],
          'issue events': [await count(db, 'license_events', (q) => q.where({ event: 'issue' })), batch.applicationNos.length],
        });
        const finished = await count(db, 'license_batches', (q) => q.where({ kind: 'issue' }));
        if ((finished > 0) !== (state === 'all')) fail(`${finished} finished issue batches, the register holds ${state} of the batch`);
        return state;
      },
      snapshot: licenceSnapshot,
      idle(r) {
        if (r.json?.issued?.length !== 0 || r.json?.existing?.length !== batch.applicationNos.length) {
          fail(`a re-run of the complete batch issued ${r.json?.issued?.length} and found ${r.json?.existing?.length} existing`);
        }
      },
    };
  },
};

async function licenceSnapshot(db: Db): Promise<unknown> {
  return {
    licences: await rowsOf(db, 'licenses'),
    versions: await rowsOf(db, 'license_versions'),
    items: await count(db, 'license_items'),
    events: (await db('license_events as e').join('licenses as l', 'l.id', 'e.license_id').select('l.number', 'e.event', 'e.version', 'e.reason', 'e.details', 'e.sheet', 'e.row_number'))
      .map((r: unknown) => JSON.stringify(r))
      .sort(),
    seq: (await db('license_number_seq as s').join('industries as i', 'i.id', 's.industry_id').select('s.year', 'i.code', 's.last_seq')).map((r: unknown) => JSON.stringify(r)).sort(),
  };
}

// ------------------------------------------------------------------ license apply

export const licenseApply: Scenario = {
  command: 'license apply',
  size: 120,
  async prepare(backend) {
    const dir = scratch('apply-batch-');
    let batch!: ReturnType<typeof applyBatch>;
    const template = await licenceTemplate(backend, async (db, t) => {
      const issued = issueBatch(path.join(dir, '已发证.csv'), `A${SEED}`, this.size, (i) => 3_000_000 + (SEED % 1_000_000) * 7 + i, (i) => ISSUE_INDUSTRIES[i % ISSUE_INDUSTRIES.length]);
      await issueLicenses(db, issued.file, { date: '2026-03-15', keyFile: t.keyFile, actor: 'faults' });
      batch = applyBatch(path.join(dir, '变更延续注销.csv'), SEED, (await db('licenses').orderBy('number').pluck('number')) as string[]);
    });
    return {
      template,
      args: (url) => ['license', 'apply', batch.file, '--db', url, '--key-file', template.keyFile, '--date', '2026-06-01', ...commonOpts],
      async state(db) {
        await common(db);
        await licenceInvariants(db);
        const state = noneOrAll({
          'change events': [await count(db, 'license_events', (q) => q.where({ event: 'change' })), batch.changes],
          'renew events': [await count(db, 'license_events', (q) => q.where({ event: 'renew' })), batch.renewals],
          'cancel events': [await count(db, 'license_events', (q) => q.where({ event: 'cancel' })), batch.cancellations],
          'new versions': [(await count(db, 'license_versions')) - batch.rows, batch.changes + batch.renewals],
          cancelled: [await count(db, 'licenses', (q) => q.where({ status: 'cancelled' })), batch.cancellations],
        });
        const finished = await count(db, 'license_batches', (q) => q.where({ kind: 'apply' }));
        if ((finished > 0) !== (state === 'all')) fail(`${finished} finished apply batches, the register holds ${state} of the batch`);
        return state;
      },
      snapshot: licenceSnapshot,
      idle(r) {
        if (r.json?.applied?.length !== 0 || r.json?.existing?.length !== batch.rows) fail(`a re-run of the complete batch applied ${r.json?.applied?.length} and found ${r.json?.existing?.length} done`);
      },
    };
  },
};

// ------------------------------------------------------------------ tasks update

export const tasksUpdate: Scenario = {
  command: 'tasks update',
  size: 400,
  async prepare(backend) {
    const dir = scratch('tasks-batch-');
    let codes: string[] = [];
    const template = await makeTemplate(backend, async (db) => {
      const ledger = path.join(dir, '任务台账.csv');
      codes = taskLedger(ledger, this.size);
      await importTasks(db, ledger, { plan: '故障测试台账', actor: 'faults' });
    });
    const batch = progressReturn(path.join(dir, '进展反馈.csv'), SEED, codes);
    return {
      template,
      args: (url) => ['tasks', 'update', batch.file, '--db', url, ...commonOpts],
      async state(db) {
        await common(db);
        const state = noneOrAll({
          'progress updates': [await count(db, 'task_updates', (q) => q.where({ action: 'progress' })), batch.rows],
          'tasks moved on': [await count(db, 'tasks', (q) => q.whereNot({ status: '未启动' })), batch.rows],
          'tasks done': [await count(db, 'tasks', (q) => q.where({ status: '已完成' }).whereNotNull('completed_on')), batch.done],
        });
        // the history names each change once: one progress entry per task at most
        const twice = (await db('task_updates').where({ action: 'progress' }).groupBy('task_id').havingRaw('count(*) > 1').select('task_id')) as unknown[];
        if (twice.length) fail(`${twice.length} tasks have more than one progress entry for one return`);
        return state;
      },
      async snapshot(db) {
        return { tasks: await rowsOf(db, 'tasks'), updates: await rowsOf(db, 'task_updates') };
      },
      idle(r) {
        if (r.json?.updated !== 0 || !r.json?.noChange) fail(`a re-run of the complete return updated ${r.json?.updated} tasks`);
      },
    };
  },
};

export const SCENARIOS: Scenario[] = [catalogImport, licenseIssue, licenseApply, tasksUpdate];
