/**
 * Many .docx files at once. The `docx` package spends ~20–30 ms of CPU per document (most of it fixed
 * cost: styles, numbering, footers, zip), so 155 documents take seconds on one core; worker threads
 * spread them over the machine's cores. Small batches, and runs from TypeScript sources (tests via
 * ts-jest, where no compiled worker file exists), are rendered in this thread.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { blocksToDocx } from './docx';
import type { Block } from './markdown';

export interface DocxJob {
  blocks: Block[];
  title: string;
  /** The document's date (YYYY-MM-DD): every timestamp in the package. */
  date: string;
  properties: Record<string, string>;
}

const MIN_JOBS_PER_WORKER = 12;

export async function renderDocxMany(jobs: DocxJob[]): Promise<Buffer[]> {
  const workerFile = path.join(__dirname, 'docx-worker.js');
  const cores = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  const count = Math.min(cores, 4, Math.floor(jobs.length / MIN_JOBS_PER_WORKER));
  if (count < 2 || !fs.existsSync(workerFile)) {
    const out: Buffer[] = [];
    for (const j of jobs) out.push(await blocksToDocx(j.blocks, { title: j.title, date: j.date, properties: j.properties }));
    return out;
  }
  const results: Buffer[] = new Array(jobs.length);
  let next = 0;
  const workers = Array.from({ length: count }, () => new Worker(workerFile));
  try {
    await Promise.all(
      workers.map(
        (w) =>
          new Promise<void>((resolve, reject) => {
            const feed = () => {
              if (next >= jobs.length) return resolve();
              const id = next++;
              w.postMessage({ id, ...jobs[id] });
            };
            w.on('message', (m: { id: number; data?: Uint8Array; error?: string }) => {
              if (m.error !== undefined) return reject(new Error(m.error));
              results[m.id] = Buffer.from(m.data!.buffer, m.data!.byteOffset, m.data!.byteLength);
              feed();
            });
            w.on('error', reject);
            feed();
          }),
      ),
    );
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  return results;
}
