import fs from 'node:fs';
import path from 'node:path';
import { FIRST_IS_LEAD, extractPlan, type ExtractedPlan } from '../../src/progress/extract';
import { normalizePlanText } from '../../src/progress/plan-text';
import { readUnitClause, readUnitList } from '../../src/progress/unit-clause';

/** The layouts issue 13 lists under "Why", one test each, plus the grammar's other forms. */
const read = (text: string): ExtractedPlan => extractPlan(normalizePlanText(text).text);
const brief = (p: ExtractedPlan) => p.tasks.map((t) => ({ ref: t.ref, lead: t.lead, co: t.co, deadline: t.deadlines.find((d) => d.date)?.date ?? null }));

describe('layouts that were missed (issue 13 "Why")', () => {
  it('（牵头单位：…，配合单位：…）: a comma between the lead and the co label', () => {
    const p = read('2021年3月1日\n一、加强组织领导\n（一）选优配强干部队伍。健全选拔机制。（牵头单位：市委组织部，配合单位：市国资委）');
    expect(brief(p)).toEqual([{ ref: '一.（一）', lead: ['市委组织部'], co: ['市国资委'], deadline: null }]);
  });

  it('numbered items 1. … under （一） headings: each item with its own clause is a task, the heading is not', () => {
    const p = read(
      ['一、主要任务', '（一）优化审批服务', '1.推行告知承诺。（牵头单位：市司法局；配合单位：市直各部门）', '2.压减审批时限。（牵头单位：市政务服务局）', '（二）加强事中事后监管', '1.健全信用监管。（牵头单位：市发展改革委）'].join('\n'),
    );
    expect(brief(p)).toEqual([
      { ref: '一.（一）.1', lead: ['市司法局'], co: ['市直各部门'], deadline: null },
      { ref: '一.（一）.2', lead: ['市政务服务局'], co: [], deadline: null },
      { ref: '一.（二）.1', lead: ['市发展改革委'], co: [], deadline: null },
    ]);
    expect(p.tasks.map((t) => t.title)).toEqual(['推行告知承诺', '压减审批时限', '健全信用监管']);
  });

  it('（X牵头负责） closing sub-items （1） （2） on a line of its own: the sub-items inherit it', () => {
    const p = read(['一、持续减少审批事项', '1.深化商事制度改革。', '（1）全面落实“多证合一”改革。', '（2）完善企业登记全程电子化。', '（市工商质监局牵头负责）'].join('\n'));
    expect(brief(p)).toEqual([
      { ref: '一.1.(1)', lead: ['市工商质监局'], co: [], deadline: null },
      { ref: '一.1.(2)', lead: ['市工商质监局'], co: [], deadline: null },
    ]);
  });

  it('sub-items （1）（2） run into one line, each closing with its own （X牵头负责）', () => {
    const p = read('一、持续减少审批事项\n1.深化商事制度改革。(1)全面落实改革。(市工商质监局牵头负责)(2)完善电子化登记。(市数据局牵头负责)');
    expect(brief(p)).toEqual([
      { ref: '一.1.(1)', lead: ['市工商质监局'], co: [], deadline: null },
      { ref: '一.1.(2)', lead: ['市数据局'], co: [], deadline: null },
    ]);
  });

  it('(A、B牵头,C按职责分工负责): several leads, the rest co-operating', () => {
    const p = read('一、审批\n1.全面实施清单管理。(市政府办公室、市审改办牵头,市级各有关部门及各县市区政府按职责分工负责)');
    expect(brief(p)).toEqual([{ ref: '一.1', lead: ['市政府办公室', '市审改办'], co: ['市级各有关部门', '各县市区政府'], deadline: null }]);
  });

  it('（X牵头，Y配合）', () => {
    const p = read('一、审批\n1.推进电子证照应用。（市大数据局牵头，市直有关部门配合）');
    expect(brief(p)).toEqual([{ ref: '一.1', lead: ['市大数据局'], co: ['市直有关部门'], deadline: null }]);
  });

  it('责任单位：… and 时限要求：… each on a line of their own after the item', () => {
    const p = read('2022年1月5日\n一、重点任务\n1.建设一体化平台。\n牵头单位：市政务服务局\n责任单位：市直各部门\n时限要求：2022年12月底前\n2.地区生产总值增长7%以上\n责任单位：区发展和改革局');
    expect(brief(p)).toEqual([
      { ref: '一.1', lead: ['市政务服务局'], co: ['市直各部门'], deadline: '2022-12-31' },
      // 责任单位 alone names the responsible unit: it leads
      { ref: '一.2', lead: ['区发展和改革局'], co: [], deadline: null },
    ]);
  });

  it('a deadline inside the clause (…,6月底完成) and 到2020年底前 in the item text, with the plan year', () => {
    const p = read(
      ['2020年2月22日', '一、提升效能', '1.加大简政放权力度。(牵头单位:州行政审批服务局;责任单位:州司法局、州委编办及州直相关单位,各县市人民政府,6月底完成)', '2.推进一网通办。到2020年底前全面建成平台。(州政务局牵头)'].join('\n'),
    );
    expect(brief(p)).toEqual([
      { ref: '一.1', lead: ['州行政审批服务局'], co: ['州司法局', '州委编办', '州直相关单位', '各县市人民政府'], deadline: '2020-06-30' },
      { ref: '一.2', lead: ['州政务局'], co: [], deadline: '2020-12-31' },
    ]);
  });

  it('Traditional characters (牽頭單位, 責任單位) and 〔…〕 brackets: a seed paragraph converted to Traditional', () => {
    // seed 002's first item, converted to Traditional by opencc (cn → tw), with its units in 〔〕
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const OpenCC = require('opencc-js') as { Converter(o: { from: string; to: string }): (s: string) => string };
    const seed = fs.readFileSync(path.resolve(__dirname, '../../fixtures/tasks/seeds/002_5b2833ec053aed03.txt'), 'utf8');
    const item = seed.split('\n').find((l) => l.startsWith('1.事项清单动态化'))!;
    const trad = OpenCC.Converter({ from: 'cn', to: 'tw' })(`三、改革具体任务和举措\n${item}〔牵头单位:区司法局;责任单位:区级各部门〕`);
    expect(trad).toContain('牽頭單位');
    expect(trad).toContain('責任單位');
    const { text, converted } = normalizePlanText(trad);
    expect(converted).toBe(true);
    const p = extractPlan(text);
    expect(brief(p)).toEqual([{ ref: '三.1', lead: ['区司法局'], co: ['区级各部门'], deadline: null }]);
    expect(p.tasks[0].title).toBe('事项清单动态化');
  });
});

