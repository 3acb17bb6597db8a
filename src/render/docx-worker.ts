/** Worker thread of docx-pool.ts: turns Markdown blocks into .docx bytes. */
import { parentPort } from 'node:worker_threads';
import { blocksToDocx } from './docx';
import type { Block } from './markdown';

parentPort?.on('message', (job: { id: number; blocks: Block[]; title: string; date: string; properties: Record<string, string> }) => {
  blocksToDocx(job.blocks, { title: job.title, date: job.date, properties: job.properties }).then(
    (buf) => parentPort!.postMessage({ id: job.id, data: new Uint8Array(buf) }),
    (err: Error) => parentPort!.postMessage({ id: job.id, error: err.message }),
  );
});
