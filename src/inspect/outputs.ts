/**
 * What a draw produces for people: the inspection plan the departments work from (xlsx: the joint
 * list, then one sheet per department with its visits and its inspectors) and the public notice of
 * 一公开 (md and html: method, seed, population, counts per industry and risk class, and the drawn
 * businesses by name and code — never the inspectors' names).
 */
import fs from 'node:fs';
import path from 'node:path';
import { writeTable, type SheetData } from '../io/write';
import { escapeMarkdown, parseMarkdown } from '../render/markdown';
import { blocksToHtml } from '../render/html';
import { RISK_LABEL, type RiskClass } from './draw';
import type { DrawRecord } from './service';

const cell = (s: string) => escapeMarkdown(s).replace(/\|/g, '\\|');

/** The notice as Markdown: byte-identical for the same draw. */
export function noticeMarkdown(r: DrawRecord): string {
  const d = r.draw;
  const share = d.count !== null ? `共抽取 ${d.count} 户` : `抽取比例 ${d.ratio ?? ''}`;
  const ratios = d.ratios ? `；按信用风险分类：${Object.entries(d.ratios).map(([c, v]) => `${c} 类 ${v}`).join('，')}` : '';
  const lines = [
    `# “双随机、一公开”联合抽查结果公告（${cell(d.id)}）`,
    '',
    `抽查日期：${d.date}`,
    '',
    `随机种子：${cell(d.seed)}（抽取前公布）`,
    '',
    `抽查对象范围：${d.date} 有效的行业综合许可证${d.industries.length ? `（行业：${d.industries.map(cell).join('、')}）` : ''}，共 ${d.population} 户；${share}${ratios}；实际抽取 ${d.drawn} 户。`,
    '',
    `抽取方法：${cell(d.method)}`,
    '',
    `输入数据摘要（SHA-256）：${d.inputsSha256}`,
    '',
    '## 各行业、各信用风险分类抽取情况',
    '',
    '| 行业 | 信用风险分类 | 对象户数 | 抽取户数 |',
    '| --- | --- | ---: | ---: |',
    ...d.strata.map((s) => `| ${cell(s.industry)} | ${RISK_LABEL[s.riskClass as RiskClass]} | ${s.population} | ${s.drawn} |`),
    '',
    '## 抽中的市场主体',
    '',
    '| 序号 | 经营者名称 | 统一社会信用代码 | 行业 | 许可证编号 | 检查部门 |',
    '| ---: | --- | --- | --- | --- | --- |',
    ...r.targets.map((t, i) => `| ${i + 1} | ${cell(t.holder)} | ${t.uscc} | ${cell(t.industry)} | ${t.licence} | ${t.departments.map(cell).join('、')} |`),
    '',
    '检查实行“进一次门、查多项事”：各相关部门组成一个联合检查组，一次上门完成全部检查事项。检查结果将依法通过国家企业信用信息公示系统向社会公示。',
    '',
  ];
  return lines.join('\n');
}

/** The plan: the joint list, then one sheet per department (its visits and which of its inspectors go). */
export function planSheets(r: DrawRecord): SheetData[] {
  const joint: SheetData = {
    name: '联合检查名单',
    header: ['序号', '许可证编号', '经营者名称', '统一社会信用代码', '行业', '信用风险分类', '检查部门', '检查组成员（执法证号）', '未能派员说明'],
    rows: r.targets.map((t, i) => [
      i + 1,
      t.licence,
      t.holder,
      t.uscc,
      t.industry,
      RISK_LABEL[t.riskClass],
      t.departments.join('、'),
      t.team.map((m) => `${m.name}（${m.department}，${m.badge}）`).join('；'),
      r.unassigned.filter((u) => u.licence === t.licence).map((u) => u.reason).join('；'),
    ]),
    style: { fitColumns: true, autoFilter: true },
  };
  const departments = [...new Set(r.targets.flatMap((t) => t.departments))].sort();
  const perDept: SheetData[] = departments.map((d) => ({
    name: d,
    header: ['许可证编号', '经营者名称', '统一社会信用代码', '行业', '本部门检查人员', '执法证号', '联合检查组全体成员'],
    rows: r.targets
      .filter((t) => t.departments.includes(d))
      .map((t) => {
        const mine = t.team.filter((m) => m.department === d);
        return [t.licence, t.holder, t.uscc, t.industry, mine.map((m) => m.name).join('、') || '（未能派员）', mine.map((m) => m.badge).join('、'), t.team.map((m) => m.name).join('、')];
      }),
    style: { fitColumns: true },
  }));
  return [joint, ...perDept];
}

/** Writes 抽查计划-<id>.xlsx and 抽查结果公告-<id>.md/.html into `dir`; returns the paths. */
export async function writeDrawOutputs(dir: string, r: DrawRecord): Promise<string[]> {
  await fs.promises.mkdir(dir, { recursive: true });
  const safeId = r.draw.id.replace(/[^\p{L}\p{N}_.-]/gu, '_');
  const plan = path.join(dir, `抽查计划-${safeId}.xlsx`);
  const md = path.join(dir, `抽查结果公告-${safeId}.md`);
  const html = path.join(dir, `抽查结果公告-${safeId}.html`);
  await writeTable(plan, planSheets(r));
  const text = noticeMarkdown(r);
  await fs.promises.writeFile(md, text, 'utf8');
  await fs.promises.writeFile(html, blocksToHtml(parseMarkdown(text), { title: `“双随机、一公开”联合抽查结果公告（${r.draw.id}）` }), 'utf8');
  return [plan, md, html];
}
