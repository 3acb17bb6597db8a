import { licenseHtml, escapeHtml } from '../../src/license/print';
import type { License } from '../../src/license/types';

const evil = '<script>alert("x")</script>&\'';
const licence: License = {
  number: '3101152026PD-01000001',
  applicationNo: 'A-1',
  status: 'valid',
  statusLabel: '有效',
  effectiveStatus: 'valid',
  statusDate: null,
  statusReason: null,
  issueDate: '2026-03-15',
  currentVersion: 1,
  current: {
    version: 1,
    holderName: evil,
    uscc: '91330100716105852F',
    legalRep: evil,
    industry: '便利店',
    industryCode: 'PD-01',
    premises: evil,
    authorityName: evil,
    issueDate: '2026-03-15',
    validUntil: '2031-03-14',
    supersededAt: null,
    items: [{ matterCode: 'X', matterName: evil, permitNo: evil, validUntil: '2030-01-01' }],
    payload: 'YY1.e30.AAAA',
    keyId: 'k',
    batchId: 1,
  },
  batchId: 1,
};

describe('licence HTML', () => {
  it('escapes every value taken from the database', async () => {
    const html = await licenseHtml(licence);
    expect(html).not.toContain('<script>');
    expect(html.match(/&lt;script&gt;alert\(&quot;x&quot;\)&lt;\/script&gt;&amp;&#39;/g)?.length).toBe(6);
    expect(escapeHtml(null)).toBe('');
  });

  it('marks a licence that is no longer valid', async () => {
    const html = await licenseHtml({ ...licence, status: 'revoked', effectiveStatus: 'revoked' });
    expect(html).toContain('<div class="void">撤销</div>');
  });
});

describe('license print --out', () => {
  it('one licence and an .html path is that file; several licences go into a folder; the help says which', async () => {
    const { yiye } = await import('../helpers/cli');
    const { issueLicenses } = await import('../../src/license/issue');
    const { BATCH1, licenseWorkspace, tmpDir } = await import('./helpers');
    const fs = await import('node:fs');
    const path = await import('node:path');
    // the workspace in-process (the command under test is print); every print through the real CLI
    const ws = await licenseWorkspace('sqlite');
    expect((await issueLicenses(ws.db, BATCH1, { date: '2026-03-15', keyFile: ws.keyFile, actor: 'test' })).issued.length).toBeGreaterThan(1);
    await ws.db.destroy();
    const db = ws.url;
    const dir = tmpDir('print-out-');

    const one = await yiye(['license', 'print', '3101152026PD-03000001', '--out', path.join(dir, '许可证.html'), '--db', db, '--date', '2026-03-15']);
    expect(one.code).toBe(0);
    expect(fs.statSync(path.join(dir, '许可证.html')).isFile()).toBe(true);
    expect(fs.readFileSync(path.join(dir, '许可证.html'), 'utf8')).toContain('3101152026PD-03000001');
    expect(one.stdout).toContain(`已生成 1 张许可证：${path.join(dir, '许可证.html')}`);

    const many = await yiye(['license', 'print', '3101152026PD-03000001', '3101152026PD-01000001', '--out', path.join(dir, '两张.html'), '--db', db, '--date', '2026-03-15']);
    expect(many.code).toBe(2);
    expect(many.stderr).toContain('要打印 2 张许可证');
    expect(fs.existsSync(path.join(dir, '两张.html'))).toBe(false);

    const folder = await yiye(['license', 'print', '3101152026PD-03000001', '3101152026PD-01000001', '--out', path.join(dir, '打印'), '--db', db, '--date', '2026-03-15', '--json']);
    expect(folder.code).toBe(0);
    expect(fs.readdirSync(path.join(dir, '打印')).sort()).toEqual(['3101152026PD-01000001.html', '3101152026PD-03000001.html']);

    const pdf = await yiye(['license', 'print', '3101152026PD-03000001', '--out', path.join(dir, '许可证.pdf'), '--db', db]);
    expect(pdf.code).toBe(2);
    expect(pdf.stderr).toContain('另存为 PDF');

    const help = await yiye(['license', 'print', '--help']);
    expect(help.stdout.replace(/\s+/g, '')).toContain('只打印一张许可证且以.html结尾时，就是写入的文件');
  }, 300_000);
});
