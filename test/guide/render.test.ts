import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseMarkdown, escapeMarkdown, parseInline, spanText } from '../../src/render/markdown';
import { chineseNumber, chineseDate, headingNumber } from '../../src/render/helpers';
import { addWorkdays, knownYearsText, type HolidayCalendar } from '../../src/render/workdays';
import { Renderer, toView, packageTemplatesDir } from '../../src/render/engine';
import { blocksToHtml } from '../../src/render/html';
import { blocksToDocx } from '../../src/render/docx';
import { readZipEntry } from '../../src/guide/marker';
import { safeSegment, resolveInside } from '../../src/guide/paths';
import { InputError } from '../../src/cli/errors';

const tmp = () => fs.mkdtempSync(path.join(process.env.YIYE_TEST_TMP ?? os.tmpdir(), 'render-'));
const write = (dir: string, rel: string, text: string) => {
  fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
  fs.writeFileSync(path.join(dir, rel), text);
};
const view = (v: unknown) => toView(v);

describe('Chinese numbers, dates and heading numbers', () => {
  it('writes numbers as official documents do', () => {
    expect([1, 2, 10, 11, 15, 20, 21, 99, 100, 105, 110, 2021].map(chineseNumber)).toEqual(['一', '二', '十', '十一', '十五', '二十', '二十一', '九十九', '一百', '一百零五', '一百一十', '二千零二十一']);
  });
  it('writes dates as 2021年3月31日 without leading zeros', () => {
    expect(chineseDate('2021-03-31')).toBe('2021年3月31日');
    expect(chineseDate('2021-10-01')).toBe('2021年10月1日');
  });
  it('numbers headings 一、（一）1.（1）and restarts deeper levels', () => {
    const c = [0, 0, 0, 0];
    expect([headingNumber(c, 1), headingNumber(c, 2), headingNumber(c, 2), headingNumber(c, 3), headingNumber(c, 1), headingNumber(c, 2), headingNumber(c, 4)]).toEqual(['一、', '（一）', '（二）', '1. ', '二、', '（一）', '（1）']);
  });
});

describe('working days', () => {
  it('counts Chinese working days from the day after acceptance (holidays and 调休 included)', () => {
    expect(addWorkdays('2021-09-28', 20)).toEqual({ date: '2021-11-01', approximate: false, missingYears: [] });
    // 2021-02-07 (Sunday) was a make-up working day before the Spring Festival
    expect(addWorkdays('2021-02-05', 1)).toEqual({ date: '2021-02-07', approximate: false, missingYears: [] });
    expect(addWorkdays('2021-10-01', 0)).toEqual({ date: '2021-10-08', approximate: false, missingYears: [] });
  });
  it('falls back to weekends only, flagged with the missing years, beyond the calendar data (2004–2026)', () => {
    expect(addWorkdays('2027-01-04', 5)).toEqual({ date: '2027-01-11', approximate: true, missingYears: [2027] });
    expect(addWorkdays('2026-12-28', 10)).toMatchObject({ approximate: true, missingYears: [2027] });
    expect(addWorkdays('2003-06-02', 1)).toEqual({ date: '2003-06-03', approximate: true, missingYears: [2003] });
  });
  it('uses an imported year before the bundled data, and counts it as known', () => {
    const cal: HolidayCalendar = { years: new Set([2027, 2026]), offDays: new Set(['2027-01-01', '2027-01-05', '2026-12-31']), workDays: new Set(['2027-01-09']) };
    // 2027-01-05 off, 2027-01-09 (Saturday) worked
    expect(addWorkdays('2027-01-04', 4, cal)).toEqual({ date: '2027-01-09', approximate: false, missingYears: [] });
    expect(addWorkdays('2027-01-01', 0, cal).date).toBe('2027-01-04');
    // the imported 2026 replaces the bundled one: 2026-12-31 off there
    expect(addWorkdays('2026-12-30', 1, cal).date).toBe('2027-01-04');
    expect(addWorkdays('2026-12-30', 1).date).toBe('2026-12-31');
    expect(knownYearsText(cal)).toBe('2004—2027年');
    expect(knownYearsText({ ...cal, years: new Set([2029, 2030]) })).toBe('2004—2026年、2029—2030年');
  });
});

