import fs from 'node:fs';
import path from 'node:path';
import iconv from 'iconv-lite';
import chardet from 'chardet';
import { parse } from 'csv-parse';
import { InputError } from '../cli/errors';
import { cellTooLong, limitsOf, tooLarge, tooManyColumns } from './limits';
import type { ReadRowsOptions, SheetRow } from './types';

export type CsvEncoding = 'utf-8' | 'utf-16le' | 'utf-16be' | 'gb18030' | 'big5';

/** How much of the file the sniffers look at. */
const SAMPLE_BYTES = 64 * 1024;

function fileError(message: string, hint = '请在 Excel 或 WPS 中打开该文件，检查内容后“另存为” CSV UTF-8 或 .xlsx 再导入。'): InputError {
  return new InputError(message, hint, undefined, 'BAD_FILE');
}

/** “x.csv” for messages; the bare phrase when the file is not known (detectEncoding on a buffer). */
function named(file: string | undefined): string {
  return file === undefined ? '文件' : `文件“${path.basename(file)}”`;
}

/** Signatures of the binary files that arrive named .csv, with what to tell the clerk. */
const MAGIC: Array<[Buffer, string, string]> = [
  [Buffer.from('504b0304', 'hex'), '实为 Excel（.xlsx）或其他压缩文件', '请把扩展名改回 .xlsx 后导入，或在 Excel 中“另存为” CSV UTF-8。'],
  [Buffer.from('d0cf11e0a1b11ae1', 'hex'), '实为旧版 Excel（.xls）或 Word 文件', '请在 Excel 或 WPS 中打开并“另存为” .xlsx 后导入。'],
  [Buffer.from('89504e470d0a1a0a', 'hex'), '实为 PNG 图片', '请向发送部门索取表格文件（.xlsx 或 .csv）。'],
  [Buffer.from('ffd8ff', 'hex'), '实为 JPEG 图片', '请向发送部门索取表格文件（.xlsx 或 .csv）。'],
  [Buffer.from('GIF8', 'latin1'), '实为 GIF 图片', '请向发送部门索取表格文件（.xlsx 或 .csv）。'],
  [Buffer.from('%PDF', 'latin1'), '实为 PDF 文件', '请向发送部门索取表格文件（.xlsx 或 .csv），或把 PDF 中的表格复制到 Excel 后另存。'],
];

function sniffBinary(sample: Buffer, file: string | undefined): void {
  for (const [magic, what, hint] of MAGIC) {
    if (sample.length >= magic.length && sample.subarray(0, magic.length).equals(magic)) {
      throw fileError(`${named(file)}是二进制文件，不是文本格式的 CSV：${what}。`, hint);
    }
  }
}

/**
 * Text that is not text: after decoding, C0 control characters (other than tab, line breaks and
 * form feed) or undecodable bytes (U+FFFD from GB18030) make up more than 1 % of the sample. Real
 * csv files have none; random bytes decoded as GB18030 have about one in ten.
 */
function looksBinary(text: string): boolean {
  let bad = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d && c !== 0x0c) || c === 0x7f) bad++;
  }
  return bad > 8 && bad > text.length / 100;
}

/**
 * A sample of the decoded text that is mojibake, with what it likely said, or null. Three kinds
 * reach a reform office: U+FFFD saved into the file (GBK opened as UTF-8 and saved: the characters
 * are gone); “锟斤拷” (those U+FFFD bytes read as GBK and saved again); and UTF-8 read as GBK and saved
 * (“鍖椾含” for 北京), recognisable because re-encoding it as GBK gives valid UTF-8 Chinese.
 */
