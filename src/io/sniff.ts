/**
 * What a spreadsheet file really is, from its first bytes rather than its name: departments send
 * .xls files that are .xlsx, .xlsx files that are .xls, and "Excel" exports from government systems
 * that are an HTML table, an Excel 2003 XML workbook or a tab-separated text file named .xls.
 */
import fs from 'node:fs';
import path from 'node:path';

/**
 * - xlsx: an OOXML zip package (exceljs-free streaming reader, ./xlsx)
 * - ods: an OpenDocument spreadsheet zip (mimetype application/vnd.oasis.opendocument.spreadsheet)
 * - cfb: an OLE2 compound file (D0 CF 11 E0): a BIFF .xls / WPS .et, or an encrypted .xlsx, or a Word file
 * - html: an HTML page with a table (what many systems export as .xls)
 * - xml: an Excel 2003 XML spreadsheet (SpreadsheetML)
 * - csv: anything else; the csv reader's own checks refuse images, PDFs and binary content
 */
export type SniffedFormat = 'xlsx' | 'ods' | 'cfb' | 'html' | 'xml' | 'csv';

const HEAD_BYTES = 4096;
const CFB_MAGIC = Buffer.from('d0cf11e0a1b11ae1', 'hex');
const ZIP_MAGIC = Buffer.from('504b0304', 'hex');
const ODS_MIME = 'application/vnd.oasis.opendocument.spreadsheet';

/** The file's first bytes; undefined when it cannot be opened (the reader then reports why). */
function head(file: string): Buffer | undefined {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch {
    return undefined;
  }
  try {
    const buf = Buffer.alloc(HEAD_BYTES);
    return buf.subarray(0, fs.readSync(fd, buf, 0, HEAD_BYTES, 0));
  } catch {
    return undefined;
  } finally {
    fs.closeSync(fd);
  }
}

/** The head as text for markup checks: UTF-16 by its BOM, otherwise bytes as latin1 (markup is ASCII). */
function headText(b: Buffer): string {
  let text: string;
  if (b[0] === 0xff && b[1] === 0xfe) text = b.subarray(2).toString('utf16le');
  else if (b[0] === 0xfe && b[1] === 0xff) text = Buffer.from(b.subarray(2)).swap16().toString('utf16le');
  else text = b.toString('latin1').replace(/^\xef\xbb\xbf/, '');
  return text.trimStart().slice(0, HEAD_BYTES).toLowerCase();
}

/**
 * The format a file's bytes show; a file that cannot be opened, or has no bytes at all (a download
 * cut off at the start: an empty .xlsx is a damaged workbook, not an empty csv), falls back to its extension.
 */
export function sniffFormat(file: string): SniffedFormat {
  const b = head(file);
  if (b === undefined || b.length === 0) return byExtension(file);
  if (b.length >= 8 && b.subarray(0, 8).equals(CFB_MAGIC)) return 'cfb';
  if (b.length >= 4 && b.subarray(0, 4).equals(ZIP_MAGIC)) {
    // ODF stores `mimetype` first and uncompressed, so its content follows the 30-byte local header
    if (b.toString('latin1', 30, 38) === 'mimetype' && b.toString('latin1', 38, 38 + ODS_MIME.length) === ODS_MIME) return 'ods';
    const ext = path.extname(file).toLowerCase();
    return ext === '.ods' || ext === '.ots' ? 'ods' : 'xlsx';
  }
  const text = headText(b);
  if (text.startsWith('<')) {
    if (/<workbook[\s>]/.test(text) && text.includes('urn:schemas-microsoft-com:office:spreadsheet')) return 'xml';
    if (/<(html|table|body|head|meta|!doctype html)[\s>]/.test(text)) return 'html';
  }
  // neither a workbook's signature nor text: a damaged workbook is reported as one (a file named
  // .csv goes to the csv reader, which names what binary it is)
  if (!isText(b)) return byExtension(file);
  return 'csv';
}

/** Text has a BOM, or next to no control bytes (NUL and the like). */
function isText(b: Buffer): boolean {
  if ((b[0] === 0xff && b[1] === 0xfe) || (b[0] === 0xfe && b[1] === 0xff)) return true;
  let control = 0;
  for (const c of b) if (c < 0x09 || (c > 0x0d && c < 0x20 && c !== 0x1b)) control++;
  return control <= b.length / 100;
}

function byExtension(file: string): SniffedFormat {
  const ext = path.extname(file).toLowerCase();
  if (ext === '.xlsx' || ext === '.xlsm') return 'xlsx';
  if (ext === '.xls' || ext === '.et') return 'cfb';
  if (ext === '.ods') return 'ods';
  return 'csv';
}
