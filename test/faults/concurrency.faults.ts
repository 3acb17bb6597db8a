/**
 * The concurrency suite: four real CLI processes at once on one workspace (one SQLite file, one
 * PostgreSQL database).
 *
 * - `license issue`: four overlapping batches (every application is in two of them, each batch in
 *   its own seeded order and spanning two chunks of 500): every process exits 0 with nothing on
 *   stderr (no SQLITE_BUSY, no serialization error, no stack trace), each application is issued
 *   exactly once — by one process, the others report it as issued before, with the same number —
 *   numbers run 1..n per industry without a gap, and the audit log holds one issue event per licence.
 * - `license apply` and `license change`: four processes changing overlapping licences: every change
 *   is applied once, as its own new version, and logged once.
 */
import path from 'node:path';
import { issueLicenses } from '../../src/license/issue';
import { backends } from '../helpers/db';
import { APPLY_HEADER, issueBatch, ISSUE_INDUSTRIES, prng, writeCsv } from './generate';
import { cloneTemplate, closeAdmin, count, replayHint, rngFor, runCli, scratch, SEED, selected, sqliteIntact, type Run, withDb } from './harness';
import { licenceInvariants, licenceTemplate } from './scenarios';

const PROCESSES = 4;
/** Applications in all; each batch takes 2/PROCESSES of them, so each application is in two batches. */
const POOL = 1200;
const PER_BATCH = (2 * POOL) / PROCESSES;

process.stderr.write(`\n[yiye faults] concurrency suite: seed ${SEED} (YIYE_FAULTS_SEED), ${PROCESSES} processes at once\n`);
const notes: string[] = [];
afterAll(async () => {
  await closeAdmin();
  if (notes.length) process.stderr.write(`\n[yiye faults] concurrency (seed ${SEED}):\n${notes.join('\n')}\n`);
});

