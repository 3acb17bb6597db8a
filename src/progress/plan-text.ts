import fs from 'node:fs';
import path from 'node:path';
import iconv from 'iconv-lite';
import { InputError } from '../cli/errors';
import { normalizeText } from '../text/normalize';

/** The plan formats `tasks extract` reads. */
const TEXT_EXTS = new Set(['.txt', '.md', '.text']);

/**
 * A plan's text as a person would read it: .txt/.md in UTF-8 (with or without BOM) or GB18030,
 * .docx as its raw paragraphs (mammoth). Throws InputError for other formats.
 */
export async function readPlanFile(file: string): Promise<string> {
  if (!fs.existsSync(file) || !fs.statSync(file).isFile()) {
    throw new InputError(`找不到文件“${file}”。`, '请检查路径是否正确。', undefined, 'FILE_NOT_FOUND');
  }
  const ext = path.extname(file).toLowerCase();
  if (ext === '.docx') {
    // mammoth is only needed for Word files; loading it lazily keeps other commands fast
    const mammoth = await import('mammoth');
    try {
      const res = await mammoth.extractRawText({ path: file });
      return res.value;
    } catch (err) {
      throw new InputError(`无法读取 Word 文件“${path.basename(file)}”：${(err as Error).message}`, '请确认文件是 .docx（不是旧版 .doc），可在 Word/WPS 中“另存为” .docx 后重试。', undefined, 'BAD_FILE');
    }
  }
  if (ext === '.doc' || ext === '.wps') {
    throw new InputError(`不支持旧版 Word 格式“${path.basename(file)}”。`, '请在 Word 或 WPS 中“另存为” .docx 后再提取。', undefined, 'BAD_FILE');
  }
  if (!TEXT_EXTS.has(ext)) {
    throw new InputError(`不支持的文件类型“${path.basename(file)}”：只能读取 .txt、.md 或 .docx。`, 'PDF 请先另存为 .docx 或复制为 .txt。', undefined, 'BAD_FILE');
  }
  const buf = fs.readFileSync(file);
  return decodeText(buf);
}

/** UTF-8 when the bytes are valid UTF-8 (BOM dropped), else GB18030, which covers GBK and GB2312. */
function decodeText(buf: Buffer): string {
  const utf8 = new TextDecoder('utf-8', { fatal: false }).decode(buf);
  if (!utf8.includes('\uFFFD')) return utf8.replace(/^\uFEFF/, '');
  return iconv.decode(buf, 'gb18030');
}

/** Pinyin after a character, as some web pages gloss Traditional text: 區(qū), 業(yè). */
const PINYIN_GLOSS = /([\u3400-\u9fff])\(([a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿ]{1,7})\)/g;

type Converter = (s: string) => string;
let t2cn: Converter | undefined;

/**
 * Text ready for the extractor: line breaks and spaces cleaned, pinyin glosses dropped, Traditional
 * characters converted to Simplified (opencc) when the text is Traditional, and the spaces a PDF
 * leaves inside Chinese words ("市 场监管局") removed.
 */
export function normalizePlanText(raw: string): { text: string; converted: boolean } {
  let s = normalizeText(raw).replace(PINYIN_GLOSS, '$1');
  let converted = false;
  const han = s.match(/[\u3400-\u9fff]/g)?.length ?? 0;
  if (han > 0) {
    t2cn ??= loadConverter();
    const simp = t2cn(s);
    let changed = 0;
    for (let i = 0; i < s.length && i < simp.length; i++) if (s[i] !== simp[i]) changed++;
    // Simplified text changes in a few characters at most (著, 乾 …); Traditional text in many.
    if (changed / han > 0.02) {
      s = simp;
      converted = true;
    }
  }
  const cjk = '\u3400-\u9fff，。、；：“”‘’（）《》！？';
  s = s.replace(new RegExp(`([${cjk}])[ \\t]+(?=[${cjk}])`, 'g'), '$1');
  return { text: s, converted };
}

function loadConverter(): Converter {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const OpenCC = require('opencc-js') as { Converter(o: { from: string; to: string }): Converter };
  return OpenCC.Converter({ from: 't', to: 'cn' });
}