describe('the unit-clause grammar', () => {
  it.each([
    ['牵头单位：A局；配合单位：B局', ['A局'], ['B局']],
    ['牵头单位:A局,责任单位:B局,各街道(功能区)', ['A局'], ['B局', '各街道(功能区)']],
    ['牵头单位：A局。配合单位：B局、C委', ['A局'], ['B局', 'C委']],
    ['牵头部门 ：A局 配合部门：B局', ['A局'], ['B局']],
    ['主责单位：A局；协办单位：B局', ['A局'], ['B局']],
    ['A局牵头', ['A局'], []],
    ['A局牵头负责', ['A局'], []],
    ['A局负责', ['A局'], []],
    ['各区政府负责', ['各区政府'], []],
    ['A局、B委牵头，C办配合', ['A局', 'B委'], ['C办']],
    ['A局牵头，各有关部门按职责分工负责', ['A局'], ['各有关部门']],
    ['部门分工:省发展改革委牵头,各地、各部门配合。', ['省发展改革委'], ['各地', '各部门']],
    ['分管省领导:林克庆；部门分工:省财政厅牵头,各地、各部门配合。', ['省财政厅'], ['各地', '各部门']],
    ['责任单位:省政府办公厅、省财政厅牵头,省商务厅、省文化广电和旅游厅(除标注为“牵头”单位外,列第一位的为牵头或汇总单位,下同)', ['省政府办公厅', '省财政厅'], ['省商务厅', '省文化广电和旅游厅']],
    ['省政府办公厅、省发展改革委牵头;省直有关部门,各州、市人民政府按照职责分工负责', ['省政府办公厅', '省发展改革委'], ['省直有关部门', '各州、市人民政府']],
    ['省市场监管局牵头,济南、青岛、烟台市政府及省有关部门按职责分工负责', ['省市场监管局'], ['济南市政府', '青岛市政府', '烟台市政府', '省有关部门']],
    ['责任单位:省发展改革委、省市场监管局按职责分工负责。具体任务均涉及相关市(州)人民政府,不再做分工,下同。', ['省发展改革委', '省市场监管局'], []],
  ])('%s', (text, lead, co) => {
    const c = readUnitClause(text);
    expect(c).not.toBeNull();
    expect([c!.lead, c!.co]).toEqual([lead, co]);
  });

  it('责任单位 lists follow the plan\'s own "列第一位的为牵头单位"', () => {
    expect(readUnitClause('责任单位:省财政厅、省发展改革委', { firstIsLead: true })).toEqual({ lead: ['省财政厅'], co: ['省发展改革委'], deadlineText: null });
    expect(readUnitClause('责任单位:省财政厅、省发展改革委')).toEqual({ lead: ['省财政厅', '省发展改革委'], co: [], deadlineText: null });
    for (const said of ['列第一位的为牵头或汇总单位', '列第一位的责任单位为牵头单位或汇总单位', '第一责任单位为牵头单位', '排在首位的为牵头单位']) expect(FIRST_IS_LEAD.test(said)).toBe(true);
    expect(FIRST_IS_LEAD.test('第一位的同志为牵头人选')).toBe(false);
    const p = read('一、任务\n（一）完善PPP机制。\n责任单位:市发改委、市财政局(第一责任单位为牵头单位,下同)\n时限要求:持续推进');
    expect(p.tasks.map((t) => [t.lead, t.co, t.deadlines])).toEqual([[['市发改委'], ['市财政局'], [{ date: null, text: '持续推进', kind: 'recurring' }]]]);
  });

  it('brackets that are not unit clauses are not read as units', () => {
    expect(readUnitClause('以下简称省平台')).toBeNull();
    expect(readUnitClause('含个体工商户、农民专业合作社,下同')).toBeNull();
    const p = read('一、任务\n1.完善省平台(以下简称省平台)功能。【责任单位：省大数据局】');
    expect(brief(p)).toEqual([{ ref: '一.1', lead: ['省大数据局'], co: [], deadline: null }]);
    expect(p.tasks[0].content).toContain('(以下简称省平台)');
  });

  it('splits on 和/及 only between unit names, keeps names as written', () => {
    expect(readUnitList('州委编办及州直相关单位、区文化和旅游局、区发展和改革局').units).toEqual(['州委编办', '州直相关单位', '区文化和旅游局', '区发展和改革局']);
    expect(readUnitList('各有关部门,各区').units).toEqual(['各有关部门', '各区']);
    expect(readUnitList('各镇、街道').units).toEqual(['各镇', '街道']);
    expect(readUnitList('区司法局等有关部门').units).toEqual(['区司法局等有关部门']);
  });
});

