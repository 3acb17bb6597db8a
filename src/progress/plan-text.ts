import fs from 'node:fs';
import path from 'node:path';
import iconv from 'iconv-lite';
import type * as YauzlModule from 'yauzl';
import { InputError } from '../cli/errors';
import { humanBytes } from '../io/limits';
import { normalizeText } from '../text/normalize';

/** The plan formats `tasks extract` reads. */
const TEXT_EXTS = new Set(['.txt', '.md', '.text']);

/**
 * Input limits of `tasks extract` (issue 18 item 5; README "Input limits"). A plan is tens of
 * kilobytes; every limit is far above that and far below what would exhaust memory or time.
 */
export interface PlanLimits {
  /** Size of a .txt/.md file. */
  maxTextBytes: number;
  /** Size of a .docx file as stored. */
  maxDocxBytes: number;
  /** Uncompressed size of all the entries of a .docx together (a zip bomb is refused before mammoth reads it). */
  maxDocxInflatedBytes: number;
  /** Entries in a .docx package. */
  maxDocxEntries: number;
  /** Characters in one line of the plan's text (a whole PDF copied as one line is a few hundred thousand at most). */
  maxLineChars: number;
}

export const PLAN_LIMITS: Readonly<PlanLimits> = Object.freeze({
  maxTextBytes: 16 * 1024 * 1024,
  maxDocxBytes: 32 * 1024 * 1024,
  maxDocxInflatedBytes: 128 * 1024 * 1024,
  maxDocxEntries: 2_000,
  maxLineChars: 1_000_000,
});

const planLimitsOf = (o?: Partial<PlanLimits>): PlanLimits => (o ? { ...PLAN_LIMITS, ...o } : PLAN_LIMITS);

/**
 * A plan's text as a person would read it: .txt/.md in UTF-8 (with or without BOM) or GB18030,
 * .docx as its raw paragraphs (mammoth). Throws InputError for other formats and past the limits.
 */
export async function readPlanFile(file: string, limits?: Partial<PlanLimits>): Promise<string> {
  const lim = planLimitsOf(limits);
  if (!fs.existsSync(file) || !fs.statSync(file).isFile()) {
    throw new InputError(`找不到文件“${file}”。`, '请检查路径是否正确。', undefined, 'FILE_NOT_FOUND');
  }
  const size = fs.statSync(file).size;
  const ext = path.extname(file).toLowerCase();
  let text: string;
  if (ext === '.docx') {
    if (size > lim.maxDocxBytes) throw planTooLarge(file, size, lim.maxDocxBytes, false);
    await checkDocx(file, lim);
    // mammoth is only needed for Word files; loading it lazily keeps other commands fast
    const mammoth = await import('mammoth');
    try {
      text = (await mammoth.extractRawText({ path: file })).value;
    } catch (err) {
      throw new InputError(`无法读取 Word 文件“${path.basename(file)}”：${(err as Error).message}`, '请确认文件是 .docx（不是旧版 .doc），可在 Word/WPS 中“另存为” .docx 后重试。', undefined, 'BAD_FILE');
    }
  } else if (ext === '.doc' || ext === '.wps') {
    throw new InputError(`不支持旧版 Word 格式“${path.basename(file)}”。`, '请在 Word 或 WPS 中“另存为” .docx 后再提取。', undefined, 'BAD_FILE');
  } else if (!TEXT_EXTS.has(ext)) {
    throw new InputError(`不支持的文件类型“${path.basename(file)}”：只能读取 .txt、.md 或 .docx。`, 'PDF 请先另存为 .docx 或复制为 .txt。', undefined, 'BAD_FILE');
  } else {
    if (size > lim.maxTextBytes) throw planTooLarge(file, size, lim.maxTextBytes, false);
    text = decodeText(fs.readFileSync(file));
  }
  checkLines(file, text, lim);
  return text;
}

function planTooLarge(file: string, size: number | null, limit: number, unpacked: boolean): InputError {
  const actual = size === null ? `超过 ${humanBytes(limit)}` : `为 ${humanBytes(size)}`;
  return new InputError(
    `“${path.basename(file)}”${unpacked ? '解压后' : '大小'}${actual}，超出 ${humanBytes(limit)} 的上限：文件无法提取${unpacked ? '（可能是压缩炸弹或损坏的文件）' : ''}。`,
    '计划文本通常只有几十 KB；请确认文件来源，或只保留任务部分后再提取。',
    { file: path.basename(file), limit },
    'FILE_TOO_LARGE',
  );
}