describe('Markdown subset', () => {
  it('parses headings, paragraphs with hard breaks, lists, tick boxes, tables and aligned blocks', () => {
    const blocks = parseMarkdown(
      ['<!-- meta -->', '# 标题', '', '正文第一行', '接续\\', '换行', '', '1. 甲', '2. 乙', '', '- [ ] 销售酒类商品的', '', '| 序号 | 名称 |', '| --- | --- |', '| 1 | A\\|B |', '', '::: right', '落款\\', '2021年3月31日', ':::'].join('\n'),
    );
    expect(blocks.map((b) => b.kind)).toEqual(['heading', 'paragraph', 'list', 'list', 'table', 'paragraph']);
    expect(spanText((blocks[1] as Extract<(typeof blocks)[number], { kind: 'paragraph' }>).spans)).toBe('正文第一行接续\n换行');
    expect(blocks[3]).toMatchObject({ ordered: false, items: [{ task: true }] });
    const table = blocks[4] as Extract<(typeof blocks)[number], { kind: 'table' }>;
    expect(spanText(table.rows[0][1])).toBe('A|B');
    expect(blocks[5]).toMatchObject({ kind: 'paragraph', align: 'right' });
  });
  it('escapes catalog text so it cannot change the structure', () => {
    const evil = '# 标题 | **粗** <script>alert(1)</script>\n- 项';
    const md = `| a |\n| --- |\n| ${escapeMarkdown(evil)} |`;
    const blocks = parseMarkdown(md);
    expect(blocks).toHaveLength(1);
    const cell = (blocks[0] as Extract<(typeof blocks)[number], { kind: 'table' }>).rows[0][0];
    expect(spanText(cell)).toBe('# 标题 | **粗** <script>alert(1)</script>；- 项');
    expect(cell.every((s) => !s.bold)).toBe(true);
    expect(parseInline(escapeMarkdown('1. 不是列表'))).toEqual([{ text: '1. 不是列表' }]);
  });
  it('HTML-escapes everything it prints', () => {
    const html = blocksToHtml(parseMarkdown(escapeMarkdown('<img src=x onerror=alert(1)> & "引号"')), { title: '<t>', meta: { 'yiye-guide': '{"a":"<b>"}' } });
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt; &amp; &quot;引号&quot;');
    expect(html).toContain('<title>&lt;t&gt;</title>');
    expect(html).toContain('@page { size: A4; margin: 37mm 26mm 35mm 28mm; }');
  });
});

describe('Renderer', () => {
  it('loads the package templates from its own location', () => {
    expect(fs.existsSync(path.join(packageTemplatesDir(), 'rules.hbs'))).toBe(true);
    const r = new Renderer();
    for (const t of ['rules', 'guide', 'notice', 'pledge', 'form']) expect(r.has(t)).toBe(true);
  });

  it('lets a user directory override a document and a partial by file name', () => {
    const dir = tmp();
    write(dir, 'notice.hbs', '# 自定义告知单\n\n{{> catalog-note}}\n');
    write(dir, 'partials/catalog-note.hbs', '目录指纹：{{fingerprint}}，日期：{{cnDate date}}。');
    write(dir, 'noitce.hbs', 'typo');
    const r = new Renderer({ templatesDir: dir });
    expect(r.render('notice', view({ fingerprint: 'sha256:abc', date: '2021-03-31' })).text.trim()).toBe('# 自定义告知单\n\n目录指纹：sha256:abc，日期：2021年3月31日。');
    expect(r.ignored.map((f) => path.basename(f))).toEqual(['noitce.hbs']);
    expect(r.files.find((f) => f.name === 'rules')?.overridden).toBe(false);
  });

  it('gives a template nothing through constructor, __proto__ or lookup', () => {
    const dir = tmp();
    const attacks = [
      '{{constructor.constructor}}',
      '{{#with constructor}}{{name}}{{/with}}',
      '{{lookup this "constructor"}}',
      '{{lookup (lookup this "__proto__") "constructor"}}',
      '{{__proto__}}',
      '{{#each this}}{{@key}}{{/each}}{{lookup name "constructor"}}',
      '{{#with "s" as |s|}}{{lookup s "constructor"}}{{/with}}',
    ];
    for (const attack of attacks) {
      write(dir, 'form.hbs', `A${attack}Z`);
      const r = new Renderer({ templatesDir: dir });
      let out = '';
      try {
        out = r.render('form', view({ name: '便利店' })).text;
      } catch (e) {
        // strict mode refuses the lookup outright: an error naming the template, not a leak
        expect(e).toBeInstanceOf(InputError);
        expect((e as Error).message).toContain('form.hbs');
        continue;
      }
      expect(out).not.toMatch(/function|Function|Object|\[native code\]|String/);
    }
  });

  it('refuses helpers it does not know and has no log helper', () => {
    const dir = tmp();
    write(dir, 'form.hbs', 'x\n{{log "hi"}}');
    expect(() => new Renderer({ templatesDir: dir })).toThrow(/form\.hbs 第 2 行：使用了不允许的辅助函数 log/);
  });

  it('names the file and line of a syntax error before rendering anything', () => {
    const dir = tmp();
    write(dir, 'guide.hbs', '# 标题\n\n正文\n{{#if industry}}\n未闭合\n');
    try {
      new Renderer({ templatesDir: dir });
      throw new Error('no error');
    } catch (e) {
      expect(e).toBeInstanceOf(InputError);
      expect((e as InputError).message).toMatch(/guide\.hbs 第 \d+ 行：语法错误/);
      expect((e as InputError).details).toMatchObject({ template: path.join(dir, 'guide.hbs') });
    }
    write(dir, 'guide.hbs', '# 标题\n\n{{ industry.name }\n');
    expect(() => new Renderer({ templatesDir: dir })).toThrow(/guide\.hbs 第 3 行/);
  });

  it('names the file and line of a missing field, also inside a partial', () => {
    const dir = tmp();
    write(dir, 'rules.hbs', '# 标题\n\n第三行 {{industry.nmae}}\n');
    expect(() => new Renderer({ templatesDir: dir }).render('rules', view({ industry: { name: '便利店' } }))).toThrow('模板 ' + path.join(dir, 'rules.hbs') + ' 第 3 行：字段“nmae”不存在');
    const dir2 = tmp();
    write(dir2, 'rules.hbs', '# 标题\n{{> oops}}\n');
    write(dir2, 'partials/oops.hbs', 'a\nb {{missing}}\n');
    expect(() => new Renderer({ templatesDir: dir2 }).render('rules', view({}))).toThrow(/partials\/oops\.hbs 第 2 行：字段“missing”不存在/);
  });

  it('refuses a --templates folder that does not exist', () => {
    expect(() => new Renderer({ templatesDir: '/nonexistent/yiye-templates' })).toThrow(InputError);
  });
});