describe('item structure and inheritance', () => {
  it('sub-items without a clause inherit their heading\'s units; a heading whose sub-items carry clauses is not a task', () => {
    const p = read(
      ['一、构建法治环境(总牵头单位:县司法局)', '1.领导干部带头守法。', '2.规范行政执法。', '二、政务环境', '1.推行一网通办。(县政务局牵头)', '①建设平台。(县大数据中心负责)', '②推广应用。(县政务局负责)'].join('\n'),
    );
    expect(brief(p)).toEqual([
      { ref: '一.1', lead: ['县司法局'], co: [], deadline: null },
      { ref: '一.2', lead: ['县司法局'], co: [], deadline: null },
      { ref: '二.1.①', lead: ['县大数据中心'], co: [], deadline: null },
      { ref: '二.1.②', lead: ['县政务局'], co: [], deadline: null },
    ]);
  });

  it('unnumbered paragraphs under one heading, each closing with its own clause, are a task each', () => {
    const p = read('一、优化市场环境\n（一）保障平等准入\n落实负面清单。各类主体平等进入。（牵头单位：市发展改革委；协办单位：市直相关单位）\n对外商投资实行国民待遇。（牵头单位：市商务局；协办单位：市直相关单位）');
    expect(brief(p)).toEqual([
      { ref: '一.（一）-1', lead: ['市发展改革委'], co: ['市直相关单位'], deadline: null },
      { ref: '一.（一）-2', lead: ['市商务局'], co: ['市直相关单位'], deadline: null },
    ]);
    expect(p.tasks.map((t) => t.title)).toEqual(['落实负面清单', '对外商投资实行国民待遇']);
  });

  it('reports numbered items that name no unit at all (never dropped silently)', () => {
    const p = read('一、任务\n1.建设平台。（市政务局牵头）\n2.推广应用。\n二、保障\n（一）加强领导');
    expect(brief(p)).toEqual([{ ref: '一.1', lead: ['市政务局'], co: [], deadline: null }]);
    expect(p.warnings).toEqual([expect.stringMatching(/^编号条目 一\.2、二\.（一） 未写明责任单位.*未作为任务提取/)]);
  });

  it('keeps the source lines each task was read from', () => {
    const p = read('一、任务\n1.建设平台。\n牵头单位：市政务局\n时限要求：长期坚持');
    expect(p.tasks[0].sourceLines).toEqual(['1.建设平台。', '牵头单位:市政务局', '时限要求:长期坚持']);
    expect(p.tasks[0].deadlines).toEqual([{ date: null, text: '长期坚持', kind: 'recurring' }]);
  });
});

