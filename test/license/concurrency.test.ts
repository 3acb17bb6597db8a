/**
 * Two `yiye license issue` processes at once on the same database (the real CLI, spawned twice):
 * every application gets exactly one number and each industry's numbers run 1..n without a gap.
 * Each batch spans three chunks of 500 and meets the industries in the opposite order of the other,
 * so that two batches taking numbers chunk by chunk could not deadlock on each other's sequences.
 */
import fs from 'node:fs';
import path from 'node:path';
import { HEADER, applicationCells, makeApplication } from '../../fixtures/make-license-fixtures';
import { backends } from '../helpers/db';
import { yiye } from '../helpers/cli';
import { licenseWorkspace, tmpDir } from './helpers';

const PER_BATCH = 1_100;
const INDUSTRIES = ['便利店', '超市', '饭店', '书店'];

describe.each(backends())('two concurrent license issue processes on %s', (backend) => {
  it('neither duplicate nor skip a number', async () => {
    const ws = await licenseWorkspace(backend);
    try {
      const dir = tmpDir('conc-');
      const files = ['A', 'B'].map((tag) => path.join(dir, `${tag}.csv`));
      for (const [b, file] of files.entries()) {
        const rows = Array.from({ length: PER_BATCH }, (_, i) => {
          const seed = 50_000 + b * PER_BATCH + i;
          const industry = INDUSTRIES[b === 0 ? i % INDUSTRIES.length : INDUSTRIES.length - 1 - (i % INDUSTRIES.length)];
          return applicationCells({ ...makeApplication(seed, { industry }), applicationNo: `C${b}-${i}` }, i + 1);
        });
        // no cell holds a comma, quote or line break: plain joins make the csv
        fs.writeFileSync(file, '\uFEFF' + [HEADER, ...rows].map((r) => r.join(',')).join('\r\n') + '\r\n');
      }
      const runs = await Promise.all(files.map((f) => yiye(['license', 'issue', f, '--db', ws.url, '--date', '2026-05-01', '--json'])));
      for (const r of runs) {
        expect(r.stderr).toBe('');
        expect(r.code).toBe(0);
        expect(r.json.issued).toHaveLength(PER_BATCH);
      }
      const numbers: string[] = runs.flatMap((r) => r.json.issued.map((i: { number: string }) => i.number));
      expect(new Set(numbers).size).toBe(2 * PER_BATCH);
      const stored = (await ws.db('licenses').pluck('number')) as string[];
      expect(stored.sort()).toEqual([...numbers].sort());
      const byIndustry = new Map<string, number[]>();
      for (const n of stored) {
        const m = /^3101152026(PD-\d\d)(\d{6})$/.exec(n)!;
        byIndustry.set(m[1], [...(byIndustry.get(m[1]) ?? []), Number(m[2])]);
      }
      expect(byIndustry.size).toBe(INDUSTRIES.length);
      for (const seqs of byIndustry.values()) {
        seqs.sort((a, b) => a - b);
        expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
      }
      const seqRows = await ws.db('license_number_seq').select('last_seq');
      expect(seqRows.reduce((s: number, r: { last_seq: number }) => s + Number(r.last_seq), 0)).toBe(2 * PER_BATCH);
    } finally {
      await ws.db.destroy();
    }
  });
});