/** One line longer than the limit: a binary file renamed .txt, or a hostile one. */
function checkLines(file: string, text: string, lim: PlanLimits): void {
  let start = 0;
  let line = 1;
  while (start <= text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    if (end - start > lim.maxLineChars) {
      throw new InputError(
        `“${path.basename(file)}”第 ${line} 行有 ${end - start} 个字符，超出每行 ${lim.maxLineChars} 个字符的上限：文件无法提取。`,
        '请确认这是计划的文本（不是二进制文件改了扩展名）；过长的行请分段后再提取。',
        { file: path.basename(file), line, limit: lim.maxLineChars },
        'LINE_TOO_LONG',
      );
    }
    start = end + 1;
    line++;
  }
}

/**
 * A .docx is a zip: its entries are counted and their inflated size is checked, first as the central
 * directory states it, then by inflating every entry and counting (yauzl refuses an entry that
 * inflates to more than its header says), before mammoth (which inflates whole files in memory) sees it.
 */
async function checkDocx(file: string, lim: PlanLimits): Promise<void> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const yauzl = require('yauzl') as typeof YauzlModule;
  let zip: YauzlModule.ZipFile;
  try {
    zip = await new Promise<YauzlModule.ZipFile>((resolve, reject) =>
      yauzl.open(file, { lazyEntries: true, autoClose: false }, (err, z) => (err || !z ? reject(err) : resolve(z))),
    );
  } catch (err) {
    throw new InputError(`无法读取 Word 文件“${path.basename(file)}”：文件已损坏或不是 .docx（${(err as Error).message}）。`, '请在 Word/WPS 中“另存为” .docx 后重试。', undefined, 'BAD_FILE');
  }
  try {
    if (zip.entryCount > lim.maxDocxEntries) {
      throw new InputError(
        `无法读取 Word 文件“${path.basename(file)}”：压缩包内有 ${zip.entryCount} 个部件，超出 ${lim.maxDocxEntries} 个的上限，不是正常的 .docx。`,
        '请确认文件来源，或在 Word/WPS 中重新“另存为” .docx。',
        { file: path.basename(file), limit: lim.maxDocxEntries },
        'FILE_TOO_LARGE',
      );
    }
    const entries: YauzlModule.Entry[] = [];
    let stated = 0;
    await new Promise<void>((resolve, reject) => {
      zip.on('entry', (e: YauzlModule.Entry) => {
        entries.push(e);
        stated += e.uncompressedSize;
        if (stated > lim.maxDocxInflatedBytes) reject(planTooLarge(file, stated, lim.maxDocxInflatedBytes, true));
        else zip.readEntry();
      });
      zip.on('end', () => resolve());
      zip.on('error', reject);
      zip.readEntry();
    });
    let inflated = 0;
    for (const entry of entries) {
      if (entry.fileName.endsWith('/')) continue;
      const stream = await new Promise<NodeJS.ReadableStream>((resolve, reject) => zip.openReadStream(entry, (err, s) => (err || !s ? reject(err) : resolve(s))));
      for await (const chunk of stream) {
        inflated += (chunk as Buffer).length;
        if (inflated > lim.maxDocxInflatedBytes) {
          (stream as unknown as { destroy(): void }).destroy();
          throw planTooLarge(file, null, lim.maxDocxInflatedBytes, true);
        }
      }
    }
  } catch (err) {
    if (err instanceof InputError) throw err;
    throw new InputError(`无法读取 Word 文件“${path.basename(file)}”：压缩包已损坏或其中记录的大小与实际内容不符（${(err as Error).message}）。`, '请在 Word/WPS 中重新“另存为” .docx 后重试。', undefined, 'BAD_FILE');
  } finally {
    zip.close();
  }
}

/** UTF-8 when the bytes are valid UTF-8 (BOM dropped), else GB18030, which covers GBK and GB2312. */
function decodeText(buf: Buffer): string {
  const utf8 = new TextDecoder('utf-8', { fatal: false }).decode(buf);
  if (!utf8.includes('\uFFFD')) return utf8.replace(/^\uFEFF/, '');
  return iconv.decode(buf, 'gb18030');
}

/** Pinyin after a character, as some web pages gloss Traditional text: 區(qū), 業(yè). */
const PINYIN_GLOSS = /([\u3400-\u9fff])\(([a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿ]{1,7})\)/g;

/** Every space of Unicode (Zs), tab and the other horizontal blanks: one plain space each. */
const SPACES = /[\t\v\f\p{Zs}]/gu;
/** Line and paragraph separators (U+2028/2029, NEL): line breaks. */
const LINE_BREAKS = /\r\n?|[\u0085\u2028\u2029]/g;
/**
 * Invisible characters: zero-width spaces and joiners, word joiner, BOM, soft hyphen, Mongolian vowel
 * separator, bidi marks and embeddings/isolates, and C0/C1 controls other than tab and line feed.
 */
// eslint-disable-next-line no-control-regex
const INVISIBLE = /[\u0000-\u0008\u000e-\u001f\u007f-\u0084\u0086-\u009f\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff]/g;
/** Circled numbers ①…⑳ are item markers; NFKC would turn them into plain digits. */
const NOT_CIRCLED = /[^\u2460-\u2473]+/g;

