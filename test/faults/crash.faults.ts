/**
 * The crash suite: each batch command runs as the real CLI on a generated batch and is killed with
 * SIGKILL at seeded moments spread over its whole run — start-up, reading, writing, the commit and
 * the exit. After each kill the workspace must hold none or all of the batch (with every invariant
 * of numbering, versions and the audit log intact, and SQLite's file passing integrity_check);
 * re-running the command must complete the batch exactly as an uninterrupted run does, and a run on
 * the complete batch must change nothing. The kill-point ledger is printed at the end.
 */
import { backends, type Backend } from '../helpers/db';
import { cloneTemplate, closeAdmin, expectOk, JOBS, KILLS, killFractions, ledger, ledgerSummary, median, pool, reference, replayHint, runCli, SEED, selected, writeLedgerFile, type Clone, type State, withDb } from './harness';
import { SCENARIOS, type Prepared, type Scenario } from './scenarios';

process.stderr.write(`\n[yiye faults] crash suite: seed ${SEED} (YIYE_FAULTS_SEED), ${KILLS} kill points per command and backend (YIYE_FAULTS_KILLS), ${JOBS} at a time\n`);

afterAll(async () => {
  await closeAdmin();
  if (ledger.length) process.stderr.write(ledgerSummary() + '\n');
  writeLedgerFile();
});

/** The first place two snapshots differ, or null. */
function difference(a: unknown, b: unknown, at = ''): string | null {
  if (JSON.stringify(a) === JSON.stringify(b)) return null;
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    if (Array.isArray(a) && Array.isArray(b) && a.length !== b.length) return `${at}: ${a.length} rows, expected ${b.length}`;
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
      const d = difference((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${at}.${k}`);
      if (d) return d;
    }
  }
  return `${at}: ${JSON.stringify(a)?.slice(0, 300)} ≠ expected ${JSON.stringify(b)?.slice(0, 300)}`;
}

/**
 * One kill point: a fresh clone, the command killed at `fraction` × the median complete run (or on
 * its first output), the state it left, the re-run, and the run that must change nothing.
 * `completeRuns` collects the durations of complete runs (the re-runs that did the whole batch).
 */
async function killPoint(p: Prepared, name: string, sc: Scenario, backend: Backend, point: number, fraction: number | 'stdout', completeRuns: number[], expected: unknown): Promise<void> {
  const clone: Clone = await cloneTemplate(p.template);
  const args = p.args(clone.url);
  let step = 'killed run';
  let killAtMs = fraction === 'stdout' ? NaN : fraction * median(completeRuns);
  try {
    const killedRun = await runCli(args, fraction === 'stdout' ? { killOnStdout: true } : { killAtMs });
    if (fraction === 'stdout') killAtMs = killedRun.ms;
    if (!killedRun.killed) expectOk(killedRun, 'a run that finished before its kill time');
    step = 'state after the kill';
    const state: State = await withDb(clone.url, (db) => p.state(db));
    if (!killedRun.killed && state !== 'all') throw new Error(`the run exited 0 but the workspace holds ${state} of the batch`);
    if (fraction === 'stdout' && state !== 'all') throw new Error('the run had written its result (after the commit) but the workspace holds none of the batch');

    step = 're-run';
    const rerun = await runCli(args);
    expectOk(rerun, 'the re-run');
    if (state === 'none') completeRuns.push(rerun.ms);
    step = 'state after the re-run';
    const after = await withDb(clone.url, async (db) => {
      if ((await p.state(db)) !== 'all') throw new Error('the re-run did not complete the batch');
      return p.snapshot(db);
    });
    const diff = difference(after, expected);
    if (diff) throw new Error(`the re-run's result differs from an uninterrupted run's at ${diff}`);

    // A run on the complete batch must change nothing. When the kill left all of the batch, the
    // re-run above was that run; otherwise a third run is.
    let thirdRun = false;
    if (state === 'all') {
      step = 're-run of a complete batch';
      p.idle(rerun);
    } else {
      step = 'third run';
      thirdRun = true;
      const third = await runCli(args);
      expectOk(third, 'the third run');
      p.idle(third);
      const diff3 = difference(await withDb(clone.url, (db) => p.snapshot(db)), expected);
      if (diff3) throw new Error(`the third run changed the workspace at ${diff3}`);
    }
    ledger.push({ scenario: name, command: sc.command, backend, point, trigger: fraction === 'stdout' ? 'stdout' : 'time', killAtMs, outcome: killedRun.killed ? 'killed' : 'exited', runMs: killedRun.ms, state, rerunMs: rerun.ms, thirdRun });
  } catch (err) {
    const e = err as Error;
    e.message = `${name}, kill point ${point} ${fraction === 'stdout' ? 'on its first output' : `at ${Math.round(killAtMs)} ms`} (${step}): ${e.message}\n${replayHint(name)}`;
    throw e;
  } finally {
    await clone.drop();
  }
}

describe.each(backends())('crash: SIGKILL at seeded moments on %s', (backend) => {
  for (const sc of SCENARIOS) {
    const name = `${sc.command}/${backend}`;
    (selected(name) ? it : it.skip)(`${sc.command}: every kill leaves none or all of the batch; a re-run completes it`, async () => {
      const p = await sc.prepare(backend);
      // The uninterrupted run, timed as the kill points will run (JOBS at once), and its result.
      const refs = await pool(
        JOBS,
        Array.from({ length: JOBS }, () => async () => {
          const clone = await cloneTemplate(p.template);
          try {
            const r = await runCli(p.args(clone.url));
            expectOk(r, `${name}: the uninterrupted run`);
            return { ms: r.ms, snapshot: await withDb(clone.url, async (db) => ((await p.state(db)) === 'all' ? p.snapshot(db) : null)) };
          } finally {
            await clone.drop();
          }
        }),
      );
      const expected = refs[0].snapshot;
      expect(expected).not.toBeNull();
      for (const r of refs.slice(1)) expect(difference(r.snapshot, expected)).toBeNull();
      const completeRuns = refs.map((r) => r.ms);
      reference.set(name, median(completeRuns));
      const fractions: Array<number | 'stdout'> = [...killFractions(name, KILLS), 'stdout'];
      await pool(JOBS, fractions.map((f, k) => () => killPoint(p, name, sc, backend, k + 1, f, completeRuns, expected)));
      expect(ledger.filter((e) => e.scenario === name)).toHaveLength(KILLS + 1);
    });
  }
});