describe('deadlines in the body', () => {
  it('明年 / N月份建成 take the plan year; 每年 / 每季度 are recurring with their period; the year comes from the title without a date', () => {
    const p = read(
      ['2023年区政府工作报告重点任务分解', '2022年12月27日', '一、任务', '1.建设产业园,确保明年7月份建成。[责任单位:老街办]', '2.每季度通报进展。[责任单位:区政府办]', '3.每年开展评估。[责任单位:区统计局]'].join('\n'),
    );
    expect(p.tasks.map((t) => t.deadlines)).toEqual([
      [{ date: '2023-07-31', text: '确保明年7月份建成', kind: 'date' }],
      [{ date: null, text: '每季度通报进展', kind: 'recurring', period: '每季度' }],
      [{ date: null, text: '每年开展评估', kind: 'recurring', period: '每年' }],
    ]);
    const noDate = read('2024年优化营商环境工作要点\n一、任务\n1.推进改革,6月底前完成。(市政务局牵头)');
    expect(noDate.planYear).toBe(2024);
    expect(brief(noDate)[0].deadline).toBe('2024-06-30');
  });
});

describe('normalisation', () => {
  it('folds every Unicode space, drops zero-width and bidi characters, NFKC keeps ①, drops PDF page numbers and running headers', () => {
    const header = '某某市人民政府文件';
    const raw = [
      header,
      '一、\u00a0任务\u2003安排',
      '1.建\u200b设\u202e平台。（牵头单位\uff1a市政务局\u3000）',
      '— 1 —',
      header,
      '①推广\u2009应用。（市大数据局负责）',
      '- 2 -',
      header,
      '第 3 页',
    ].join('\u2028');
    const { text } = normalizePlanText(raw);
    expect(text).toBe(['一、任务安排', '1.建设平台。(牵头单位:市政务局)', '①推广应用。(市大数据局负责)'].join('\n'));
  });
});

