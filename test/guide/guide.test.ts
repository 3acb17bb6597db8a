/**
 * Guide generation on the pudong fixture catalog, on SQLite and PostgreSQL.
 *
 * Golden files: test/guide/golden/<industry>/<type>.<md|html> hold the expected documents of two
 * industries (便利店 and 宾馆) generated with the fixed date 2021-03-01. After an intended change to a
 * template or the model, regenerate them and review the diff:
 *
 *   UPDATE_GOLDEN=1 npx jest test/guide/guide.test.ts
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Db } from '../../src/db';
import { importCatalog } from '../../src/catalog/service';
import { checkGuides, generateGuides, guideMetrics, loadModels } from '../../src/guide/service';
import { readZipEntry, readMarker } from '../../src/guide/marker';
import { parseMarkdown, spanText } from '../../src/render/markdown';
import { InputError } from '../../src/cli/errors';
import { backends } from '../helpers/db';
import { PUDONG_BASE, freshWorkspace } from '../helpers/workspace';

const GOLDEN = path.join(__dirname, 'golden');
const DATE = '2021-03-01';
const tmp = () => fs.mkdtempSync(path.join(process.env.YIYE_TEST_TMP ?? os.tmpdir(), 'guide-'));
const now = '2021-01-07T00:00:00.000Z';

/** Adds an industry with its matters straight into the catalog tables (shapes an import cannot make). */
async function addIndustry(
  db: Db,
  spec: { name: string; lead?: string; matters: Array<{ name: string; legalBasis?: string | null; days?: number | null; mandatory?: boolean; condition?: string; materials: string[] }> },
): Promise<void> {
  let leadId: number | null = null;
  if (spec.lead) {
    await db('departments').insert({ name: spec.lead, created_at: now }).onConflict('name').ignore();
    leadId = (await db('departments').where({ name: spec.lead }).first()).id;
  }
  const [ind] = await db('industries').insert({ name: spec.name, lead_department_id: leadId, created_at: now, updated_at: now }).returning('id');
  const industryId = typeof ind === 'object' ? ind.id : ind;
  let seq = 0;
  for (const m of spec.matters) {
    const [row] = await db('matters')
      .insert({ name: m.name, legal_basis: m.legalBasis ?? null, committed_limit_days: m.days ?? null, reform_mode: '优化审批服务', created_at: now, updated_at: now })
      .returning('id');
    const matterId = typeof row === 'object' ? row.id : row;
    for (const [i, name] of m.materials.entries()) await db('materials').insert({ matter_id: matterId, seq: i + 1, name });
    await db('industry_matters').insert({ industry_id: industryId, matter_id: matterId, mandatory: m.mandatory ?? true, condition: m.condition ?? null, seq: seq++ });
  }
}

function assertClean(text: string, where: string): void {
  for (const bad of ['undefined', '[object Object]', '{{', 'NaN', 'null']) {
    if (text.includes(bad)) throw new Error(`${where} contains "${bad}"`);
  }
  for (const b of parseMarkdown(text.replace(/^<!--.*-->$/m, ''))) {
    if (b.kind === 'table') {
      if (b.rows.length === 0) throw new Error(`${where} has a table without rows`);
      if (b.rows.every((r) => r.every((c) => spanText(c).trim() === ''))) throw new Error(`${where} has an empty table`);
    }
    if (b.kind === 'heading' && spanText(b.spans).trim() === '') throw new Error(`${where} has an empty heading`);
  }
}

