/**
 * The reform tasks' history is the third audit chain: imported and updated tasks leave it intact
 * (also when an upgrade chains an existing history), the database refuses to change it, and an edited entry (triggers dropped, as an attacker with SQL
 * access would) is named by `yiye audit verify`.
 */
import path from 'node:path';
import { importTasks, updateTasks } from '../../src/progress/service';
import { signAudit, verifyAudit } from '../../src/audit/service';
import { resolveKeyFile } from '../../src/license/keys';
import { migrateLatest, undoMigration } from '../../src/db';
import { backends } from '../helpers/db';
import { freshWorkspace } from '../helpers/workspace';

const TASKS = path.resolve(__dirname, '../../fixtures/tasks');

describe.each(backends())('task history chain on %s', (backend) => {
  it('is intact after import and update, append-only, and names an edited entry', async () => {
    const { url, db } = await freshWorkspace(backend);
    try {
      await importTasks(db, path.join(TASKS, '2021年工作台账.xlsx'), { actor: '改革办' });
      const upd = await updateTasks(db, path.join(TASKS, 'updates', '进展反馈-2021-05.xlsx'), { actor: '改革办' });
      expect(upd.updated).toBeGreaterThan(0);
      const entries = Number(((await db('task_updates').count({ n: '*' })) as Array<{ n: number | string }>)[0].n);

      // a workspace from before this chain: its existing history is chained in id order on upgrade
      await undoMigration(db, '20261122_005_task_audit');
      expect(await db.schema.hasColumn('task_updates', 'hash')).toBe(false);
      await migrateLatest(db);

      // the re-created head lost the signature the workspace key gave it at init: a finding until accepted
      const upgraded = await verifyAudit(db, {});
      expect(upgraded.problems).toEqual([expect.objectContaining({ chain: 'task_updates', kind: 'signature-stripped' })]);
      await signAudit(db, resolveKeyFile(url), { acceptUnsigned: true, reason: '升级后重建任务进展日志', actor: '改革办' });
      const intact = await verifyAudit(db, {});
      expect(intact.problems).toEqual([]);
      expect(intact.chains.find((c) => c.chain === 'task_updates')).toMatchObject({ entries, headSeq: entries });

      await expect(db('task_updates').where({ seq: 2 }).update({ actor: '某人' })).rejects.toThrow(/append-only/);
      if (backend === 'postgres') await db.raw('DROP TRIGGER task_updates_no_change ON task_updates');
      else await db.raw('DROP TRIGGER task_updates_no_update');
      const target = (await db('task_updates').where({ seq: 2 }).first()) as { id: number };
      await db('task_updates').where({ id: target.id }).update({ progress_text: '已全部完成（篡改）' });

      const broken = await verifyAudit(db, {});
      expect(broken.ok).toBe(false);
      expect(broken.problems).toEqual([expect.objectContaining({ chain: 'task_updates', table: 'task_updates', id: target.id, seq: 2 })]);
      expect(broken.problems[0].message).toMatch(/任务进展日志（task_updates）id \d+（序号 2）：内容被改动/);
    } finally {
      await db.destroy();
    }
  });
});
