/**
 * Summarises a V8 .cpuprofile (from `node --cpu-prof`): self time by function, self time by where
 * the code lives (a package, a yiye source file, node internals, GC, idle), and inclusive time of
 * the functions that own most of the run.
 *
 *   node dist/bench/profile-summary.js some.cpuprofile [top]
 *
 * Idle time on the main thread is time spent waiting: SQLite statements run on libuv's thread pool,
 * file reads too, so a busy database shows up here as "(idle)".
 */
import fs from 'node:fs';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

/** Where a frame's code lives: "pkg:knex", "yiye:src/catalog/writer.ts", "node", or a V8 pseudo-frame. */
export function area(url: string, fn: string): string {
  if (!url) return fn.startsWith('(') ? fn : '(native)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return `pkg:${pkg[1]}`;
  if (url.startsWith('node:')) return 'node';
  const own = /\/dist\/(.+)\.js$/.exec(url);
  if (own) return `yiye:${own[1]}.ts`;
  return url.replace(/^file:\/\//, '');
}

function label(f: CallFrame): string {
  const where = area(f.url, f.functionName);
  const file = f.url ? f.url.replace(/^.*\/(node_modules\/|dist\/)/, '').replace(/^file:\/\//, '') : '';
  return `${f.functionName || '(anonymous)'} ${file ? `${file}:${f.lineNumber + 1}` : where}`;
}

export interface Summary {
  totalMs: number;
  self: Array<[string, number]>;
  areas: Array<[string, number]>;
  inclusive: Array<[string, number]>;
}

export function summarise(profile: CpuProfile, top = 25): Summary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const selfNode = new Map<number, number>();
  let total = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const dt = (profile.timeDeltas[i] ?? 0) / 1000;
    total += dt;
    selfNode.set(profile.samples[i], (selfNode.get(profile.samples[i]) ?? 0) + dt);
  }
  const self = new Map<string, number>();
  const areas = new Map<string, number>();
  const inclusive = new Map<string, number>();
  for (const [id, ms] of selfNode) {
    const f = byId.get(id)!.callFrame;
    self.set(label(f), (self.get(label(f)) ?? 0) + ms);
    const a = area(f.url, f.functionName);
    areas.set(a, (areas.get(a) ?? 0) + ms);
    // each function once per stack, so recursion is not counted twice
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const cf = byId.get(cur)!.callFrame;
      if (!cf.url) continue;
      const l = label(cf);
      if (seen.has(l)) continue;
      seen.add(l);
      inclusive.set(l, (inclusive.get(l) ?? 0) + ms);
    }
  }
  const sorted = (m: Map<string, number>, n: number) => [...m.entries()].sort((a, b) => b[1] - a[1]).slice(0, n);
  return { totalMs: total, self: sorted(self, top), areas: sorted(areas, top), inclusive: sorted(inclusive, top) };
}

export function formatSummary(s: Summary): string {
  const pct = (ms: number) => `${((100 * ms) / s.totalMs).toFixed(1).padStart(5)}%`;
  const lines = (title: string, rows: Array<[string, number]>) => [title, ...rows.map(([k, ms]) => `  ${pct(ms)} ${(ms / 1000).toFixed(2).padStart(7)} s  ${k}`)];
  return [
    `profile: ${(s.totalMs / 1000).toFixed(2)} s sampled`,
    ...lines('self time by area:', s.areas),
    ...lines('self time by function:', s.self),
    ...lines('inclusive time (own code and packages):', s.inclusive.filter(([k]) => !/^\(/.test(k))),
  ].join('\n');
}

if (require.main === module) {
  const file = process.argv[2];
  if (!file) {
    process.stderr.write('usage: node dist/bench/profile-summary.js <file.cpuprofile> [top]\n');
    process.exit(2);
  }
  const top = Number(process.argv[3] ?? 25);
  process.stdout.write(formatSummary(summarise(JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile, top)) + '\n');
}
