/**
 * The field corpus (fixtures/catalog/field/, issue 12 item 7): spreadsheets in the layouts
 * departments send, each with a hand-checked `.expected.json` written by someone who had not read
 * the importer. Each is imported with its `with` files through the real CLI (`bin/run.js`) into an
 * empty catalog on SQLite and PostgreSQL and compared with its truth; a score line is printed.
 */
import fs from 'node:fs';
import path from 'node:path';
import { backends, freshDbUrl } from '../helpers/db';
import { yiye } from '../helpers/cli';
import { connect, type Db } from '../../src/db';
import { listIndustries, listMatters, showIndustry } from '../../src/catalog/service';

jest.setTimeout(600_000);

const FIELD = path.resolve(__dirname, '../../fixtures/catalog/field');
const INIT = ['--region', '310115', '--authority', '浦东新区人民政府'];

interface Expected {
  description: string;
  with: string[];
  outcome: 'ok' | 'rejected';
  exitCode: number;
  counts?: { industries: number; matters: number; links: number; materials: number };
  unmappedHeaders: string[];
  rejectedCells?: Array<{ sheet: string; row: number; column: string }>;
  industries?: Array<Record<string, unknown> & { name: string }>;
  matters?: Array<Record<string, unknown> & { name: string; materials?: string[] }>;
  links?: Array<{ industry: string; matter: string; mandatory: boolean; condition: string | null }>;
}

const CASES = fs.existsSync(FIELD)
  ? fs
      .readdirSync(FIELD)
      .filter((f) => f.endsWith('.expected.json'))
      .sort()
      .map((f) => ({ file: f.replace(/\.expected\.json$/, ''), expected: JSON.parse(fs.readFileSync(path.join(FIELD, f), 'utf8')) as Expected }))
      .map((c) => ({ ...c, file: fs.readdirSync(FIELD).find((x) => x.startsWith(c.file) && !x.endsWith('.json'))! }))
  : [];

/** Header text compared without blanks (a line break inside the cell is not part of the name). */
const squash = (s: string) => s.replace(/\s+/g, '');

/** Every difference between what the catalog holds and the truth, as readable lines (empty = match). */
async function compare(db: Db, exp: Expected, run: { code: number; json: any }, file: string): Promise<string[]> {
  const out: string[] = [];
  if (run.code !== exp.exitCode) out.push(`exit ${run.code}, expected ${exp.exitCode}: ${JSON.stringify(run.json?.error?.message ?? '').slice(0, 300)}`);
  if (exp.outcome === 'rejected') {
    const cells = ((run.json?.error?.errors ?? []) as Array<{ sheet: string; row: number; columnLetter: string }>).map((e) => ({ sheet: e.sheet, row: e.row, column: e.columnLetter }));
    for (const c of exp.rejectedCells ?? []) if (!cells.some((x) => x.sheet === c.sheet && x.row === c.row && x.column === c.column)) out.push(`rejected cell ${c.sheet}!${c.column}${c.row} not reported (got ${JSON.stringify(cells)})`);
    if (cells.length !== (exp.rejectedCells ?? []).length) out.push(`rejected cells: ${JSON.stringify(cells)}, expected ${JSON.stringify(exp.rejectedCells)}`);
    return out;
  }
  if (run.code !== 0) return out;
  const unmapped = ((run.json.unmappedColumns ?? []) as Array<{ file: string; header: string }>).filter((u) => u.file === file).map((u) => squash(u.header));
  const want = exp.unmappedHeaders.map(squash);
  const missing = want.filter((h) => !unmapped.includes(h));
  const extra = unmapped.filter((h) => !want.includes(h));
  if (missing.length || extra.length) out.push(`unmapped headers: missing ${JSON.stringify(missing)}, extra ${JSON.stringify(extra)}`);

  const industries = await listIndustries(db);
  const matters = await listMatters(db);
  if (exp.counts) {
    const got = {
      industries: industries.length,
      matters: matters.length,
      links: industries.reduce((n, i) => n + i.matterCount, 0),
      materials: matters.reduce((n, m) => n + m.materials.length, 0),
    };
    if (JSON.stringify(got) !== JSON.stringify(exp.counts)) out.push(`counts ${JSON.stringify(got)}, expected ${JSON.stringify(exp.counts)}`);
  }
  for (const e of exp.industries ?? []) {
    const i = industries.find((x) => x.name === e.name) as unknown as Record<string, unknown> | undefined;
    if (!i) {
      out.push(`industry ${e.name} missing`);
      continue;
    }
    for (const [k, v] of Object.entries(e)) {
      if (k === 'code' && v === null) {
        if (!i.code) out.push(`industry ${e.name}: no assigned code`);
      } else if (JSON.stringify(i[k]) !== JSON.stringify(v)) out.push(`industry ${e.name}.${k} = ${JSON.stringify(i[k])}, expected ${JSON.stringify(v)}`);
    }
  }
  for (const e of exp.matters ?? []) {
    const m = matters.find((x) => x.name === e.name) as unknown as Record<string, unknown> | undefined;
    if (!m) {
      out.push(`matter ${e.name} missing`);
      continue;
    }
    for (const [k, v] of Object.entries(e)) if (JSON.stringify(m[k]) !== JSON.stringify(v)) out.push(`matter ${e.name}.${k} = ${JSON.stringify(m[k])}, expected ${JSON.stringify(v)}`);
  }
  const shown = new Map<string, Awaited<ReturnType<typeof showIndustry>> | null>();
  for (const l of exp.links ?? []) {
    if (!shown.has(l.industry)) shown.set(l.industry, await showIndustry(db, l.industry).catch(() => null));
    const d = shown.get(l.industry);
    const link = d?.matters.find((x) => x.matter.name === l.matter);
    if (!link) out.push(`link ${l.industry} → ${l.matter} missing`);
    else if (link.mandatory !== l.mandatory || link.condition !== l.condition) out.push(`link ${l.industry} → ${l.matter} = ${link.mandatory}/${link.condition}, expected ${l.mandatory}/${l.condition}`);
  }
  return out;
}

describe.each(backends())('field corpus on %s', (backend) => {
  const results: Array<{ file: string; problems: string[] }> = [];
  afterAll(() => {
    if (results.length === 0) return;
    const ok = results.filter((r) => r.problems.length === 0).length;
    const lines = results.filter((r) => r.problems.length).map((r) => `  ${r.file}:\n${r.problems.map((p) => `    - ${p}`).join('\n')}`);
    // the score line (issue 12): how many corpus files import exactly as their truth says
    console.log(`field corpus score on ${backend}: ${ok}/${results.length} files match their expected.json${lines.length ? `\n${lines.join('\n')}` : ''}`);
  });

  it('has the corpus', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(12);
  });

  it.each(CASES.map((c) => [c.file, c] as const))('%s', async (_name, c) => {
    const url = await freshDbUrl(backend);
    expect((await yiye(['init', '--db', url, ...INIT])).code).toBe(0);
    const files = [...c.expected.with, c.file].map((f) => path.join(FIELD, f));
    const run = await yiye(['catalog', 'import', ...files, '--db', url, '--json']);
    const db = connect(url);
    try {
      const problems = await compare(db, c.expected, run, c.file);
      results.push({ file: c.file, problems });
      expect(problems).toEqual([]);
    } finally {
      await db.destroy();
    }
  });
});
