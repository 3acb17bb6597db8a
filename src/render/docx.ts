/**
 * A Word document from the Markdown blocks, built with the `docx` package (real OOXML: Word, WPS and
 * LibreOffice see headings in the navigation pane, numbered lists with Word numbering, tables with a
 * repeating header row).
 *
 * Why from the rendered Markdown rather than from the guide model directly: the templates are the one
 * place the wording lives. A user who overrides `guide.hbs` changes the .md, the .html and the .docx
 * alike; a docx built from the model would silently keep the built-in wording. The mapping is small
 * (headings, paragraphs, lists, tables, bold, alignment) and tested on its own.
 *
 * Layout follows GB/T 9704-2012 (党政机关公文格式): A4; margins 天头 37 mm, 下白边 35 mm, 订口 28 mm,
 * 翻口 26 mm (a 156 × 225 mm 版心); title 2号 (22 pt) 方正小标宋简体, body 3号 (16 pt) 仿宋_GB2312 at a
 * fixed 28 pt line; first-level headings 黑体, second 楷体, third 仿宋 bold; page numbers 4号 宋体 as
 * “— 1 —”, odd pages right, even pages left.
 *
 * Most PCs outside government offices lack 方正小标宋简体 and the *_GB2312 faces. OOXML has one
 * fallback per font, in word/fontTable.xml: an alternative name (小标宋 → 宋体, 仿宋_GB2312 → 仿宋,
 * 楷体_GB2312 → 楷体), then charset, family, pitch and PANOSE for matching when neither name is
 * installed. The `docx` package writes that table empty, so the package carries its own (FONT_INFO).
 */
import {
  AlignmentType,
  BorderStyle,
  Document,
  Footer,
  HeadingLevel,
  LevelFormat,
  LevelSuffix,
  LineRuleType,
  Packer,
  PageNumber,
  Paragraph,
  Table,
  TableCell,
  TableRow,
  TextRun,
  WidthType,
  type IRunOptions,
  type ParagraphChild,
} from 'docx';
import type { Align, Block, Span } from './markdown';
import { xmlChars } from '../text/controls';

const FONT = {
  body: '仿宋_GB2312',
  title: '方正小标宋简体',
  hei: '黑体',
  kai: '楷体_GB2312',
  song: '宋体',
  latin: 'Times New Roman',
};
/**
 * The font table entry of each face in FONT, with PANOSE, charset, family and pitch as Word and WPS
 * record these faces (charset 86 is GB2312; *_GB2312 take 楷体's modern/fixed, where WPS writes pitch
 * "default"). 小标宋 carries 宋体's PANOSE so that a Song face is matched where neither name is
 * installed; the *_GB2312 faces keep their own (…0903…), which 宋体's (…0003…, 0 = any) matches and
 * 黑体's (…0906…) does not.
 */
const FONT_INFO: Record<keyof typeof FONT, { altName?: string; panose1: string; charset: string; family: string; pitch: string }> = {
  body: { altName: '仿宋', panose1: '02010609030101010101', charset: '86', family: 'modern', pitch: 'fixed' },
  title: { altName: '宋体', panose1: '02010600030101010101', charset: '86', family: 'auto', pitch: 'variable' },
  hei: { altName: 'SimHei', panose1: '02010609060101010101', charset: '86', family: 'modern', pitch: 'fixed' },
  kai: { altName: '楷体', panose1: '02010609030101010101', charset: '86', family: 'modern', pitch: 'fixed' },
  song: { altName: 'SimSun', panose1: '02010600030101010101', charset: '86', family: 'auto', pitch: 'variable' },
  latin: { panose1: '02020603050405020304', charset: '00', family: 'roman', pitch: 'variable' },
};
const font = (eastAsia: string) => ({ ascii: FONT.latin, hAnsi: FONT.latin, eastAsia, cs: FONT.latin });

/** Sizes in half-points: 2号 = 22 pt, 3号 = 16 pt, 4号 = 14 pt, 小四 = 12 pt. */
const SIZE = { title: 44, body: 32, footer: 28, table: 24 };
const MM = (mm: number) => Math.round((mm / 25.4) * 1440);
const INDENT_2CH = 640; // two 16-pt characters, in twips
const LINE_28PT = 560;

const ALIGN: Record<Align, (typeof AlignmentType)[keyof typeof AlignmentType]> = {
  left: AlignmentType.BOTH,
  right: AlignmentType.RIGHT,
  center: AlignmentType.CENTER,
};

function runs(list: Span[], extra: Partial<IRunOptions> = {}): ParagraphChild[] {
  return list.map((s) => (s.br ? new TextRun({ ...extra, text: '', break: 1 }) : new TextRun({ ...extra, text: s.text, ...(s.bold ? { bold: true } : {}) })));
}

const HEADINGS = [HeadingLevel.TITLE, HeadingLevel.HEADING_1, HeadingLevel.HEADING_2, HeadingLevel.HEADING_3, HeadingLevel.HEADING_4, HeadingLevel.HEADING_4];