/**
 * Lines a PDF copy repeats on every page: page numbers (— 3 —, -3-, 第3页, 第 3 页 共 9 页, 3/9) and
 * a running header (the same short line three or more times). They are dropped. A bare number alone
 * on a line is kept: flattened tables put their 序号 on lines of their own.
 */
const PAGE_NUMBER = /^(?:[-—–－]\s*\d{1,4}\s*[-—–－]|第\s*\d{1,4}\s*页(?:\s*[,，]?\s*共\s*\d{1,4}\s*页)?|\d{1,4}\s*\/\s*\d{1,4})$/;

function dropPageFurniture(lines: string[]): string[] {
  const pages = lines.filter((l) => PAGE_NUMBER.test(l)).length;
  if (pages < 2) return lines;
  // a running header only where there are pages: a repeated short line that is not an item or a unit line
  const counts = new Map<string, number>();
  for (const l of lines) if (l.length >= 4 && l.length <= 40 && !/[。；:：]|单位|部门|牵头|负责|^[一二三四五六七八九十]+、|^[（(]|^\d/.test(l)) counts.set(l, (counts.get(l) ?? 0) + 1);
  return lines.filter((l) => !PAGE_NUMBER.test(l) && (counts.get(l) ?? 0) < 3);
}

/** Common characters that exist only in Traditional writing (單 頭 責 區 縣 們 這 為 會 …). */
const TRADITIONAL_HINT = /[單頭責區縣們這個為會與於務業發關時實體對開動機權進規劃資說經現還應過學產從當點場來後號辦條門間項問題設計構與規範導續織職覺親視證認識議讓護將專導歲寫東車長書區醫藥衛環節]/;

type Converter = (s: string) => string;

/**
 * 著 that Simplified writes 着 (opencc's t→cn keeps 著 everywhere, since 著名/显著/著作 keep it): the
 * verbs 着力/着手/着重/着眼/着想/着落/着实 and the particle after a verb in set phrases (随着, 本着 …).
 * Applied only to text converted from Traditional; every other 著 is left as written.
 */
const ZHUO_PHRASES = /著(?=力|手|重|眼|想|落|实|陆|装|迷|急)|(?<=随|本|意味|沿|朝|向|接|围绕|顺|紧接|凭|靠|按|照|穿|跟)著(?![名作称述录书者译文])/g;
let t2cn: Converter | undefined;

/**
 * Text ready for the extractor (issue 13 item 1): line breaks unified; every Unicode space folded to
 * one plain space and invisible characters dropped; NFKC (full-width letters, digits and punctuation
 * to ASCII, compatibility ideographs to their unified forms), circled item numbers kept; pinyin glosses
 * dropped; Traditional characters converted to Simplified (opencc) when the text is Traditional;
 * page numbers and running headers of PDF copies dropped; and the spaces a PDF leaves inside Chinese
 * words ("市 场监管局") removed. Every pattern here is linear in the text's length.
 */
export function normalizePlanText(raw: string): { text: string; converted: boolean } {
  // blank lines go first: src/text/normalize's /\n+$/ backtracks over a long run of them
  const folded = raw
    .replace(LINE_BREAKS, '\n')
    .replace(INVISIBLE, '')
    .replace(SPACES, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '')
    .join('\n');
  let s = normalizeText(folded.replace(NOT_CIRCLED, (m) => m.normalize('NFKC'))).replace(PINYIN_GLOSS, '$1');
  let converted = false;
  const han = s.match(/[\u3400-\u9fff]/g)?.length ?? 0;
  // opencc reads the whole text; a text without any of the commonest Traditional-only characters is not Traditional
  if (han > 0 && TRADITIONAL_HINT.test(s)) {
    t2cn ??= loadConverter();
    const simp = t2cn(s);
    let changed = 0;
    for (let i = 0; i < s.length && i < simp.length; i++) if (s[i] !== simp[i]) changed++;
    // Simplified text changes in a few characters at most (著, 乾 …); Traditional text in many.
    if (changed / han > 0.02) {
      s = simp.replace(ZHUO_PHRASES, '着');
      converted = true;
    }
  }
  const cjk = '\u3400-\u9fff，。、；：“”‘’（）《》！？,.;:()';
  s = s.replace(new RegExp(`([\u3400-\u9fff，。、；：“”‘’（）《》！？])[ ]+(?=[${cjk}])`, 'g'), '$1');
  s = s.replace(new RegExp(`([${cjk}])[ ]+(?=[\u3400-\u9fff])`, 'g'), '$1');
  return { text: dropPageFurniture(s.split('\n')).join('\n'), converted };
}

function loadConverter(): Converter {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const OpenCC = require('opencc-js') as { Converter(o: { from: string; to: string }): Converter };
  return OpenCC.Converter({ from: 't', to: 'cn' });
}