describe('task tables flattened to text (held-out corpus: one cell a line, " |" cells, one row a line)', () => {
  it('one cell a line: header over four lines, units one a line, year-less deadlines, a merged row', () => {
    const p = read(
      [
        '某县2022年重点项目推进表',
        '2022年1月20日',
        '序号', '重点项目', '责任单位', '完成时限',
        '1', '新建城东污水处理厂。', '县生态环境分局', '县城投公司', '6月底前',
        '2', '改造老城区供水管网', '12公里。', '县水利局', '10月建成',
        '3', '建设县级物流中心。', '县商务局', '县交通局', '3月底前动工', '建成乡镇快递服务站。', '11月底前',
        '4', '开展全民健身活动。', '8月底前',
      ].join('\n'),
    );
    expect(brief(p)).toEqual([
      { ref: '附表.1', lead: ['县生态环境分局', '县城投公司'], co: [], deadline: '2022-06-30' },
      { ref: '附表.2', lead: ['县水利局'], co: [], deadline: '2022-10-31' },
      { ref: '附表.3', lead: ['县商务局', '县交通局'], co: [], deadline: '2022-03-31' },
      { ref: '附表.3-2', lead: ['县商务局', '县交通局'], co: [], deadline: '2022-11-30' },
      { ref: '附表.4', lead: [], co: [], deadline: '2022-08-31' },
    ]);
    expect(p.tasks[1].content).toContain('改造老城区供水管网12公里');
    expect(p.tasks[3].title).toBe('建成乡镇快递服务站');
    // what has no unit is reported, not guessed
    expect(p.warnings.some((w) => w.includes('附表第 4 行') && w.includes('没有读到责任单位'))).toBe(true);
  });

  it('cells closed by " |": a person column is not a unit, 责任单位 beside 牵头单位 is co-operating', () => {
    const p = read(
      [
        '附件', '2023年民生工程分工表', '|', '序号 |', '工作任务 |', '责任领导 |', '牵头单位 |', '责任单位 |', '建设时间 |', '|',
        '12 |', '完成老旧小区加装电梯40部。 |', '张 伟 |', '区住建局 |', '各街道办事处 |', '2023 |', '|',
        '13 |', '新增公办托位200个。 |', '李明王芳 |', '区卫健委 |', '区教育局、区财政局 |', '9月底前 |', '|',
      ].join('\n'),
    );
    expect(brief(p)).toEqual([
      { ref: '附表.12', lead: ['区住建局'], co: ['各街道办事处'], deadline: '2023-12-31' },
      { ref: '附表.13', lead: ['区卫健委'], co: ['区教育局', '区财政局'], deadline: '2023-09-30' },
    ]);
    expect(p.tasks.flatMap((t) => [...t.lead, ...t.co])).not.toContain('张伟');
  });

  it('one row a line under a one-line header run into the preamble: units after the last half-width period', () => {
    const p = read(
      [
        '市政府办公室关于分解2020年工作任务的通知 请认真组织实施.附件:2020年工作任务分解表 序号 工作任务 牵头单位',
        '一、营商环境',
        '1 企业开办时间压缩至1个工作日,全程网办率达到95%. 市场监管局',
        '2 工程建设项目审批时间压减至80天以内. 住建局、自然资源局',
        '二、社会民生',
        '3 新增城镇就业1.2万人. 人社局',
      ].join('\n'),
    );
    expect(brief(p)).toEqual([
      { ref: '附表.1', lead: ['市场监管局'], co: [], deadline: null },
      { ref: '附表.2', lead: ['住建局', '自然资源局'], co: [], deadline: null },
      { ref: '附表.3', lead: ['人社局'], co: [], deadline: null },
    ]);
    expect(p.tasks.map((t) => [t.category, t.title])).toEqual([
      ['营商环境', '企业开办时间压缩至1个工作日,全程网办率达到95%'],
      ['营商环境', '工程建设项目审批时间压减至80天以内'],
      ['社会民生', '新增城镇就业1.2万人'],
    ]);
  });

  it('Traditional text: 著力/随著 become 着, 著名/显著 stay; 以X为Y keeps its 为 in the title', () => {
    const p = read(
      [
        '二○二○年三月一日',
        '一、推動產業發展',
        '(一)著力打造以智能製造為重點、以現代服務業為支撐的產業體系,隨著項目落地顯著提升著名品牌影響力。(牽頭單位:市發改委;配合單位:市工信局)',
      ].join('\n'),
    );
    expect(p.tasks).toHaveLength(1);
    expect(p.tasks[0].title).toBe('着力打造以智能制造为重点、以现代服务业为支撑的产业体系');
    expect(p.tasks[0].content).toContain('随着项目落地显著提升著名品牌');
    expect(brief(p)).toEqual([{ ref: '一.（一）', lead: ['市发改委'], co: ['市工信局'], deadline: null }]);
  });
});
