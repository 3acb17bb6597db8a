/**
 * Appends to one chain from several processes at once (the real CLI): a licence batch issuing while
 * licences are revoked and changed. Each writer locks the chain's head in its transaction, so the
 * chain comes out whole — every event exactly once, seq 1..n, links and head intact.
 */
import fs from 'node:fs';
import path from 'node:path';
import { HEADER, applicationCells, makeApplication } from '../../fixtures/make-license-fixtures';
import { issueLicenses } from '../../src/license/issue';
import { verifyAudit } from '../../src/audit/service';
import { backends } from '../helpers/db';
import { yiye } from '../helpers/cli';
import { BATCH1, licenseWorkspace, tmpDir } from '../license/helpers';

const ROWS = 600;

describe.each(backends())('concurrent appends to the audit chain on %s', (backend) => {
  it('leave one intact chain', async () => {
    const ws = await licenseWorkspace(backend);
    try {
      await issueLicenses(ws.db, BATCH1, { date: '2026-03-15', keyFile: ws.keyFile });
      const file = path.join(tmpDir('chain-conc-'), 'batch.csv');
      const rows = Array.from({ length: ROWS }, (_, i) => applicationCells({ ...makeApplication(70_000 + i, { industry: '超市' }), applicationNo: `CC-${i}` }, i + 1));
      fs.writeFileSync(file, '\uFEFF' + [HEADER, ...rows].map((r) => r.join(',')).join('\r\n') + '\r\n');
      const db = ['--db', ws.url, '--json'];
      const runs = await Promise.all([
        yiye(['license', 'issue', file, '--date', '2026-05-01', ...db]),
        yiye(['license', 'revoke', '3101152026PD-03000002', '--reason', '以欺骗手段取得', '--date', '2026-05-01', ...db]),
        yiye(['license', 'change', '3101152026PD-01000001', '--legal-rep', '王五', '--date', '2026-05-01', ...db]),
        yiye(['license', 'cancel', '3101152026PD-09000001', '--reason', '停业', '--date', '2026-05-01', ...db]),
      ]);
      for (const r of runs) {
        expect(r.stderr).toBe('');
        expect(r.code).toBe(0);
      }
      const report = await verifyAudit(ws.db);
      expect(report.problems).toEqual([]);
      const events = report.chains.find((c) => c.chain === 'license_events')!;
      expect(events).toMatchObject({ entries: 10 + ROWS + 3, headSeq: 10 + ROWS + 3 });
    } finally {
      await ws.db.destroy();
    }
  });
});