function table(b: Extract<Block, { kind: 'table' }>): Table {
  // Font, size, spacing and alignment come from the two table paragraph styles and the margins from
  // the table: a material list has hundreds of cells, and per-cell properties cost time and bytes.
  const cell = (content: Span[], header: boolean) =>
    new TableCell({ children: [new Paragraph({ style: header ? 'TableHeader' : 'TableText', children: runs(content) })] });
  return new Table({
    width: { size: 100, type: WidthType.PERCENTAGE },
    margins: { top: 40, bottom: 40, left: 80, right: 80 },
    rows: [
      new TableRow({ tableHeader: true, cantSplit: true, children: b.header.map((c) => cell(c, true)) }),
      ...b.rows.map((r) => new TableRow({ cantSplit: true, children: r.map((c) => cell(c, false)) })),
    ],
  });
}

function pageNumber(align: 'right' | 'left'): Footer {
  return new Footer({
    children: [
      new Paragraph({
        alignment: align === 'right' ? AlignmentType.RIGHT : AlignmentType.LEFT,
        indent: align === 'right' ? { right: 280 } : { left: 280 },
        children: [new TextRun({ children: ['— ', PageNumber.CURRENT, ' —'], font: font(FONT.song), size: SIZE.footer })],
      }),
    ],
  });
}

/** The document's parts, in order. Each separate list restarts its numbering at 1. */
export function blocksToDocxChildren(blocks: Block[]): Array<Paragraph | Table> {
  const out: Array<Paragraph | Table> = [];
  let listInstance = 0;
  for (const b of blocks) {
    switch (b.kind) {
      case 'heading':
        out.push(new Paragraph({ heading: HEADINGS[Math.min(b.level, 6) - 1], children: runs(b.spans) }));
        break;
      case 'paragraph':
        out.push(new Paragraph({ alignment: ALIGN[b.align], indent: b.align === 'left' ? { firstLine: INDENT_2CH } : undefined, children: runs(b.spans) }));
        break;
      case 'list': {
        listInstance++;
        for (const item of b.items) {
          if (item.task) {
            out.push(new Paragraph({ indent: { firstLine: INDENT_2CH }, children: [new TextRun({ text: '☐ ', font: font(FONT.song) }), ...runs(item.spans)] }));
          } else {
            out.push(new Paragraph({ numbering: { reference: b.ordered ? 'ol' : 'ul', level: 0, instance: listInstance }, children: runs(item.spans) }));
          }
        }
        break;
      }
      case 'table':
        out.push(table(b));
        // Word needs a paragraph between two tables or after a final one
        out.push(new Paragraph({ spacing: { line: 240, lineRule: LineRuleType.AUTO }, children: [] }));
        break;
      case 'rule':
        out.push(new Paragraph({ border: { bottom: { style: BorderStyle.SINGLE, size: 6, color: '000000', space: 1 } }, children: [] }));
        break;
    }
  }
  return out;
}