describe.each(backends())('guide on %s', (backend) => {
  let db: Db;
  beforeEach(async () => {
    ({ db } = await freshWorkspace(backend));
    await importCatalog(db, PUDONG_BASE, { actor: 'test' });
  });
  afterEach(async () => {
    await db.destroy();
  });

  it('matches the golden documents of 便利店 and 宾馆 in Markdown and HTML', async () => {
    const out = tmp();
    const r = await generateGuides(db, { industries: ['便利店', '宾馆'], formats: ['md', 'html'], out, date: DATE });
    expect(r.files).toHaveLength(20);
    expect(r.warnings).toEqual([]);
    for (const f of r.files) {
      const rel = path.relative(out, f.path);
      const golden = path.join(GOLDEN, rel);
      const text = fs.readFileSync(f.path, 'utf8');
      if (process.env.UPDATE_GOLDEN === '1' && backend === 'sqlite') {
        fs.mkdirSync(path.dirname(golden), { recursive: true });
        fs.writeFileSync(golden, text);
      }
      expect({ file: rel, text }).toEqual({ file: rel, text: fs.readFileSync(golden, 'utf8') });
    }
  });

  it('writes every document of every industry without undefined, [object Object], {{ or empty tables', async () => {
    const out = tmp();
    const r = await generateGuides(db, { all: true, formats: ['md', 'html'], out, date: DATE });
    expect(r.industries).toBe(31);
    expect(r.files).toHaveLength(31 * 5 * 2);
    for (const f of r.files) {
      const text = fs.readFileSync(f.path, 'utf8');
      if (f.format === 'md') assertClean(text, path.relative(out, f.path));
      else for (const bad of ['undefined', '[object Object]', '{{', '<table>\n<thead><tr></tr></thead>', '<tbody>\n\n</tbody>']) expect(text.includes(bad) ? `${f.path}: ${bad}` : '').toBe('');
    }
    expect(r.warnings).toEqual([]);
    // 养老机构's 必办 matter is 直接取消审批: said once, not applied for
    expect(fs.readFileSync(path.join(out, '养老机构', 'guide.md'), 'utf8')).toContain('养老机构设立许可已直接取消审批，无需申请。');
  });

  it('builds the same Word bytes every time, matching the golden document.xml of 便利店', async () => {
    const [a, b] = [tmp(), tmp()];
    await generateGuides(db, { industries: ['便利店'], formats: ['docx'], out: a, date: DATE });
    await generateGuides(db, { industries: ['便利店'], formats: ['docx'], out: b, date: DATE });
    for (const type of ['rules', 'guide', 'notice', 'pledge', 'form']) {
      const file = path.join('便利店', `${type}.docx`);
      expect({ file, same: fs.readFileSync(path.join(a, file)).equals(fs.readFileSync(path.join(b, file))) }).toEqual({ file, same: true });
      // one paragraph or table row a line, so a golden diff reads like the document
      const xml = (await readZipEntry(path.join(a, file), 'word/document.xml'))!.replace(/(<\/w:p>|<\/w:tr>)/g, '$1\n');
      const golden = path.join(GOLDEN, '便利店', `${type}.docx.xml`);
      if (process.env.UPDATE_GOLDEN === '1' && backend === 'sqlite') fs.writeFileSync(golden, xml);
      expect({ file, xml }).toEqual({ file, xml: fs.readFileSync(golden, 'utf8') });
      const core = (await readZipEntry(path.join(a, file), 'docProps/core.xml'))!;
      expect(core).toContain(`<dcterms:created xsi:type="dcterms:W3CDTF">${DATE}T00:00:00Z</dcterms:created>`);
    }
  });

  it('builds Word documents with headings, tables and the merged material list', async () => {
    const out = tmp();
    const r = await generateGuides(db, { industries: ['便利店'], formats: ['docx'], out, date: DATE });
    expect(r.files.map((f) => path.relative(out, f.path))).toEqual(['rules', 'guide', 'notice', 'pledge', 'form'].map((t) => path.join('便利店', `${t}.docx`)));
    const xml = (await readZipEntry(path.join(out, '便利店', 'notice.docx'), 'word/document.xml'))!;
    expect(xml).toContain('<w:pStyle w:val="Title"/>');
    expect(xml).toContain('便利店行业综合许可一次告知单');
    expect(xml).toContain('<w:pStyle w:val="Heading1"/>');
    expect(xml).toContain('一、需要办理的事项');
    expect(xml.match(/<w:tbl>/g)?.length).toBeGreaterThanOrEqual(2);
    expect(xml).toContain('经营场所产权证明或租赁合同');
    expect(xml).toContain('酒类商品零售许可、第二类医疗器械经营备案、烟草专卖零售许可');
    expect(xml).not.toMatch(/undefined|\[object Object\]|\{\{/);
    const form = (await readZipEntry(path.join(out, '便利店', 'form.docx'), 'word/document.xml'))!;
    expect(form).toContain('☐');
    expect(form).toContain('销售酒类商品的');
    expect(await readMarker(path.join(out, '便利店', 'form.docx'))).toMatchObject({ industry: '便利店', type: 'form', date: DATE });
  });

  it('merges the materials of 便利店 so one shared by three matters appears once, and metrics count it', async () => {
    const [model] = await loadModels(db, { industries: ['便利店'], date: DATE });
    const premises = model.materials.filter((m) => m.name === '经营场所产权证明或租赁合同');
    expect(premises).toHaveLength(1);
    expect(premises[0].matters).toEqual(['酒类商品零售许可', '第二类医疗器械经营备案', '烟草专卖零售许可']);
    const licence = model.materials.find((m) => m.name === '营业执照')!;
    expect(licence.matters).toHaveLength(5);
    const [metrics] = await guideMetrics(db, { industry: '便利店' });
    // 24 materials asked by 5 departments; 营业执照 ×5 → 1, 产权证明 ×3 → 1: 24 − 4 − 2 = 18
    expect(metrics).toEqual({
      industry: '便利店',
      matters: 5,
      materialsBefore: 24,
      materialsAfter: 18,
      serialDays: 30,
      parallelDays: 15,
      inspectionsBefore: 3,
      inspectionsAfter: 1,
      approvalsBefore: 5,
      approvalsAfter: 1,
      windowsBefore: 3,
      windowsAfter: 1,
      materialsByCommitment: 1,
    });
    expect(model.time).toMatchObject({ acceptDate: DATE, parallelDate: '2021-03-22', serialDate: '2021-04-13', approximate: false });
    expect(model.options.map((o) => o.condition)).toEqual(['销售酒类商品的', '销售乙类非处方药的', '销售第二类医疗器械的', '销售卷烟的']);
  });

  it('merges messily written names of one material required by three matters', async () => {
    await addIndustry(db, {
      name: '测试行业',
      lead: '区测试局',
      matters: [
        { name: '甲许可', legalBasis: '《甲条例》', days: 5, materials: ['甲申请书', '《营业执照》复印件（加盖公章）'] },
        { name: '乙许可', legalBasis: '《乙条例》', days: 10, materials: ['营业执照副本', '乙制度'] },
        { name: '丙许可', legalBasis: '《丙条例》', days: 3, mandatory: false, condition: '开展丙业务的', materials: ['营业执照（原件及复印件）'] },
      ],
    });
    const [model] = await loadModels(db, { industries: ['测试行业'], date: DATE });
    const licence = model.materials.filter((m) => m.name === '营业执照');
    expect(licence).toHaveLength(1);
    expect(licence[0]).toMatchObject({ matters: ['甲许可', '乙许可', '丙许可'], sealed: true, form: '原件及复印件', requests: 3 });
    expect(model.metrics).toMatchObject({ materialsBefore: 5, materialsAfter: 3, serialDays: 18, parallelDays: 10 });
    const out = tmp();
    await generateGuides(db, { industries: ['测试行业'], types: ['notice'], formats: ['md'], out, date: DATE });
    const md = fs.readFileSync(path.join(out, '测试行业', 'notice.md'), 'utf8');
    expect(md).toContain('| 2 | 营业执照 | 原件及复印件 | 1 | 甲许可、乙许可、丙许可 | 加盖公章 |');
  });

  it('warns, naming them, about a matter without materials, legal basis or time limit and an industry without a lead; --strict refuses', async () => {
    await addIndustry(db, { name: '缺项行业', matters: [{ name: '空白许可', materials: [] }] });
    const out = tmp();
    const r = await generateGuides(db, { industries: ['缺项行业'], out, formats: ['md'], date: DATE });
    expect(r.warnings.map((w) => [w.code, w.matter])).toEqual([
      ['NO_LEAD_DEPARTMENT', null],
      ['NO_MATERIALS', '空白许可'],
      ['NO_LEGAL_BASIS', '空白许可'],
      ['NO_TIME_LIMIT', '空白许可'],
    ]);
    for (const f of r.files) assertClean(fs.readFileSync(f.path, 'utf8'), f.path);
    const rules = fs.readFileSync(path.join(out, '缺项行业', 'rules.md'), 'utf8');
    expect(rules).toContain('空白许可：设定依据待补充。');
    expect(rules).toContain('（牵头部门待明确）');
    const strictOut = tmp();
    await expect(generateGuides(db, { industries: ['缺项行业'], out: strictOut, date: DATE, strict: true })).rejects.toThrow(InputError);
    expect(fs.readdirSync(strictOut)).toEqual([]);
  });

  it('keeps an industry named like ../../evil inside --out', async () => {
    await addIndustry(db, { name: '../../evil', lead: '区测试局', matters: [{ name: '丁许可', legalBasis: '《丁条例》', days: 1, materials: ['丁申请书'] }] });
    const parent = tmp();
    const out = path.join(parent, 'a', 'out');
    const r = await generateGuides(db, { industries: ['../../evil'], formats: ['md'], out, date: DATE });
    for (const f of r.files) expect(path.relative(out, f.path).startsWith('..')).toBe(false);
    expect(fs.readdirSync(parent)).toEqual(['a']);
    expect(fs.readdirSync(out)).toHaveLength(1);
    expect(await readMarker(r.files[0].path)).toMatchObject({ industry: '../../evil' });
  });

  it('lists documents whose catalog changed after generation as stale', async () => {
    const out = tmp();
    await generateGuides(db, { industries: ['便利店', '宾馆'], out, date: DATE });
    expect(await checkGuides(db, out)).toEqual({ stale: [], current: 30, unmarked: [] });
    fs.writeFileSync(path.join(out, 'README.md'), '说明');
    await db('matters').where({ name: '特种行业许可（旅馆业）' }).update({ committed_limit_days: 8 });
    const r = await checkGuides(db, out);
    expect(r.current).toBe(15);
    expect(r.stale).toHaveLength(15);
    expect(new Set(r.stale.map((s) => s.industry))).toEqual(new Set(['宾馆']));
    expect(r.stale[0].reason).toMatch(/行业目录已变更/);
    expect(r.unmarked).toEqual(['README.md']);
  });
});
