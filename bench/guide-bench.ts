/**
 * Guide generation benchmark: every document type in every format for the whole fixture catalog
 * (fixtures/catalog/pudong: 31 industries × 5 types × 3 formats = 465 files).
 *
 *   node dist/bench/guide-bench.js [--runs N]
 *
 * Setup (a fresh SQLite workspace under os.tmpdir() with the catalog imported) is not timed. Each run
 * writes to a new folder; the best and the median of N runs (default 3) are printed, with the time
 * split into Markdown + HTML and Word, files per second and the process's peak RSS. Goal: under 3 s
 * for all 465 files. Printed as PASS/MISS; the exit code is 0 either way: a benchmark measures, it
 * does not assert.
 *
 * The raw baseline, measured in the same run: the bare libraries on the same content, single
 * threaded — the Markdown rendered once by yiye is written back out as .md and as .html with no
 * processing, and given to the `docx` package as one unstyled paragraph per line. It leaves out
 * what yiye adds (reading the catalog, building the model, templating, layout, styles, tables,
 * numbering, the marker) and what it saves (two worker threads for Word).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { importCatalog } from '../src/catalog/service';
import { connect } from '../src/db';
import { Document, Packer, Paragraph } from 'docx';
import { generateGuides } from '../src/guide/service';
import { initWorkspace } from '../src/settings/service';

const GOAL_SECONDS = 3;
const FIXTURES = path.resolve(__dirname, '../../fixtures/catalog/pudong');
const FILES = ['附件1-试点行业清单.xlsx', '附件2-事项目录.xlsx', '附件3-行业事项对应表.csv'].map((f) => path.join(FIXTURES, f));

async function main(): Promise<void> {
  const runsArg = process.argv.indexOf('--runs');
  const runs = runsArg > 0 ? Math.max(1, Number(process.argv[runsArg + 1]) || 3) : 3;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'yiye-guide-bench-'));
  const dbFile = path.join(dir, 'bench.db');
  try {
    await initWorkspace(dbFile, { regionCode: '310115', authorityName: '浦东新区人民政府', licenseNumberPattern: '{region}{year}{industry}{seq:6}' });
    const db = connect(dbFile);
    try {
      await importCatalog(db, FILES, { actor: 'bench' });
      const measure = async (label: string, formats: Array<'md' | 'html' | 'docx'>) => {
        const times: number[] = [];
        let files = 0;
        for (let i = 0; i < runs; i++) {
          const out = path.join(dir, `out-${label}-${i}`);
          const t = performance.now();
          const r = await generateGuides(db, { all: true, formats, out, date: '2021-03-01' });
          times.push((performance.now() - t) / 1000);
          files = r.files.length;
        }
        times.sort((a, b) => a - b);
        return { label, files, best: times[0], median: times[Math.floor(times.length / 2)] };
      };
      const rows = [await measure('md+html', ['md', 'html']), await measure('docx', ['docx']), await measure('all', ['md', 'html', 'docx'])];
      const peakMB = process.resourceUsage().maxRSS / 1024;
      const baseline = await rawBaseline(path.join(dir, 'out-md+html-0'), path.join(dir, 'raw'), runs);
      process.stdout.write(`guide generate --all, ${runs} runs each (seconds)\n`);
      for (const r of rows) {
        process.stdout.write(`  ${r.label.padEnd(8)} ${String(r.files).padStart(4)} files  best ${r.best.toFixed(2)}  median ${r.median.toFixed(2)}  ${Math.round(r.files / r.median).toLocaleString('en').padStart(5)} files/s\n`);
      }
      process.stdout.write(`  raw baseline (same text, bare libraries, one thread): md+html ${baseline.text.toFixed(2)} s, docx ${baseline.docx.toFixed(2)} s, all ${(baseline.text + baseline.docx).toFixed(2)} s\n`);
      const all = rows[2];
      process.stdout.write(`  ratio all / raw baseline: ${(all.median / (baseline.text + baseline.docx)).toFixed(2)}×   peak RSS ${peakMB.toFixed(0)} MB (whole bench process)\n`);
      process.stdout.write(`  goal: all ${all.files} files under ${GOAL_SECONDS} s → ${all.median < GOAL_SECONDS ? 'PASS' : 'MISS'} (median ${all.median.toFixed(2)} s)\n`);
    } finally {
      await db.destroy();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Median seconds of the bare libraries on the Markdown files yiye wrote to `mdRoot`. */
async function rawBaseline(mdRoot: string, out: string, runs: number): Promise<{ text: number; docx: number }> {
  const docs: Array<{ rel: string; text: string }> = [];
  for (const ind of fs.readdirSync(mdRoot)) {
    for (const f of fs.readdirSync(path.join(mdRoot, ind)).filter((n) => n.endsWith('.md'))) {
      docs.push({ rel: path.join(ind, f.slice(0, -3)), text: fs.readFileSync(path.join(mdRoot, ind, f), 'utf8') });
    }
  }
  const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const text: number[] = [];
  const docx: number[] = [];
  for (let i = 0; i < runs; i++) {
    const dir = path.join(out, String(i));
    let t = performance.now();
    for (const d of docs) {
      fs.mkdirSync(path.dirname(path.join(dir, d.rel)), { recursive: true });
      fs.writeFileSync(path.join(dir, `${d.rel}.md`), d.text);
      fs.writeFileSync(path.join(dir, `${d.rel}.html`), `<!doctype html><meta charset="utf-8"><pre>${d.text.replace(/[<&]/g, (c) => (c === '<' ? '&lt;' : '&amp;'))}</pre>`);
    }
    text.push((performance.now() - t) / 1000);
    t = performance.now();
    for (const d of docs) {
      const doc = new Document({ sections: [{ children: d.text.split('\n').map((line) => new Paragraph({ text: line })) }] });
      fs.writeFileSync(path.join(dir, `${d.rel}.docx`), await Packer.toBuffer(doc));
    }
    docx.push((performance.now() - t) / 1000);
  }
  return { text: median(text), docx: median(docx) };
}

main().catch((e) => {
  process.stderr.write(`${e instanceof Error ? e.stack : e}\n`);
  process.exit(1);
});
