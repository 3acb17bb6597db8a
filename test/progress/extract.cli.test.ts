import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import JSZip from 'jszip';
import { readPlanFile } from '../../src/progress/plan-text';
import { backends } from '../helpers/db';
import { yiye } from '../helpers/cli';
import { freshWorkspace } from '../helpers/workspace';

const CORPUS = path.resolve(__dirname, '../../fixtures/tasks/corpus');

describe.each(backends())('yiye tasks extract on real plans and hostile files, %s', (backend) => {
  let db: string;
  const dir = fs.mkdtempSync(path.join(process.env.YIYE_TEST_TMP ?? os.tmpdir(), 'extract-cli-'));
  beforeAll(async () => {
    const ws = await freshWorkspace(backend);
    db = ws.url;
    await ws.db.destroy();
  });

  it('--dry-run prints each task with its units, its deadline and the lines it was read from', async () => {
    const res = await yiye(['tasks', 'extract', path.join(CORPUS, 'hn-xiangxi-2020.txt'), '--dry-run', '--db', db]);
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/原文为繁体/);
    expect(res.stdout).toContain('一.1 加大简政放权力度｜牵头：州行政审批服务局；配合：州司法局、州委编办、州直相关单位、各县市人民政府、湘西经开区管委会｜2020-06-30（6月底）');
    expect(res.stdout).toMatch(/原文：1\.加大简政放权力度。/);
    expect(res.stdout).toMatch(/预演（--dry-run）：未写入任何内容/);
  });

  it('--json keeps its shape (ref, code, title, lead, co, deadline, deadlineText, deadlines)', async () => {
    const res = await yiye(['tasks', 'extract', path.join(CORPUS, 'sd-gangcheng-2021.txt'), '--dry-run', '--db', db, '--json']);
    expect(res.code).toBe(0);
    expect(res.json).toHaveLength(4);
    expect(res.json[0]).toEqual({
      ref: '一.（一）.1',
      code: null,
      title: '及时承接落实国务院和省、市政府取消、下放和改变管理方式的行政权力事项',
      lead: ['区政府办公室'],
      co: ['区政府有关部门', '各街道(功能区)'],
      deadline: null,
      deadlineText: null,
      deadlines: [],
    });
  });

  it('refuses a text file over the size limit and a line over the length limit (exit 3, Chinese, no stack)', async () => {
    const big = path.join(dir, '大文件.txt');
    fs.writeFileSync(big, Buffer.alloc(17 * 1024 * 1024, 0x61));
    const tooBig = await yiye(['tasks', 'extract', big, '--dry-run', '--db', db, '--json']);
    expect(tooBig.code).toBe(3);
    expect(tooBig.json.error.code).toBe('FILE_TOO_LARGE');
    const long = path.join(dir, '长行.txt');
    fs.writeFileSync(long, `一、任务\n${'和'.repeat(1_000_001)}\n`);
    const tooLong = await yiye(['tasks', 'extract', long, '--dry-run', '--db', db]);
    expect(tooLong.code).toBe(3);
    expect(tooLong.stderr).toMatch(/第 2 行有 1000001 个字符，超出每行 1000000 个字符的上限/);
    expect(tooLong.stderr).not.toMatch(/at .*\.js/);
  });
});

describe('.docx limits (checked before mammoth inflates anything)', () => {
  const dir = fs.mkdtempSync(path.join(process.env.YIYE_TEST_TMP ?? os.tmpdir(), 'extract-docx-'));
  async function docx(name: string, files: Record<string, Buffer | string>): Promise<string> {
    const zip = new JSZip();
    for (const [n, v] of Object.entries(files)) zip.file(n, v);
    const file = path.join(dir, name);
    fs.writeFileSync(file, await zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' }));
    return file;
  }

  it('refuses a .docx that inflates past the limit (a zip bomb) and one with too many entries', async () => {
    const bomb = await docx('bomb.docx', { 'word/document.xml': Buffer.alloc(3 * 1024 * 1024, 0x20) });
    expect(fs.statSync(bomb).size).toBeLessThan(64 * 1024);
    await expect(readPlanFile(bomb, { maxDocxInflatedBytes: 1024 * 1024 })).rejects.toMatchObject({ exitCode: 3, code: 'FILE_TOO_LARGE', message: expect.stringMatching(/解压后.*超出 1 MB 的上限.*压缩炸弹/) });
    const many = await docx('many.docx', Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`word/p${i}.xml`, 'x'])));
    await expect(readPlanFile(many, { maxDocxEntries: 20 })).rejects.toMatchObject({ exitCode: 3, message: expect.stringMatching(/\d+ 个部件，超出 20 个的上限/) });
  });

  it('refuses a file that is not a zip at all, renamed .docx', async () => {
    const fake = path.join(dir, 'fake.docx');
    fs.writeFileSync(fake, '这不是 Word 文件');
    await expect(readPlanFile(fake)).rejects.toMatchObject({ exitCode: 3, code: 'BAD_FILE' });
  });
});
