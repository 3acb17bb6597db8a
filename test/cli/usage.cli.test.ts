import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { yiye } from '../helpers/cli';

// Messages from the command-line parser come from oclif in English; users see them in Chinese.
describe('usage errors, unknown commands and batch errors on the real CLI', () => {
  let db: string;
  beforeAll(async () => {
    const dir = fs.mkdtempSync(path.join(process.env.YIYE_TEST_TMP ?? os.tmpdir(), 'usage-'));
    db = path.join(dir, 'ws.db');
    expect((await yiye(['init', '--db', db, '--region', '310115', '--authority', '浦东新区人民政府'])).code).toBe(0);
  });

  it.each([
    [['license', 'revoke', '3101152026PD-01000001', '--db', ''], /缺少必填选项 --reason/],
    [['license', 'show', '--foo'], /没有这个选项：--foo/],
    [['license', 'show'], /缺少 1 个必填参数（Missing 1 required arg）：number（许可证编号/],
    [['license', 'export', 'x.csv', '--status', 'bogus'], /选项 --status 的值“bogus”无效，可选值：valid/],
    [['tasks', 'list', '--due-within', 'abc'], /选项 --due-within：应为整数，实为“abc”/],
    [['license', 'show', 'a', 'b'], /多余的参数：b/],
    [['guide', 'metrics', '--industry', '便利店', '--industry', '超市'], /选项 --industry 只能给一次/],
  ])('%j is a usage error in Chinese (exit 2)', async (args, expected) => {
    const r = await yiye(args.map((a) => (a === '' ? db : a)));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^错误：命令用法有误：/);
    expect(r.stderr).toMatch(expected);
    expect(r.stderr).not.toMatch(/See more help|›/);
  });

  it('an unknown command says so in Chinese (exit 2)', async () => {
    const r = await yiye(['license', 'frobnicate']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^错误：没有命令“license frobnicate”/);
    expect(r.stderr).toMatch(/yiye help/);
  });

  it('`yiye help <command>` and -h show the command\'s help', async () => {
    for (const args of [['help', 'license', 'issue'], ['license', 'issue', '-h']]) {
      const r = await yiye(args);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/按批发放行业综合许可证/);
    }
  });

  it('a --db that is not a database, and an output path that is a folder, are clear errors with valid JSON', async () => {
    const dir = fs.mkdtempSync(path.join(process.env.YIYE_TEST_TMP ?? os.tmpdir(), 'usage-fs-'));
    fs.writeFileSync(path.join(dir, 'notes.db'), '这不是数据库\n'.repeat(200));
    const notDb = await yiye(['catalog', 'list', 'industries', '--db', path.join(dir, 'notes.db'), '--json']);
    expect(notDb.code).toBe(4);
    expect(notDb.json.error).toMatchObject({ code: 'SQLITE_NOTADB', message: expect.stringMatching(/不是 yiye 工作区数据库/) });
    fs.mkdirSync(path.join(dir, '导出.xlsx'));
    const isDir = await yiye(['catalog', 'export', path.join(dir, '导出.xlsx'), '--db', db]);
    expect(isDir.code).toBe(3);
    expect(isDir.stderr).toMatch(/是文件夹，不是文件/);
    expect(isDir.stderr).not.toMatch(/意外错误/);
    // an output path under a file (out/r.md/x.md) is a user error, not an unexpected one
    const underFile = await yiye(['catalog', 'export', path.join(dir, 'notes.db', 'x.xlsx'), '--db', db]);
    expect([underFile.code, underFile.stderr]).toEqual([3, expect.stringMatching(/(已是一个文件，不能作为文件夹|中有一段不是文件夹)/)]);
    expect(underFile.stderr).not.toMatch(/意外错误/);
    // a folder given to import is named as a folder, not "not found"
    const folderIn = await yiye(['catalog', 'import', dir, '--db', db]);
    expect([folderIn.code, folderIn.stderr]).toEqual([3, expect.stringMatching(/是文件夹，不是文件[\s\S]*\*\.xlsx/)]);
  });

  it('a dry run or a diff that finds rows the import would reject exits 3, after printing its result', async () => {
    const file = path.resolve(__dirname, '../../fixtures/bad/negative-limits.xlsx');
    const dry = await yiye(['catalog', 'import', file, '--dry-run', '--db', db, '--json']);
    expect(dry.code).toBe(3);
    expect(dry.json).toMatchObject({ dryRun: true, committed: false });
    expect(dry.json.errors).toHaveLength(3);
    const diff = await yiye(['catalog', 'diff', file, '--db', db, '--json']);
    expect(diff.code).toBe(3);
    expect(diff.json.errors).toHaveLength(3);
    expect((await yiye(['catalog', 'import', file, '--dry-run', '--skip-invalid', '--db', db])).code).toBe(0);
  });

  it('init with other settings names them in Chinese, with the flag and both values (exit 4)', async () => {
    const r = await yiye(['init', '--db', db, '--region', '310116', '--authority', '浦东新区人民政府']);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/设置与本次不同：行政区划代码（--region）现为“310115”，本次为“310116”。/);
    expect(r.stderr).not.toMatch(/regionCode/);
    // the same settings typed full-width, with blanks around the name, are the same settings
    const same = await yiye(['init', '--db', db, '--region', '３１０１１５', '--authority', ' 浦东新区人民政府　', '--json']);
    expect(same.code).toBe(0);
    expect(same.json.settings).toMatchObject({ regionCode: '310115', authorityName: '浦东新区人民政府' });
  });

  it('--report naming the input file is refused and the department\'s file is left as it was', async () => {
    const dir = fs.mkdtempSync(path.join(process.env.YIYE_TEST_TMP ?? os.tmpdir(), 'usage-report-'));
    const input = path.join(dir, '事项目录.xlsx');
    fs.copyFileSync(path.resolve(__dirname, '../../fixtures/bad/negative-limits.xlsx'), input);
    const before = fs.readFileSync(input);
    const r = await yiye(['catalog', 'import', input, '--report', path.join(dir, '.', '事项目录.xlsx'), '--db', db]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/就是要导入的文件，写入结果会覆盖原表/);
    expect(fs.readFileSync(input).equals(before)).toBe(true);
  });

  it('help describes --json in Chinese and English', async () => {
    const r = await yiye(['license', 'show', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/--json\s+以 JSON 格式输出 \(format output as json\)/);
  });

  it('a rejected batch lists every row error, not only the first', async () => {
    const r = await yiye(['catalog', 'import', path.resolve(__dirname, '../../fixtures/bad/negative-limits.xlsx'), '--db', db]);
    expect(r.code).toBe(3);
    const listed = r.stderr.split('全部错误：\n')[1].split('\n').filter((l) => l.startsWith('  - '));
    expect(listed).toHaveLength(3);
    expect(listed[2]).toMatch(/第 3 行，G列“承诺时限”：“-1”不是有效的时限/);
  });
});
