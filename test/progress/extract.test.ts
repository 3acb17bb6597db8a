import fs from 'node:fs';
import path from 'node:path';
import { extractPlan, findDeadlines, type ExtractedPlan } from '../../src/progress/extract';
import { normalizePlanText, readPlanFile } from '../../src/progress/plan-text';
import { DEFAULT_ALIASES, districtOf, splitUnits, unitKey } from '../../src/progress/units';

const SEEDS = path.resolve(__dirname, '../../fixtures/tasks/seeds');
const seedFile = (prefix: string) => path.join(SEEDS, fs.readdirSync(SEEDS).find((n) => n.startsWith(prefix) && n.endsWith('.txt'))!);

async function extractSeed(prefix: string): Promise<ExtractedPlan> {
  return extractPlan(normalizePlanText(await readPlanFile(seedFile(prefix))).text);
}

/** [ref, title, lead, co, deadline (first), all deadline dates] — written out from reading the seed. */
type Expected = [string, string, string[], string[], string | null, string[]];

const pick = (p: ExtractedPlan): Expected[] =>
  p.tasks.map((t) => [t.ref, t.title, t.lead, t.co, t.deadlines.find((d) => d.date)?.date ?? null, t.deadlines.filter((d) => d.date).map((d) => d.date!)]);

const CITY = '市有关部门';
const PD = '浦东新区政府';