function shuffle<T>(list: T[], r: () => number): T[] {
  const out = [...list];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** Every process exited 0 and wrote nothing to stderr (no raw driver error, no stack trace). */
function expectClean(runs: Run[], what: string, scenario: string): void {
  runs.forEach((r, i) => {
    if (r.code !== 0 || r.stderr !== '') {
      throw new Error(`${what}: process ${i + 1} exited ${r.code ?? r.signal}\nstderr: ${r.stderr}\nstdout: ${r.stdout.slice(0, 1500)}\n${replayHint(scenario)}`);
    }
  });
}

describe.each(backends())('concurrency: four processes at once on %s', (backend) => {
  const issueName = `concurrent issue/${backend}`;
  (selected(issueName) ? it : it.skip)('overlapping license issue batches: each application issued exactly once, numbers without gaps', async () => {
    const template = await licenceTemplate(backend);
    const clone = await cloneTemplate(template);
    try {
      const dir = scratch('conc-issue-');
      const r = rngFor('concurrent-issue');
      const base = 5_000_000 + (SEED % 1_000_000) * 7;
      const batches = Array.from({ length: PROCESSES }, (_, b) => {
        // batch b holds pool entries [b·POOL/P, b·POOL/P + PER_BATCH) (mod POOL), in its own order
        const members = shuffle(Array.from({ length: PER_BATCH }, (_, k) => (b * (POOL / PROCESSES) + k) % POOL), r);
        return issueBatch(path.join(dir, `批次${b + 1}.csv`), `C${SEED}`, PER_BATCH, (i) => base + members[i], (i) => ISSUE_INDUSTRIES[(members[i] * 7) % ISSUE_INDUSTRIES.length]);
      });
      const started = Date.now();
      const runs = await Promise.all(batches.map((b) => runCli(['license', 'issue', b.file, '--db', clone.url, '--key-file', template.keyFile, '--date', '2026-05-01', '--json', '--actor', 'faults'])));
      const wallMs = Date.now() - started;
      expectClean(runs, 'concurrent license issue', issueName);

      // each application: issued by exactly one process, reported as existing (same number) by the other
      const issuedBy = new Map<string, { number: string; by: number[] }>();
      const existing = new Map<string, string[]>();
      runs.forEach((run, p) => {
        const json = run.json as { issued: Array<{ applicationNo: string; number: string }>; existing: Array<{ applicationNo: string; number: string }> };
        expect(json.issued.length + json.existing.length).toBe(PER_BATCH);
        for (const i of json.issued) {
          const seen = issuedBy.get(i.applicationNo);
          if (seen) seen.by.push(p);
          else issuedBy.set(i.applicationNo, { number: i.number, by: [p] });
        }
        for (const e of json.existing) existing.set(e.applicationNo, [...(existing.get(e.applicationNo) ?? []), e.number]);
      });
      const twice = [...issuedBy].filter(([, v]) => v.by.length > 1);
      expect(twice).toEqual([]);
      expect(issuedBy.size).toBe(POOL);
      for (const [app, numbers] of existing) expect(numbers.every((n) => n === issuedBy.get(app)?.number)).toBe(true);
      expect(new Set([...issuedBy.values()].map((v) => v.number)).size).toBe(POOL);

      await withDb(clone.url, async (db) => {
        if (backend === 'sqlite') await sqliteIntact(db);
        await licenceInvariants(db); // numbers 1..n per industry, sequence rows agree, one issue event per licence
        const stored = new Map(((await db('licenses').select('application_no', 'number')) as Array<{ application_no: string; number: string }>).map((l) => [l.application_no, l.number]));
        expect(stored.size).toBe(POOL);
        for (const [app, v] of issuedBy) expect(stored.get(app)).toBe(v.number);
        expect(await count(db, 'license_events', (q) => q.where({ event: 'issue' }))).toBe(POOL);
        // a batch is kept only when it issued something (a process whose rows the others all issued keeps none)
        expect(await count(db, 'license_batches', (q) => q.where({ kind: 'issue' }).whereNotNull('finished_at'))).toBe(runs.filter((run) => run.json.issued.length > 0).length);
      });
      const perProcess = runs.map((run, p) => `p${p + 1}: ${run.json.issued.length} issued + ${run.json.existing.length} existing in ${Math.round(run.ms)} ms`).join('; ');
      notes.push(`- license issue on ${backend}: ${PROCESSES} processes, ${PROCESSES} × ${PER_BATCH} rows over ${POOL} applications (each in 2 batches) → ${POOL} licences, 0 duplicates, 0 gaps, wall ${wallMs} ms (${perProcess})`);
    } finally {
      await clone.drop();
    }
  });

  const applyName = `concurrent apply/${backend}`;
  (selected(applyName) ? it : it.skip)('overlapping license apply batches and license change commands: every change applied once, as its own version', async () => {
    const LICENCES = 80;
    const PER_FILE = LICENCES / 2;
    const dir = scratch('conc-apply-');
    let numbers: string[] = [];
    const template = await licenceTemplate(backend, async (db, t) => {
      const issued = issueBatch(path.join(dir, '已发证.csv'), `D${SEED}`, LICENCES, (i) => 7_000_000 + (SEED % 1_000_000) * 7 + i, (i) => ISSUE_INDUSTRIES[i % ISSUE_INDUSTRIES.length]);
      await issueLicenses(db, issued.file, { date: '2026-03-15', keyFile: t.keyFile, actor: 'faults' });
      numbers = (await db('licenses').orderBy('number').pluck('number')) as string[];
    });
    const clone = await cloneTemplate(template);
    try {
      const r = prng(SEED ^ 0x5eed);
      // file b changes the holder name of licences [b·20, b·20 + 40) (mod 80): each licence in two files
      const files = Array.from({ length: PROCESSES }, (_, b) => {
        const members = shuffle(Array.from({ length: PER_FILE }, (_, k) => numbers[(b * (LICENCES / PROCESSES) + k) % LICENCES]), r);
        return writeCsv(path.join(dir, `变更${b + 1}.csv`), APPLY_HEADER, members.map((n) => [n, '变更', `上海并发测试${b + 1}号有限公司`, null, `窗口${b + 1}变更`]));
      });
      // and four `license change` commands on one licence
      const target = numbers[0];
      const started = Date.now();
      const runs = await Promise.all([
        ...files.map((f) => runCli(['license', 'apply', f, '--db', clone.url, '--key-file', template.keyFile, '--date', '2026-06-01', '--json', '--actor', 'faults'])),
        ...Array.from({ length: PROCESSES }, (_, k) =>
          runCli(['license', 'change', target, '--holder', `上海单证并发${k + 1}号有限公司`, '--reason', `窗口${k + 1}`, '--db', clone.url, '--key-file', template.keyFile, '--date', '2026-06-01', '--json', '--actor', 'faults']),
        ),
      ]);
      const wallMs = Date.now() - started;
      expectClean(runs, 'concurrent license apply / change', applyName);
      for (const run of runs.slice(0, PROCESSES)) expect(run.json.applied).toHaveLength(PER_FILE);

      await withDb(clone.url, async (db) => {
        if (backend === 'sqlite') await sqliteIntact(db);
        await licenceInvariants(db); // versions = current_version, one current; one change event per new version
        const changes = PROCESSES * PER_FILE + PROCESSES;
        expect(await count(db, 'license_events', (q) => q.where({ event: 'change' }))).toBe(changes);
        expect(await count(db, 'license_versions')).toBe(LICENCES + changes);
        const versions = (await db('licenses').select('number', 'current_version')) as Array<{ number: string; current_version: number }>;
        for (const l of versions) expect(Number(l.current_version)).toBe(l.number === target ? 3 + PROCESSES : 3);
      });
      notes.push(`- license apply + change on ${backend}: ${PROCESSES} apply processes × ${PER_FILE} changes over ${LICENCES} licences (each in 2 files) and ${PROCESSES} change processes on one licence → ${PROCESSES * PER_FILE + PROCESSES} changes, each one version and one event, wall ${wallMs} ms`);
    } finally {
      await clone.drop();
    }
  });
});
