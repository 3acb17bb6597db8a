/**
 * Issue 18 item 4: `report progress --format md` escaped only `\` and `|`, so a task titled
 * `<img src=x onerror=alert(1)>任务一`, `[点我](javascript:alert(3))` or `![](http://evil.example/t.png)`
 * came out as live markup. Now report cells use the guide's Markdown escaping (src/render/markdown.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import { yiye } from '../helpers/cli';
import { backends } from '../helpers/db';
import { freshWorkspace } from '../helpers/workspace';
import { scratch } from './helpers';

jest.setTimeout(180_000);

const TASKS = path.resolve(__dirname, '../../fixtures/tasks');
const HOSTILE = ['<img src=x onerror=alert(1)>任务一', '[点我](javascript:alert(3))', '![](http://evil.example/t.png)'];

describe.each(backends())('report progress Markdown on %s', (backend) => {
  it('prints task titles as text, never as HTML, links or images', async () => {
    const { url, db } = await freshWorkspace(backend);
    try {
      expect((await yiye(['tasks', 'import', path.join(TASKS, '2021年工作台账.xlsx'), '--db', url, '--json'])).code).toBe(0);
      const ids = (await db('tasks').orderBy('id').limit(HOSTILE.length).pluck('id')) as number[];
      for (let i = 0; i < ids.length; i++) await db('tasks').where({ id: ids[i] }).update({ title: HOSTILE[i] });
      const out = path.join(scratch('report-md-'), '进展.md');
      const run = await yiye(['report', 'progress', '--as-of', '2021-05-31', '--format', 'md', '--out', out, '--db', url, '--json']);
      expect(run.code).toBe(0);
      const md = fs.readFileSync(out, 'utf8');
      expect(md).toContain('\\<img src=x onerror=alert(1)\\>任务一');
      expect(md).toContain('\\[点我\\](javascript:alert(3))');
      expect(md).toContain('!\\[\\](http://evil.example/t.png)');
      expect(md).not.toMatch(/(^|[^\\])<img|(^|[^\\])\[点我\]|!\[\]\(/);
    } finally {
      await db.destroy();
    }
  });
});