export function findMojibake(text: string): { sample: string; original: string | null } | null {
  const kunjinkao = /锟斤拷|烫烫烫|屯屯屯/.exec(text);
  if (kunjinkao) return { sample: kunjinkao[0], original: null };
  // runs of non-ASCII characters long enough that real GBK text would never form valid UTF-8
  let seen = 0;
  let hits = 0;
  let first: { sample: string; original: string } | null = null;
  for (const m of text.matchAll(/[^\x00-\x7f\uFFFD]{4,}/g)) {
    if (++seen > 200) break;
    const run = m[0];
    const bytes = iconv.encode(run, 'gbk');
    // the run may end inside a character (the last GBK pair took half of a UTF-8 sequence): drop up to 3 bytes
    let decoded: string | null = null;
    for (let cut = 0; cut <= 3 && decoded === null && cut < bytes.length; cut++) {
      try {
        decoded = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, bytes.length - cut));
      } catch {
        decoded = null;
      }
    }
    if (decoded === null) continue;
    if (!/[\u3400-\u9fff]/.test(decoded) || decoded.length >= run.length) continue;
    hits++;
    first ??= { sample: run.slice(0, 12), original: decoded.slice(0, 8) };
  }
  if (hits >= 2 && hits * 2 >= seen) return first;
  const fffd = text.indexOf('\uFFFD');
  if (fffd !== -1) return { sample: text.slice(Math.max(0, fffd - 4), fffd + 4).replace(/\s+/g, ' '), original: null };
  return null;
}

/** True when `buf` is valid UTF-8, ignoring a character cut off at the end of the sample. */
function isUtf8(buf: Buffer, truncated: boolean): boolean {
  let end = buf.length;
  if (truncated) {
    // back up over at most 3 continuation bytes to the start of a possibly partial character
    let i = end - 1;
    while (i >= 0 && end - i <= 3 && (buf[i] & 0xc0) === 0x80) i--;
    if (i >= 0 && buf[i] >= 0xc0) end = i;
  }
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(buf.subarray(0, end));
    return true;
  } catch {
    return false;
  }
}

function decodesAs(encoding: 'utf-16le' | 'utf-16be', buf: Buffer): boolean {
  try {
    const text = new TextDecoder(encoding, { fatal: true }).decode(buf);
    // control characters other than tab and line breaks mean it was not text after all
    return !/[\u0000-\u0008\u000E-\u001F]/.test(text);
  } catch {
    return false;
  }
}

/**
 * The encoding of a department's csv: a BOM decides; else valid UTF-8 is UTF-8; else a statistical
 * guess among the Chinese encodings (chardet), GB18030 (a superset of GBK/GB2312) by default.
 */
export function detectEncoding(sample: Buffer, truncated: boolean, file?: string): CsvEncoding {
  if (sample.length >= 3 && sample[0] === 0xef && sample[1] === 0xbb && sample[2] === 0xbf) return 'utf-8';
  if (sample.length >= 2 && sample[0] === 0xff && sample[1] === 0xfe) return 'utf-16le';
  if (sample.length >= 2 && sample[0] === 0xfe && sample[1] === 0xff) return 'utf-16be';
  // UTF-16 without BOM: every ASCII character (commas, line breaks) leaves a zero byte, always on
  // the same side of the pair; a binary file has zeros anywhere.
  if (sample.includes(0)) {
    const pairs = sample.length >> 1;
    let evenZero = 0;
    let oddZero = 0;
    for (let i = 0; i < pairs; i++) {
      if (sample[2 * i] === 0) evenZero++;
      if (sample[2 * i + 1] === 0) oddZero++;
    }
    // a CJK character can have a zero byte too (U+4E00), so a clear majority on one side decides
    const guess = oddZero > evenZero * 4 ? 'utf-16le' : evenZero > oddZero * 4 ? 'utf-16be' : undefined;
    if (guess && decodesAs(guess, sample.subarray(0, pairs * 2))) return guess;
    throw fileError(`${named(file)}含有二进制内容，不是文本格式的 CSV。`);
  }
  if (isUtf8(sample, truncated)) return 'utf-8';
  const guess = (chardet.detect(sample) ?? '').toLowerCase();
  if (guess === 'big5') return 'big5';
  return 'gb18030';
}

/** The delimiter that splits the first line into the most fields (comma, tab or semicolon). */
function sniffDelimiter(firstLines: string): string {
  const line = firstLines.split(/\r?\n/).find((l) => l.trim() !== '') ?? '';
  const counts = [',', '\t', ';'].map((d) => [d, line.split(d).length] as const);
  counts.sort((a, b) => b[1] - a[1]);
  return counts[0][1] > 1 ? counts[0][0] : ',';
}

