/**
 * `yiye license print`: one self-contained A4 HTML page per licence (no external files, fonts or
 * scripts), ready to print from any browser, with every field seed 001 二(九) lists and the QR code
 * (一码监管) as inline SVG. The QR code is drawn here, not at issue: drawing is slow (DOMAIN.md).
 * Every value from the database is HTML-escaped.
 */
import fs from 'node:fs';
import path from 'node:path';
import type QRCodeNS from 'qrcode';
import { lazy } from '../lazy';

const qrcode = lazy<typeof QRCodeNS>(() => require('qrcode'));
import type { Db } from '../db';
import { InputError, UsageError } from '../cli/errors';
import { selectIn } from '../catalog/store';
import { CatalogIndex, licenseByNumber, loadLicenses, type LicenseRow } from './store';
import { STATUS_LABEL, type License } from './types';
import { PAYLOAD_TAG } from './payload';
import { readSettings } from '../settings/service';

export function escapeHtml(s: string | number | null | undefined): string {
  return String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** 2026-03-15 → 2026年3月15日, as dates are printed on certificates. */
export function chineseDate(iso: string): string {
  const [y, m, d] = iso.split('-').map(Number);
  return `${y}年${m}月${d}日`;
}

const STYLE = `
@page { size: A4; margin: 0; }
* { box-sizing: border-box; }
body { margin: 0; font-family: "SimSun", "Songti SC", "Noto Serif CJK SC", serif; color: #000; }
.page { width: 210mm; height: 297mm; padding: 18mm 18mm 16mm; position: relative; }
.frame { border: 3px double #8b0000; height: 100%; padding: 12mm 12mm 10mm; position: relative; }
h1 { text-align: center; font-size: 30pt; letter-spacing: 0.3em; margin: 4mm 0 2mm; color: #8b0000; }
.subtitle { text-align: center; font-size: 11pt; margin-bottom: 8mm; }
.number { text-align: right; font-size: 11pt; margin-bottom: 4mm; }
table.fields { width: 100%; border-collapse: collapse; font-size: 12pt; }
table.fields th { width: 38mm; text-align: justify; text-align-last: justify; font-weight: normal; padding: 2.2mm 4mm 2.2mm 0; vertical-align: top; white-space: nowrap; }
table.fields td { padding: 2.2mm 0; vertical-align: top; }
table.items { width: 100%; border-collapse: collapse; font-size: 10.5pt; margin-top: 1mm; }
table.items th, table.items td { border: 1px solid #555; padding: 1.2mm 2mm; text-align: left; }
table.items th { background: #f2f2f2; font-weight: normal; }
.bottom { position: absolute; left: 12mm; right: 12mm; bottom: 10mm; display: flex; justify-content: space-between; align-items: flex-end; }
.qr { width: 36mm; text-align: center; font-size: 8pt; }
.qr svg { width: 36mm; height: 36mm; display: block; }
.issuer { text-align: right; font-size: 12pt; line-height: 2; }
.void { position: absolute; top: 40%; left: 0; right: 0; text-align: center; font-size: 60pt; color: rgba(200,0,0,0.25); transform: rotate(-20deg); letter-spacing: 0.3em; }
@media print { .page { page-break-after: always; } }
`;

/**
 * What the QR code holds: `<verify-url>#<payload>` when the workspace has a verification address (a
 * phone camera opens the `license verify-site` page, which reads the payload after `#` — never sent
 * to the server), else the bare payload. A payload signed with an address inside (before the address
 * was kept out of the signature) is printed as it was signed.
 */
export function qrText(payload: string, verifyUrl = ''): string {
  if (!verifyUrl || !payload.startsWith(PAYLOAD_TAG)) return payload;
  return `${verifyUrl}#${payload}`;
}

/**
 * The QR code's error-correction level: M (15 % of the symbol may be damaged), the usual choice for
 * printed codes. A typical licence with a 34-character verification address (≈530 characters in
 * all) is QR version 18, 89 modules: 0.27 mm a module at 25 mm wide (measured in test/site).
 */
export const QR_ERROR_CORRECTION = 'M' as const;

/** The HTML page of one licence (its current version). */
export async function licenseHtml(l: License, opts: { verifyUrl?: string } = {}): Promise<string> {
  const v = l.current;
  const qr = await qrcode().toString(qrText(v.payload, opts.verifyUrl), { type: 'svg', errorCorrectionLevel: QR_ERROR_CORRECTION, margin: 1 });
  const items = v.items
    .map((i, n) => `<tr><td>${n + 1}</td><td>${escapeHtml(i.matterName)}</td><td>${escapeHtml(i.permitNo ?? '—')}</td><td>${escapeHtml(i.validUntil ? chineseDate(i.validUntil) : '—')}</td></tr>`)
    .join('\n');
  const voidMark = l.effectiveStatus !== 'valid' ? `<div class="void">${escapeHtml(STATUS_LABEL[l.effectiveStatus])}</div>` : '';
  return `<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>行业综合许可证 ${escapeHtml(l.number)}</title>
<style>${STYLE}</style>
</head>
<body>
<div class="page"><div class="frame">
${voidMark}
<h1>行业综合许可证</h1>
<div class="subtitle">（“一业一证”改革 · 第 ${escapeHtml(v.version)} 版）</div>
<div class="number">许可证编号：${escapeHtml(l.number)}</div>
<table class="fields">
<tr><th>经营者名称</th><td>${escapeHtml(v.holderName)}</td></tr>
<tr><th>统一社会信用代码</th><td>${escapeHtml(v.uscc)}</td></tr>
<tr><th>法定代表人（负责人）</th><td>${escapeHtml(v.legalRep)}</td></tr>
<tr><th>行业类别</th><td>${escapeHtml(v.industry)}</td></tr>
<tr><th>经营场所</th><td>${escapeHtml(v.premises)}</td></tr>
<tr><th>许可项目</th><td>
<table class="items">
<tr><th>序号</th><th>许可项目</th><th>单项许可证号</th><th>有效期至</th></tr>
${items}
</table>
</td></tr>
<tr><th>有效期至</th><td>${escapeHtml(chineseDate(v.validUntil))}</td></tr>
</table>
<div class="bottom">
<div class="qr">${qr}<div>扫码核验 · 查看全部许可信息</div></div>
<div class="issuer">发证机关：${escapeHtml(v.authorityName)}<br>制证日期：${escapeHtml(chineseDate(v.issueDate))}</div>
</div>
</div></div>
</body>
</html>
`;
}

export interface PrintResult {
  /** The folder written to, or for a single-file --out the folder that file is in. */
  outDir: string;
  files: Array<{ number: string; file: string }>;
  /** --batch: what was printed — each licence's current version (a later change or renewal included), and which are no longer valid (their pages carry the state across them). */
  batch?: { id: number; licenses: number; notValid: Array<{ number: string; status: string; statusLabel: string }> };
}

/**
 * Where `--out` puts the pages: one licence and a path ending in .html is that file; anything else
 * is a folder holding `<number>.html` per licence. Several licences with an .html path is a usage
 * error, not a folder named like a file. An existing folder stays a folder whatever its name.
 */
export function printTarget(out: string, count: number): { file: string } | { dir: string } {
  if (isDirectory(out)) return { dir: out };
  if (/\.html?$/i.test(out)) {
    if (count === 1) return { file: out };
    throw new UsageError(`--out “${out}”是一个 .html 文件，但要打印 ${count} 张许可证。`, '一张许可证可写入一个 .html 文件；多张请给出目录，如 --out 打印/。');
  }
  if (/\.pdf$/i.test(out)) throw new UsageError(`--out “${out}”：许可证打印只生成 HTML，不直接生成 PDF。`, '写成 .html 文件后用浏览器“打印 → 另存为 PDF”；或给出目录，如 --out 打印/。');
  return { dir: out };
}

function isDirectory(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** Writes `<number>.html` into `outDir` for each licence named, or for every licence of a batch (see printTarget). */
export async function printLicenses(db: Db, opts: { numbers: string[]; batch?: number; outDir: string; asOf: string }): Promise<PrintResult> {
  if (opts.numbers.length === 0 && opts.batch === undefined) throw new UsageError('请给出许可证编号，或用 --batch 指定发证批次。', '例如：yiye license print 3101152026PD-01000001 --out 打印/');
  const rows: LicenseRow[] = [];
  for (const n of opts.numbers) {
    const r = await licenseByNumber(db, n);
    if (!r) throw new InputError(`没有编号为“${n}”的行业综合许可证。`, '请核对许可证编号。', undefined, 'NOT_FOUND');
    rows.push(r);
  }
  if (opts.batch !== undefined) {
    // A batch's licences: those it issued and those it reissued (change, renew).
    const ids = (await db('license_versions').where({ batch_id: opts.batch }).pluck('license_id')) as number[];
    if (ids.length === 0) throw new InputError(`批次 ${opts.batch} 没有许可证。`, '批次号见 `yiye license batches`（发证、办理时也会显示）。', undefined, 'NOT_FOUND');
    rows.push(...(await selectIn<LicenseRow>(db, 'licenses', 'id', ids)).sort((a, b) => a.number.localeCompare(b.number)));
  }
  const licenses = await loadLicenses(db, rows, await CatalogIndex.load(db), opts.asOf);
  const { verifyUrlPrefix: verifyUrl } = await readSettings(db);
  const target = printTarget(opts.outDir, licenses.length);
  const dir = 'file' in target ? path.dirname(target.file) : target.dir;
  await fs.promises.mkdir(dir, { recursive: true });
  const files: PrintResult['files'] = [];
  for (const l of licenses) {
    const file = 'file' in target ? target.file : path.join(dir, `${l.number.replace(/[\\/:*?"<>|\s]/g, '_')}.html`);
    await fs.promises.writeFile(file, await licenseHtml(l, { verifyUrl }));
    files.push({ number: l.number, file });
  }
  const batch =
    opts.batch === undefined
      ? undefined
      : { id: opts.batch, licenses: licenses.length, notValid: licenses.filter((l) => l.effectiveStatus !== 'valid').map((l) => ({ number: l.number, status: l.effectiveStatus, statusLabel: STATUS_LABEL[l.effectiveStatus] })) };
  return { outDir: dir, files, ...(batch ? { batch } : {}) };
}
