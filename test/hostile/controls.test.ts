/**
 * Issue 18 item 3: control characters. A cell pasted from a PDF (U+0001, U+000B), terminal escape
 * sequences (ESC [31m, OSC 52) and bidi overrides (U+202E) in names used to be stored and printed
 * raw, and U+0001 in an industry name made every .docx of that industry ill-formed XML. Now every
 * imported cell is stripped of them; text printed to a terminal shows anything still unprintable
 * escaped (data written before, or by hand); the docx core.xml title is well-formed.
 */
import fs from 'node:fs';
import path from 'node:path';
import { yiye } from '../helpers/cli';
import { freshWorkspace } from '../helpers/workspace';
import { readZipEntry } from '../../src/guide/marker';
import { scratch } from './helpers';

jest.setTimeout(180_000);

describe('control characters (sqlite)', () => {
  it('are dropped on import, escaped on the terminal, and kept out of docx XML', async () => {
    const dir = scratch('controls-');
    const { url, db } = await freshWorkspace('sqlite');
    try {
      const csv = path.join(dir, '试点行业.csv');
      fs.writeFileSync(csv, '\uFEFF序号,行业名称,牵头部门\r\n1,A\u0001B\u000B药店,区市场监管局\r\n2,\u001b[31m红色\u001b[0m超市,区市场监管局\r\n3,D\u202Egpj.exe店,区\u200B市场监管局\r\n');
      let run = await yiye(['catalog', 'import', csv, '--db', url, '--json']);
      expect(run.code).toBe(0);
      // every changed cell is reported, as the user finds it in Excel
      expect(run.json.controlsRemoved).toEqual([
        { file: '试点行业.csv', sheet: '试点行业', row: 2, column: 'B' },
        { file: '试点行业.csv', sheet: '试点行业', row: 3, column: 'B' },
        { file: '试点行业.csv', sheet: '试点行业', row: 4, column: 'B' },
        { file: '试点行业.csv', sheet: '试点行业', row: 4, column: 'C' },
      ]);
      run = await yiye(['catalog', 'list', 'industries', '--db', url, '--json']);
      expect(run.json.map((i: { name: string }) => i.name).sort()).toEqual(['AB药店', 'Dgpj.exe店', '[31m红色[0m超市'].sort());
      expect(run.json.map((i: { leadDepartment: string }) => i.leadDepartment)).toEqual(['区市场监管局', '区市场监管局', '区市场监管局']);

      // names stored before (or written by hand): printed escaped, never obeyed by the terminal
      await db('industries').where({ name: 'AB药店' }).update({ name: 'X\u0001Y\u000B店' });
      await db('industries').where({ name: 'Dgpj.exe店' }).update({ name: '\u001b]52;c;ZXZpbA==\u0007剪贴板\u202E店' });
      run = await yiye(['catalog', 'list', 'industries', '--db', url]);
      expect(run.code).toBe(0);
      expect(run.stdout).not.toMatch(/[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u202A-\u202E]/);
      expect(run.stdout).toContain('\\x1B]52;c;ZXZpbA==\\x07剪贴板\\u202E店');
      expect(run.stdout).toContain('X\\x01Y\\x0B店');

      const out = path.join(dir, 'out');
      run = await yiye(['guide', 'generate', '--all', '--format', 'docx', '--type', 'notice', '--out', out, '--date', '2021-03-01', '--db', url, '--json']);
      expect(run.code).toBe(0);
      for (const f of run.json.files as Array<{ path: string }>) {
        const core = (await readZipEntry(f.path, 'docProps/core.xml'))!;
        expect(core).not.toMatch(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/);
        expect(path.basename(path.dirname(f.path))).not.toMatch(/[\u0000-\u001F\u007F-\u009F\u202A-\u202E]/);
      }
      const titles = await Promise.all((run.json.files as Array<{ path: string }>).map(async (f) => /<dc:title>(.*)<\/dc:title>/.exec((await readZipEntry(f.path, 'docProps/core.xml'))!)![1]));
      expect(titles.some((t) => t.startsWith('XY店'))).toBe(true);
    } finally {
      await db.destroy();
    }
  });

  it('every batch import reports the cells it cleaned as catalog import does: tasks import and update', async () => {
    const dir = scratch('controls-tasks-');
    const { url, db } = await freshWorkspace('sqlite');
    await db.destroy();
    const tasks = path.join(dir, '任务.csv');
    fs.writeFileSync(tasks, '\uFEFF序号,主要任务,重点内容,牵头单位,完成时限\r\n1,优化\u0001审批,推行告知\u202E承诺,区市场监管局,2021年6月底\r\n2,便利准营,一业一证,区\u200B商务委,2021年9月底\r\n');
    let run = await yiye(['tasks', 'import', tasks, '--db', url, '--json']);
    expect(run.code).toBe(0);
    expect(run.json.controlsRemoved).toEqual([
      { file: '任务.csv', sheet: '任务', row: 2, column: 'B' },
      { file: '任务.csv', sheet: '任务', row: 2, column: 'C' },
      { file: '任务.csv', sheet: '任务', row: 3, column: 'D' },
    ]);
    run = await yiye(['tasks', 'import', tasks, '--db', url]);
    expect(run.stdout).toContain('有 3 个单元格含控制字符或不可见的排版/方向控制符（多见于从 PDF 复制的文字），读取时已删除：“任务.csv” 工作表“任务” B2、“任务.csv” 工作表“任务” C2、“任务.csv” 工作表“任务” D3');
    run = await yiye(['tasks', 'list', '--db', url, '--json']);
    expect(run.json.map((t: { category: string; content: string }) => [t.category, t.content])).toEqual([
      ['优化审批', '推行告知承诺'],
      ['便利准营', '一业一证'],
    ]);

    const update = path.join(dir, '进展.csv');
    fs.writeFileSync(update, `\uFEFF任务编号,进展情况,状态,填报单位\r\n${run.json[0].code},已完成\u0007初稿,推进中,区市场监管局\r\n`);
    run = await yiye(['tasks', 'update', update, '--db', url, '--json']);
    expect(run.code).toBe(0);
    expect(run.json.controlsRemoved).toEqual([{ file: '进展.csv', sheet: '进展', row: 2, column: 'B' }]);
    // a file with nothing to clean says nothing about it, and lists none
    fs.writeFileSync(update, `\uFEFF任务编号,进展情况,状态,填报单位\r\n${run.json.changes[0].code},已完成初稿,推进中,区市场监管局\r\n`);
    run = await yiye(['tasks', 'update', update, '--db', url]);
    expect(run.code).toBe(0);
    expect(run.stdout).not.toContain('控制字符');
  });
});