async function readSample(file: string): Promise<{ sample: Buffer; truncated: boolean; size: number }> {
  const fh = await fs.promises.open(file, 'r');
  try {
    const buf = Buffer.alloc(SAMPLE_BYTES);
    const { bytesRead } = await fh.read(buf, 0, SAMPLE_BYTES, 0);
    const size = (await fh.stat()).size;
    return { sample: buf.subarray(0, bytesRead), truncated: size > bytesRead, size };
  } finally {
    await fh.close();
  }
}

/**
 * Streams a csv's records as spreadsheet rows. The sheet name is the file's base name; row numbers
 * count records as a spreadsheet application would show them (a quoted multi-line cell is one row).
 */
export async function* readCsvRows(file: string, opts: ReadRowsOptions = {}): AsyncGenerator<SheetRow> {
  const limits = limitsOf(opts.limits);
  const { sample, truncated, size } = await readSample(file);
  if (size > limits.maxCsvBytes) throw tooLarge(file, '', size, limits.maxCsvBytes, false);
  sniffBinary(sample, file);
  const encoding = detectEncoding(sample, truncated, file);
  // a sample cut inside a character ends in U+FFFD: that is not mojibake
  const decoded = iconv.decode(sample, encoding).replace(truncated ? /\uFFFD{1,3}$/ : /(?!)/, '');
  if (looksBinary(decoded)) throw fileError(`${named(file)}含有二进制内容，不是文本格式的 CSV。`);
  const garbled = findMojibake(decoded);
  if (garbled) {
    throw new InputError(
      `${named(file)}内容是乱码（如“${garbled.sample}”${garbled.original ? `，原文应为“${garbled.original}”` : ''}），无法导入。`,
      garbled.original
        ? '文件曾被用错误的编码（GBK）打开后又保存。请找到部门发来的原始文件直接导入；或在 Excel/WPS 中以 UTF-8 编码重新打开原文件后另存为 CSV UTF-8。'
        : '文件曾被用错误的编码（UTF-8）打开后又保存，原来的汉字已经丢失。请找到部门发来的原始文件直接导入（不要先用记事本等打开保存），或请对方重新导出。',
      { file: path.basename(file), sample: garbled.sample },
      'MOJIBAKE',
    );
  }
  const head = decoded.slice(0, 8192);
  const delimiter = sniffDelimiter(head.replace(/^\uFEFF/, ''));
  const sheet = path.basename(file, path.extname(file));
  const csv = parse({
    delimiter,
    relax_column_count: true,
    relax_quotes: true,
    skip_empty_lines: false,
    bom: true,
    max_record_size: 16 * 1024 * 1024,
    // csv-parse builds a full CsvError (stack and a copy of the record) for every record whose
    // length differs from the FIRST record's — every row of a file with a title line above the
    // header. Tracking the last length makes that cost per change of width, not per row (measured:
    // 9.5 s → 2.7 s for 100k rows). `state` is internal to csv-parse 7.0.3, which is pinned.
    on_record: (record: string[]) => {
      (csv as unknown as { state: { expectedRecordLength: number } }).state.expectedRecordLength = record.length;
      return record;
    },
  });
  const parser = fs.createReadStream(file).pipe(iconv.decodeStream(encoding, { stripBOM: true })).pipe(csv);
  let rowNumber = 0;
  try {
    for await (const record of parser as AsyncIterable<string[]>) {
      rowNumber++;
      for (let c = 0; c < record.length; c++) {
        const v = record[c];
        if (v.length > limits.maxCellChars) throw cellTooLong(file, sheet, rowNumber, c, v.length, limits);
        if (c >= limits.maxColumns && v.trim() !== '') throw tooManyColumns(file, sheet, rowNumber, c, limits);
      }
      yield { sheet, rowNumber, cells: record.map((v) => (v === '' ? null : v)) };
    }
  } catch (err) {
    if (err instanceof InputError) throw err;
    const e = err as Error & { code?: string; lines?: number };
    if (!e.code?.startsWith('CSV_')) throw err;
    // csv-parse's own messages are English and technical: say where and what in Chinese
    const what = e.code === 'CSV_QUOTE_NOT_CLOSED' ? '引号未闭合' : e.code === 'CSV_MAX_RECORD_SIZE' ? '单行内容过大（超过 16 MB）' : `格式错误（${e.code}）`;
    throw fileError(`CSV 文件“${path.basename(file)}”第 ${rowNumber + 1} 行${what}，无法读取。`);
  }
}