describe('tasks extract on the seeds', () => {
  it('seed 000 (Traditional with pinyin glosses): every item of 二、 with its units and deadlines', async () => {
    const p = await extractSeed('000');
    expect(p.planDate).toBe('2021-01-07');
    expect(p.title).toBe('上海市浦东新区“一业一证”改革试点实施方案');
    const expected: Expected[] = [
      ['二.（一）.1', '明确行业管理责任部门', ['市政府办公厅', PD], [CITY], null, []],
      ['二.（一）.2', '推动事权下放承接到位', [CITY], [PD], '2021-02-28', ['2021-02-28', '2021-06-30']],
      ['二.（一）.3', '制定改革实施细则', [PD], [CITY], null, []],
      ['二.（一）.4', '推进网上申办系统建设', [PD], ['市政府办公厅', '市大数据中心', CITY], null, []],
      ['二.（一）.5', '健全综合许可全流程管理制度', [PD], ['市市场监管局', CITY], '2021-06-30', ['2021-06-30']],
      ['二.（二）.1', '建立行业综合监管制度', [PD], [CITY], null, []],
      ['二.（二）.2', '建设行业监管场景', [PD], [CITY], null, []],
      ['二.（二）.3', '推行“互联网+监管”', [PD], ['市政府办公厅', '市市场监管局', CITY], null, []],
      ['二.（二）.4', '深化“六个双”监管机制', [PD], [CITY], null, []],
      ['二.（二）.5', '用好年报公示制度', [PD], ['市市场监管局', CITY], '2021-03-31', ['2021-03-31']],
      ['二.（三）.1', '深化告知承诺制改革', [PD], ['市政府办公厅', CITY], '2021-06-30', ['2021-06-30']],
      ['二.（三）.2', '探索智能审批模式', [PD], ['市政府办公厅', '市大数据中心', CITY], '2021-09-30', ['2021-09-30']],
      ['二.（三）.3', '实施市场化认证', [PD], ['市市场监管局', CITY], '2021-12-31', ['2021-12-31']],
      ['二.（三）.4', '在更大范围推广改革试点经验', ['市政府办公厅'], ['各区政府', CITY], '2021-03-31', ['2021-03-31']],
      // the seed itself is garbled here: "5.?dāng)U大改革試點行業範圍" (扩大); kept and flagged
      ['二.（三）.5', '?dāng)U大改革试点行业范围', [PD], ['市政府办公厅', CITY], '2021-12-31', ['2021-12-31']],
      ['二.（四）.1', '推动政务信息共享', [PD, '市政府办公厅', '市大数据中心'], [CITY], null, []],
      ['二.（四）.2', '推进电子证照归集应用', ['市政府办公厅', '市大数据中心', PD], [CITY], null, []],
      ['二.（四）.3', '健全完善“好差评”机制', ['市政府办公厅', PD], [CITY], null, []],
      ['二.（四）.4', '强化法治保障', ['市司法局', PD], [CITY], null, []],
    ];
    expect(pick(p)).toEqual(expected);
    const item2 = p.tasks[1];
    expect(item2.deadlines.map((d) => d.text)).toEqual(['2021年2月底前', '2021年6月底前']);
    expect(p.warnings.join('\n')).toMatch(/乱码/);
    expect(p.tasks[14].warnings).toEqual([expect.stringMatching(/乱码/)]);
  });

  it("seed 001 (one run-on line from a PDF): 三、's items with 牵头单位/责任单位 and dates", async () => {
    const p = await extractSeed('001');
    expect(p.planDate).toBeNull();
    expect(p.title).toBe('“一业一证”改革实施方案(试行)');
    const each = ['市级各牵头部门', '各协同部门'];
    expect(pick(p)).toEqual([
      ['三.（一）', '建立改革行业清单制度', ['市市场监督管理局'], each, '2023-11-25', ['2023-11-25']],
      ['三.（二）', '制定综合审批制度规范', ['市市场监督管理局', '市级各牵头部门'], ['市级各协同部门'], '2023-12-10', ['2023-12-10']],
      ['三.（三）', '推进综合审批系统建设', ['市市场监督管理局', '市政务服务和大数据管理局'], each, null, []],
      ['三.（四）', '加强事中事后监管', ['市市场监督管理局', '市政务服务和大数据管理局'], each, null, []],
      ['三.（五）', '强化制度保障', ['市司法局'], each, null, []],
    ]);
    expect(p.tasks[0].deadlines[0].text).toBe('2023年11月25前');
    expect(p.tasks[1].deadlines[0].text).toBe('2023年12月10日前');
  });

  it('seed 002: items with 牵头部门 / 责任部门 (and 责任单位) on their own lines', async () => {
    const p = await extractSeed('002');
    expect(p.planDate).toBe('2020-10-12');
    const all = '区级各部门';
    const sfj = '区司法局';
    const sj = '区政务数据局(行政审批局)';
    const sc = '区市场监管局';
    expect(pick(p)).toEqual([
      ['三.（一）.1', '事项清单动态化', [sfj], [all], null, []],
      ['三.（一）.2', '经营范围规范化', [sj, '区统计局'], [all], null, []],
      ['三.（一）.3', '涉企信息共享化', [sj], [all], null, []],
      ['三.（一）.4', '审批服务便捷化', [sj, sc], [all], null, []],
      ['三.（二）.1', '直接取消审批', [sfj, sj, sc], [all], null, []],
      ['三.（二）.2', '审批改为备案', [sfj, sj, sc], [all], null, []],
      ['三.（二）.3', '实行告知承诺', [sfj, sj, sc], [all], null, []],
      ['三.（二）.4', '优化审批服务', [sfj, sj, sc], [all], null, []],
      ['三.（三）.1', '完善审批监管互动机制', [sj, '区委编办', sfj], [all], null, []],
      ['三.（三）.2', '创新事中事后监管机制', [sc], [all], null, []],
      ['三.（三）.3', '建立信用联合奖惩机制', ['区发改局', sc, sj], [all], null, []],
      ['三.（三）.4', '强化法治保障', [sfj], [all], null, []],
      ['三.（四）.1', '升级行业许可“一证化”改革', [sj], [all], null, []],
      ['三.（四）.2', '加大基层“赋权”增能力度', ['区委编办', sj], ['各镇', '街道', all], null, []],
      ['三.（四）.3', '联通社会治理“闭环”', ['区委政法委'], ['各镇', '街道', all], null, []],
    ]);
    // "定期进行动态调整" is recurring, not a date; "一定期限" is not "定期"
    expect(p.tasks[0].deadlines).toEqual([{ date: null, text: '定期进行动态调整', kind: 'recurring' }]);
    expect(p.tasks[6].deadlines).toEqual([]);
  });

  it("seed 003: the attachment table's 93 rows, 主要任务 carried down, first 责任单位 leads", async () => {
    const p = await extractSeed('003');
    expect(p.planDate).toBe('2019-01-30');
    expect(p.title).toBe('普陀区深入推进审批服务便民化实施方案');
    expect(p.tasks).toHaveLength(93);
    expect(p.tasks.map((t) => t.ref)).toEqual(Array.from({ length: 93 }, (_, i) => `附表.${i + 1}`));
    const row = (n: number) => p.tasks[n - 1];
    expect(row(1)).toMatchObject({
      category: '全面推行审批服务“马上办、网上办、就近办、一次办”',
      title: '公布实施市、区、乡镇街道三级“马上办、网上办、就近办、一次办”审批服务事项目录',
      lead: ['区编办(区审改办)'],
      co: [],
    });
    expect(row(2)).toMatchObject({ title: '积极推进“马上办”', lead: ['区各审批服务单位'], co: ['街道', '镇'] });
    expect(row(10)).toMatchObject({ category: '深入推进审批服务标准化', title: '深化行政审批标准化管理', lead: ['区各审批服务单位'] });
    // "24.70%以上…": the number is followed by a digit
    expect(row(24)).toMatchObject({ category: '大力推行审批服务集中办理', title: '70%以上政务服务事项进驻政务服务大厅', lead: ['区行政服务中心'], co: ['区编办(区审改办)', '区各审批服务单位'] });
    // a row whose sub-list and units run over several lines
    expect(row(28)).toMatchObject({ title: '全面落实 10 项基本政府服务制度', lead: ['区各审批服务单位'], co: ['街道', '镇'] });
    expect(row(28).content).toContain('(10)落实双休日和节假日办理制度。');
    expect(row(34)).toMatchObject({ lead: ['区府办'], co: ['区行政服务中心', '区科委'] });
    expect(row(51)).toMatchObject({ lead: ['区编办(区审改办)'], co: [] });
    expect(row(51).content).toContain('技术服务机构情况主动推送至项目单位等。');
    expect(row(54)).toMatchObject({ lead: ['“证照分离”改革试点所涉区级审批服务单位'] });
    expect(row(61).co).toEqual(['区人社局', '区规土局', '区城管执法局', '区残联', '区司法局', '区民政局', '区建管委', '区安监局']);
    expect(row(93)).toMatchObject({ category: '切实加强事中事后监管', title: '整合优化基层治理网格,实现“多网合一、一员多能”,提升基层监管执法能力', lead: ['区各审批服务单位'] });
    expect(p.tasks.every((t) => t.deadlines.length === 0)).toBe(true);
  });

  it("seed 004 (a 工作要点 without units): its 32 items, and the reporting dates 6月20日、9月20日、12月10日", async () => {
    const p = await extractSeed('004');
    expect(p.planDate).toBe('2020-04-15');
    expect(p.title).toBe('2020年上海市深化“放管服”改革工作要点');
    expect(p.tasks).toHaveLength(32);
    expect(p.tasks[0]).toMatchObject({ ref: '一.（一）', title: '优化疫情防控期间审批服务', lead: [], co: [] });
    expect(p.tasks[31]).toMatchObject({ ref: '八.（三十二）', title: '搞好监督考核评估' });
    // 2020年下半年 → 2020-12-31
    expect(p.tasks[7]).toMatchObject({ ref: '三.（八）', title: '深化“证照分离”改革', deadlines: [{ date: '2020-12-31', text: '2020年下半年', kind: 'date' }] });
    // "对2019年12月31日前出台的政策措施进行清理" is before the plan's date: a reference, not a deadline
    expect(p.tasks[10]).toMatchObject({ ref: '三.（十一）', deadlines: [] });
    // the reporting sentence is not part of （三十二）
    expect(p.tasks[31].deadlines).toEqual([]);
    expect(p.reportingDates).toEqual([
      { date: '2020-06-20', text: '6月20日', what: '工作推进落实情况', recipient: '市审改办' },
      { date: '2020-09-20', text: '9月20日', what: '工作推进落实情况', recipient: '市审改办' },
      { date: '2020-12-10', text: '12月10日', what: '全年工作总结', recipient: '市审改办' },
    ]);
  });

  it('reads a .docx plan through mammoth to the same tasks as its text', async () => {
    const docx = extractPlan(normalizePlanText(await readPlanFile(path.join(SEEDS, '002-南湖区证照分离实施方案.docx'))).text);
    const txt = await extractSeed('002');
    expect(pick(docx)).toEqual(pick(txt));
  });

  it('refuses .doc and unknown formats with the fix', async () => {
    await expect(readPlanFile(path.join(SEEDS, 'nope.doc'))).rejects.toMatchObject({ exitCode: 3 });
    const tmp = path.join(process.env.YIYE_TEST_TMP ?? '/tmp', 'plan.doc');
    fs.writeFileSync(tmp, 'x');
    await expect(readPlanFile(tmp)).rejects.toMatchObject({ exitCode: 3, hint: expect.stringMatching(/另存为” \.docx/) });
  });
});