const xmlEscape = (t: string) => xmlChars(t).replace(/[<>&"']/g, (c) => `&${{ '<': 'lt', '>': 'gt', '&': 'amp', '"': 'quot', "'": 'apos' }[c]};`);

/**
 * docProps/core.xml as the `docx` package writes it, but with the document's own date instead of the
 * moment it was packed, so the same catalog and templates give the same bytes.
 */
function coreXml(title: string, date: string): string {
  const at = `${date}T00:00:00Z`;
  return (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>' +
    '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">' +
    `<dc:title>${xmlEscape(title)}</dc:title><dc:creator>yiye</dc:creator><cp:lastModifiedBy>yiye</cp:lastModifiedBy><cp:revision>1</cp:revision>` +
    `<dcterms:created xsi:type="dcterms:W3CDTF">${at}</dcterms:created><dcterms:modified xsi:type="dcterms:W3CDTF">${at}</dcterms:modified>` +
    '</cp:coreProperties>'
  );
}

let fontTable: string | undefined;

/** word/fontTable.xml: one <w:font> per FONT entry, children in CT_Font's schema order. */
function fontTableXml(): string {
  const val = (el: string, v: string) => `<w:${el} w:val="${xmlEscape(v)}"/>`;
  const fonts = (Object.keys(FONT) as Array<keyof typeof FONT>).map((k) => {
    const f = FONT_INFO[k];
    return (
      `<w:font w:name="${xmlEscape(FONT[k])}">` +
      (f.altName ? val('altName', f.altName) : '') +
      val('panose1', f.panose1) +
      val('charset', f.charset) +
      val('family', f.family) +
      val('pitch', f.pitch) +
      '</w:font>'
    );
  });
  return (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>' +
    '<w:fonts xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">' +
    fonts.join('') +
    '</w:fonts>'
  );
}

/**
 * Sets every entry's modification time in a zip (local headers and central directory) to `date`,
 * 00:00. The zip writer inside `docx` stamps the current time and takes no option for it; the time
 * fields are outside the checksummed data, so they can be rewritten in place.
 */
export function stampZipTimes(zip: Buffer, date: string): Buffer {
  const [y, m, d] = date.split('-').map(Number);
  const dosDate = ((Math.max(1980, y) - 1980) << 9) | (m << 5) | d;
  for (let i = 0; i + 30 <= zip.length; ) {
    const sig = zip.readUInt32LE(i);
    if (sig === 0x04034b50) {
      // local file header: time at +10, date at +12; the data follows name and extra field
      zip.writeUInt16LE(0, i + 10);
      zip.writeUInt16LE(dosDate, i + 12);
      i += 30 + zip.readUInt16LE(i + 26) + zip.readUInt16LE(i + 28) + zip.readUInt32LE(i + 18);
    } else if (sig === 0x02014b50) {
      // central directory entry: time at +12, date at +14
      zip.writeUInt16LE(0, i + 12);
      zip.writeUInt16LE(dosDate, i + 14);
      i += 46 + zip.readUInt16LE(i + 28) + zip.readUInt16LE(i + 30) + zip.readUInt16LE(i + 32);
    } else {
      break; // end of central directory
    }
  }
  return zip;
}

/**
 * A .docx package as bytes. `properties` become custom document properties (the fingerprint);
 * `date` (YYYY-MM-DD, the document's date) stands for every timestamp in the package, so generating
 * again gives identical bytes.
 */
export async function blocksToDocx(blocks: Block[], opts: { title: string; date: string; properties?: Record<string, string> }): Promise<Buffer> {
  const heading = (id: string, name: string, eastAsia: string, extra: { bold?: boolean } = {}) => ({
    id,
    name,
    basedOn: 'Normal',
    next: 'Normal',
    quickFormat: true,
    run: { font: font(eastAsia), size: SIZE.body, bold: extra.bold ?? false, color: '000000' },
    paragraph: { indent: { firstLine: INDENT_2CH }, spacing: { before: 0, after: 0, line: LINE_28PT, lineRule: LineRuleType.EXACT }, keepNext: true },
  });
  const doc = new Document({
    title: opts.title,
    creator: 'yiye',
    customProperties: Object.entries(opts.properties ?? {}).map(([name, value]) => ({ name, value })),
    evenAndOddHeaderAndFooters: true,
    styles: {
      default: {
        document: {
          run: { font: font(FONT.body), size: SIZE.body },
          paragraph: { spacing: { line: LINE_28PT, lineRule: LineRuleType.EXACT, before: 0, after: 0 } },
        },
      },
      paragraphStyles: [
        {
          id: 'Title',
          name: 'Title',
          basedOn: 'Normal',
          next: 'Normal',
          quickFormat: true,
          run: { font: font(FONT.title), size: SIZE.title, bold: false, color: '000000' },
          paragraph: { alignment: AlignmentType.CENTER, spacing: { before: 0, after: LINE_28PT, line: 720, lineRule: LineRuleType.EXACT } },
        },
        {
          id: 'TableText',
          name: 'Table Text',
          basedOn: 'Normal',
          quickFormat: true,
          run: { size: SIZE.table },
          paragraph: { alignment: AlignmentType.LEFT, spacing: { line: 300, lineRule: LineRuleType.AUTO } },
        },
        { id: 'TableHeader', name: 'Table Header', basedOn: 'TableText', quickFormat: true, run: { font: font(FONT.hei) }, paragraph: { alignment: AlignmentType.CENTER } },
        heading('Heading1', 'heading 1', FONT.hei),
        heading('Heading2', 'heading 2', FONT.kai),
        heading('Heading3', 'heading 3', FONT.body, { bold: true }),
        heading('Heading4', 'heading 4', FONT.body),
      ],
    },
    numbering: {
      config: [
        { reference: 'ol', levels: [{ level: 0, format: LevelFormat.DECIMAL, text: '%1.', suffix: LevelSuffix.NOTHING, style: { paragraph: { indent: { left: 0, firstLine: INDENT_2CH } } } }] },
        { reference: 'ul', levels: [{ level: 0, format: LevelFormat.BULLET, text: '·', suffix: LevelSuffix.SPACE, style: { paragraph: { indent: { left: 0, firstLine: INDENT_2CH } } } }] },
      ],
    },
    sections: [
      {
        properties: {
          page: {
            size: { width: 11906, height: 16838 },
            margin: { top: MM(37), bottom: MM(35), left: MM(28), right: MM(26), footer: MM(18), header: MM(15) },
          },
        },
        footers: { default: pageNumber('right'), even: pageNumber('left') },
        children: blocksToDocxChildren(blocks),
      },
    ],
  });
  const buf = await Packer.toBuffer(doc, false, [
    { path: 'docProps/core.xml', data: coreXml(opts.title, opts.date) },
    { path: 'word/fontTable.xml', data: (fontTable ??= fontTableXml()) },
  ]);
  return stampZipTimes(buf, opts.date);
}
