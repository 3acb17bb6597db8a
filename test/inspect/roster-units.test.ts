/**
 * An inspectors' roster written in another office's spelling (市监局, 市场监督管理局, 卫健委 …) names
 * the catalog's departments as the task import's lead units do (src/progress/units.ts): each row is
 * stored under the catalog's name, so a draw finds the inspectors of every licence's departments. A
 * department the catalog does not have is an error naming the cell, never a guess.
 */
import fs from 'node:fs';
import path from 'node:path';
import { freshDbUrl } from '../helpers/db';
import { yiye } from '../helpers/cli';
import { PUDONG_BASE } from '../helpers/workspace';
import { BATCH1, tmpDir } from '../license/helpers';

jest.setTimeout(180_000);

/** fixtures/inspect/执法人员名录.xlsx's departments, as another office writes them. */
const SPELLED: Array<[badge: string, name: string, written: string, catalog: string]> = [
  ['31011500101', '王建国', '市场监管局', '区市场监管局'],
  ['31011500102', '李秀英', '市监局', '区市场监管局'],
  ['31011500103', '张伟', '浦东新区市场监督管理局', '区市场监管局'],
  ['31011500104', '刘洋', '区 市场监督管理局', '区市场监管局'],
  ['31011500201', '陈静', '商务委员会', '区商务委'],
  ['31011500202', '杨磊', '浦东新区商务委员会', '区商务委'],
  ['31011500301', '黄敏', '烟草专卖局', '区烟草专卖局'],
  ['31011500401', '吴娜', '文化体育和旅游局', '区文体旅游局'],
  ['31011500501', '周勇', '卫健委', '区卫生健康委'],
  ['31011500502', '徐丽', '浦东新区卫生健康委员会', '区卫生健康委'],
  ['31011500601', '孙杰', '公安分局', '区公安分局'],
  ['31011500701', '朱娟', '消防救援支队', '浦东新区消防救援支队'],
  ['31011500801', '郭明', '水务局', '区水务局'],
  ['31011500901', '林平', '绿化和市容管理局', '区绿化市容局'],
];

const csv = (rows: string[][]) => '\uFEFF' + [['姓名', '执法证号', '所属部门'], ...rows].map((r) => r.join(',')).join('\r\n') + '\r\n';

describe('inspect roster import: departments in another office’s spelling (sqlite)', () => {
  let db: string;
  let dir: string;
  beforeAll(async () => {
    db = await freshDbUrl('sqlite');
    dir = tmpDir('roster-units-');
    expect((await yiye(['init', '--db', db, '--region', '310115', '--authority', '浦东新区人民政府'])).code).toBe(0);
    expect((await yiye(['catalog', 'import', ...PUDONG_BASE, '--db', db])).code).toBe(0);
    expect((await yiye(['license', 'issue', BATCH1, '--db', db, '--date', '2026-03-15'])).code).toBe(0);
  });

  it('市场监管局, 市监局 and 市场监督管理局 are one department; every row is stored as the catalog names it', async () => {
    const file = path.join(dir, '名录-简称.csv');
    fs.writeFileSync(file, csv(SPELLED.map(([badge, name, written]) => [name, badge, written])));
    const run = await yiye(['inspect', 'roster', 'import', file, '--db', db, '--json']);
    expect(run.code).toBe(0);
    expect(run.json).toMatchObject({ rows: SPELLED.length, inserted: SPELLED.length });
    const list = await yiye(['inspect', 'roster', 'list', '--db', db, '--json']);
    const stored = new Map((list.json.inspectors as Array<{ badge: string; department: string }>).map((i) => [i.badge, i.department]));
    expect(SPELLED.map(([badge]) => stored.get(badge))).toEqual(SPELLED.map(([, , , catalog]) => catalog));
    // the list's --department takes the same spellings
    const byShortName = await yiye(['inspect', 'roster', 'list', '--department', '市监局', '--db', db, '--json']);
    expect(byShortName.json.inspectors.map((i: { name: string }) => i.name)).toEqual(['王建国', '李秀英', '张伟', '刘洋']);

    // so a draw finds an inspector of each licence's departments
    const draw = await yiye(['inspect', 'draw', '--date', '2026-12-01', '--seed', '2026140', '--ratio', '20%', '--dry-run', '--db', db, '--json']);
    expect(draw.code).toBe(0);
    for (const t of draw.json.targets as Array<{ departments: string[]; team: Array<{ department: string }> }>) {
      for (const d of t.departments) expect(t.team.some((m) => m.department === d)).toBe(true);
    }
    expect(JSON.stringify(draw.json.unassigned)).not.toMatch(/没有登记执法人员/);
  });

  it('a department the catalog does not have is reported by its cell, not guessed; nothing is written', async () => {
    const file = path.join(dir, '名录-未知部门.csv');
    // 市教育局: the catalog has 区教育局 and 市教委, neither of them this unit
    fs.writeFileSync(file, csv([['钱七', '31011509901', '区城管执法局'], ['孙八', '31011509902', '市教育局'], ['李九', '31011509903', '市监局']]));
    const run = await yiye(['inspect', 'roster', 'import', file, '--db', db, '--json']);
    expect(run.code).toBe(3);
    expect(run.json.error.errors.map((e: { row: number; columnLetter: string; message: string }) => [e.row, e.columnLetter, e.message])).toEqual([
      [2, 'C', expect.stringMatching(/^部门“区城管执法局”不在目录中/)],
      [3, 'C', expect.stringMatching(/^部门“市教育局”不在目录中/)],
    ]);
    const list = await yiye(['inspect', 'roster', 'list', '--db', db, '--json']);
    expect(list.json.inspectors.map((i: { badge: string }) => i.badge)).not.toContain('31011509903');
  });
});