describe('docx from the Markdown blocks', () => {
  it('has real headings, Word numbering, a table with a repeating header and GB/T 9704 page setup', async () => {
    const blocks = parseMarkdown('# 标题\n\n## 一、总则\n\n### （一）范围\n\n正文。\n\n1. 甲\n2. 乙\n\n| 序号 | 材料名称 |\n| --- | --- |\n| 1 | 营业执照 |\n');
    const file = path.join(tmp(), 'a.docx');
    fs.writeFileSync(file, await blocksToDocx(blocks, { title: '标题', date: '2021-03-01', properties: { 'yiye-guide': '{"x":1}' } }));
    const xml = (await readZipEntry(file, 'word/document.xml'))!;
    expect(xml).toContain('<w:pStyle w:val="Title"/>');
    expect(xml).toContain('<w:pStyle w:val="Heading1"/>');
    expect(xml).toContain('<w:pStyle w:val="Heading2"/>');
    expect(xml).toMatch(/<w:numPr><w:ilvl w:val="0"\/><w:numId w:val="\d+"\/><\/w:numPr>/);
    expect(xml).toContain('<w:tblHeader/>');
    expect(xml).toContain('<w:cantSplit/>');
    expect(xml).toContain('营业执照');
    expect(xml).toMatch(/<w:pgSz w:w="11906" w:h="16838"/);
    expect(xml).toMatch(/<w:pgMar w:top="2098" w:right="1474" w:bottom="1984" w:left="1587"/);
    const styles = (await readZipEntry(file, 'word/styles.xml'))!;
    expect(styles).toContain('w:eastAsia="方正小标宋简体"');
    expect(styles).toContain('w:eastAsia="仿宋_GB2312"');
    expect(styles).toContain('w:eastAsia="黑体"');
    expect(styles).toContain('w:eastAsia="楷体_GB2312"');
    const footer = (await readZipEntry(file, 'word/footer1.xml'))!;
    expect(footer).toContain('PAGE');
    expect(await readZipEntry(file, 'docProps/custom.xml')).toContain('yiye-guide');
  });

  it('declares every font it uses in the font table, with the fallback for machines that lack it', async () => {
    const file = path.join(tmp(), 'f.docx');
    fs.writeFileSync(file, await blocksToDocx(parseMarkdown('# 标题\n\n## 一、总则\n\n正文。\n'), { title: '标题', date: '2021-03-01' }));
    const table = (await readZipEntry(file, 'word/fontTable.xml'))!;
    const entry = (name: string) => new RegExp(`<w:font w:name="${name}">(.*?)</w:font>`).exec(table)?.[1];
    // schema order (CT_Font): altName, panose1, charset, family, pitch
    expect(entry('方正小标宋简体')).toBe('<w:altName w:val="宋体"/><w:panose1 w:val="02010600030101010101"/><w:charset w:val="86"/><w:family w:val="auto"/><w:pitch w:val="variable"/>');
    expect(entry('仿宋_GB2312')).toContain('<w:altName w:val="仿宋"/>');
    expect(entry('楷体_GB2312')).toContain('<w:altName w:val="楷体"/>');
    const styles = (await readZipEntry(file, 'word/styles.xml'))!;
    const used = [...new Set([...styles.matchAll(/w:eastAsia="([^"]+)"/g)].map((m) => m[1]))];
    expect(used.length).toBeGreaterThanOrEqual(4);
    for (const name of used) expect(entry(name)).toContain('<w:charset w:val="86"/>');
  });
});

describe('output paths', () => {
  it('makes any industry name one safe path component', () => {
    expect(safeSegment('../../evil')).not.toMatch(/[/\\]|\.\./);
    expect(safeSegment('a/b\\c:d*e?f"g<h>i|j')).toBe('a_b_c_d_e_f_g_h_i_j');
    expect(safeSegment('..')).toBe('_');
    expect(safeSegment('CON')).toBe('_CON');
    expect(safeSegment('咖啡店（茶馆）')).toBe('咖啡店（茶馆）');
    expect(safeSegment('')).toBe('_');
  });
  it('refuses a path outside the root', () => {
    expect(() => resolveInside('/tmp/out', '..', 'x')).toThrow();
    expect(resolveInside('/tmp/out', '便利店', 'rules.md')).toBe(path.resolve('/tmp/out/便利店/rules.md'));
  });
});