describe('deadlines inside an item', () => {
  it('finds every deadline in order with its phrase', () => {
    expect(findDeadlines('2021年2月底前，推动甲；2021年6月底前，协调乙。', 2021, null)).toEqual([
      { date: '2021-02-28', text: '2021年2月底前', kind: 'date' },
      { date: '2021-06-30', text: '2021年6月底前', kind: 'date' },
    ]);
    expect(findDeadlines('6月底前，梳理形成清单。', 2021, '2021-03-01')).toEqual([{ date: '2021-06-30', text: '6月底前', kind: 'date' }]);
    expect(findDeadlines('每季度对改革进行考评。', 2020, null)).toEqual([{ date: null, text: '每季度对改革进行考评', kind: 'recurring', period: '每季度' }]);
    // issue 13: 长期坚持 / 持续推进 standing alone are recurring (no end date), not "no deadline"
    expect(findDeadlines('持续深化改革，长期坚持。', 2020, null)).toEqual([{ date: null, text: '长期坚持', kind: 'recurring' }]);
  });
});

describe('unit names', () => {
  const ctx = { district: districtOf('浦东新区人民政府'), aliases: DEFAULT_ALIASES };
  it.each([
    ['区市场监管局', '浦东新区市场监督管理局'],
    ['市政府办公厅', '上海市人民政府办公厅'],
    ['市市场监管局', '上海市市场监督管理局'],
    ['区卫生健康委', '浦东新区卫生健康委员会'],
    ['区委编办', '区编办(区审改办)'],
    ['区府办', '区政府办公室'],
    ['区政务数据局', '区政务数据局(行政审批局)'],
  ])('%s ≈ %s', (a, b) => expect(unitKey(a, ctx)).toBe(unitKey(b, ctx)));

  it.each([
    ['区市场监管局', '市市场监管局'],
    ['市政府办公厅', '区政府办公室'],
    ['区城市管理局', '市城市管理局'],
  ])('%s ≠ %s', (a, b) => expect(unitKey(a, ctx)).not.toBe(unitKey(b, ctx)));

  it('splits unit lists, keeping parentheses inside a name', () => {
    expect(splitUnits('区编办(区审改办)、区各审批服务单位,街道、镇')).toEqual(['区编办(区审改办)', '区各审批服务单位', '街道', '镇']);
    expect(splitUnits('区府办、区行政服务中心、\n区科委')).toEqual(['区府办', '区行政服务中心', '区科委']);
  });
});
