/** A worker thread of runSeedsParallel: runs the seeds it is sent, one at a time. */
import { parentPort } from 'node:worker_threads';
import { runSafely } from './run-seeds.js';
import type { SeedTask, SeedOutcome } from './run-seeds.js';

const port = parentPort;
if (port === null) throw new Error('seed-worker.ts runs as a worker thread');
port.on('message', (task: SeedTask) => {
  void runSafely(task).then((r) => {
    const out: SeedOutcome = { seed: r.seed, nodes: r.nodes, ok: r.ok, violations: r.violations, acked: r.stats.acked, operations: r.stats.operations };
    port.postMessage(out);
  });
});
