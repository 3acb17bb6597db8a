/**
 * `npm run demo` (bin/demo.sh) end to end, into a scratch folder: the tour shows all four jobs —
 * catalogs, documents, licences, progress — and says where each output is.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');

function runDemo(out: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [path.join(ROOT, 'bin/demo.sh')], { env: { ...process.env, CI: 'true', YIYE_DEMO_OUT: out }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

describe('npm run demo', () => {
  it('writes the five documents of one industry in three formats and one printed licence, and says where', async () => {
    const out = path.join(fs.mkdtempSync(path.join(process.env.YIYE_TEST_TMP ?? os.tmpdir(), 'demo-')), 'demo');
    const r = await runDemo(out);
    expect(r.code).toBe(0);
    // the only error is the broken file the demo rejects on purpose (step 6)
    expect(r.stderr.match(/^错误：/gm)).toHaveLength(1);
    expect(r.stderr).toContain('错误：导入被拒绝');
    expect(r.stderr).not.toMatch(/\n\s+at |意外错误/);
    const docs = fs.readdirSync(path.join(out, '文书', '便利店')).sort();
    expect(docs).toEqual(['form', 'guide', 'notice', 'pledge', 'rules'].flatMap((t) => ['docx', 'html', 'md'].map((f) => `${t}.${f}`)));
    const licence = fs.readdirSync(out).filter((f) => /^许可证-.+\.html$/.test(f));
    expect(licence).toHaveLength(1);
    expect(fs.readFileSync(path.join(out, licence[0]), 'utf8')).toContain('<svg');
    expect(r.stdout).toContain(`演示完成。产出都在 ${out}/：`);
    expect(r.stdout).toContain(`便利店五类文书    ${out}/文书/便利店/`);
    expect(r.stdout).toContain(`打印的许可证      ${out}/${licence[0]}`);
    for (const f of ['目录导出.xlsx', '错误清单.xlsx', '发证结果.xlsx', '改革任务进展报告-2021-05-31.html']) expect(fs.existsSync(path.join(out, f))).toBe(true);
  }, 600_000);
});
