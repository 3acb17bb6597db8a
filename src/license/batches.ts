/**
 * Licence batches (发证批次 / 办理批次) as the clerk sees them: `license batches` lists every batch
 * file that issued or changed licences, with its 批次号 — the number `license print --batch` takes,
 * shown also in the issue summary, `license show` and `license history`. A re-run that wrote nothing
 * keeps no batch, and single commands (change, renew, revoke …) open none.
 */
import type { Db } from '../db';
import { isoLocal } from '../text/time';

export type BatchKind = 'issue' | 'apply';

export const BATCH_KIND_LABEL: Record<BatchKind, string> = { issue: '发证', apply: '变更/延续/撤销等' };

export interface BatchSummary {
  /** 批次号 */
  id: number;
  kind: BatchKind;
  kindLabel: string;
  file: string | null;
  actor: string;
  /** ISO 8601 with the workspace's offset */
  startedAt: string;
  finishedAt: string | null;
  /** Licences the batch issued (issue) or reissued / ended (apply). */
  licenses: number;
  /** As the batch recorded them: issued, existing, rejectedRows / applied, existing, rejected. */
  counts: Record<string, number>;
}

export async function listBatches(db: Db): Promise<{ batches: BatchSummary[] }> {
  const rows = (await db('license_batches').whereNotNull('finished_at').orderBy('id')) as Array<{
    id: number;
    kind: string;
    file_name: string | null;
    actor: string;
    started_at: string;
    finished_at: string | null;
    counts: string | null;
  }>;
  const touched = new Map(
    ((await db('license_events').whereNotNull('batch_id').groupBy('batch_id').select('batch_id', db.raw('COUNT(DISTINCT license_id) AS n'))) as Array<{ batch_id: number; n: number | string }>).map((r) => [
      Number(r.batch_id),
      Number(r.n),
    ]),
  );
  return {
    batches: rows
      .filter((r) => r.kind === 'issue' || r.kind === 'apply') // 'command' rows of older workspaces: single operations, not batches
      .map((r) => ({
        id: Number(r.id),
        kind: r.kind as BatchKind,
        kindLabel: BATCH_KIND_LABEL[r.kind as BatchKind],
        file: r.file_name,
        actor: r.actor,
        startedAt: isoLocal(r.started_at),
        finishedAt: isoLocal(r.finished_at),
        licenses: touched.get(Number(r.id)) ?? 0,
        counts: r.counts ? (JSON.parse(r.counts) as Record<string, number>) : {},
      }))
      .filter((b) => b.licenses > 0), // a re-run of older versions that wrote nothing
  };
}
