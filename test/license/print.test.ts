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
