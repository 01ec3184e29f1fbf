import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { replayCommand, runSimulation } from './simulation.js';
import type { SimOptions, SimResult } from './simulation.js';

/** Runs one seed; an exception (e.g. a core invariant assertion) is a failed run, not a crash of the runner. */
export async function runSafely(opts: SimOptions): Promise<SimResult> {
  try {
    return await runSimulation(opts);
  } catch (err) {
    const e = err as Error;
    return {
      seed: opts.seed,
      nodes: opts.nodes,
      ok: false,
      violations: [`exception: ${e.stack?.split('\n').slice(0, 3).join(' | ') ?? String(err)}`],
      stats: {
        ms: 0,
        events: 0,
        messages: 0,
        dropped: 0,
        lateAcks: 0,
        operations: 0,
        acked: 0,
        reads: 0,
        failed: 0,
        timedOut: 0,
        crashes: 0,
        crashesInSave: 0,
        lostSectors: 0,
        restarts: 0,
        snapshotsInstalled: 0,
        committed: 0,
        confChanges: 0,
        transferRequests: 0,
        forced: false,
      },
      traceHash: '',
      events: [],
      history: [],
    };
  }
}

/** A batch of seeds. */
export interface SeedBatch {
  readonly first: number;
  readonly count: number;
  readonly nodes: number;
  readonly faultMs?: number;
  readonly healMs?: number;
}

/**
 * Starts a seed worker. From source under tap, the TypeScript loader that tap
 * puts in execArgv carries over to workers; under the tsx CLI it does not,
 * so the worker first registers tsx itself.
 */
function startWorker(url: URL): Worker {
  if (!url.pathname.endsWith('.ts') || process.execArgv.some((a) => a.includes('@tapjs/typescript'))) return new Worker(url);
  const boot = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(url.href)}); })`;
  return new Worker(boot, { eval: true });
}

/** One seed for a worker. */
export interface SeedTask {
  readonly seed: number;
  readonly nodes: number;
  readonly faultMs?: number;
  readonly healMs?: number;
}

/** What a worker reports of a seed. */
export interface SeedOutcome {
  readonly seed: number;
  readonly nodes: number;
  readonly ok: boolean;
  readonly violations: readonly string[];
  readonly acked: number;
  readonly operations: number;
}

/** Totals of a parallel batch. */
export interface ParallelSeedResult {
  readonly failures: Array<{ outcome: SeedOutcome; replay: string }>;
  readonly runs: number;
  readonly acked: number;
  readonly operations: number;
  readonly ms: number;
  readonly threads: number;
}

/**
 * Runs the batch's seeds on worker threads (one per CPU by default), each
 * taking the next seed when it finishes one. Seeds are independent and each
 * is deterministic, so the outcome does not depend on the threads.
 */
export async function runSeedsParallel(batch: SeedBatch, threads = availableParallelism()): Promise<ParallelSeedResult> {
  const start = performance.now();
  const tasks: SeedTask[] = [];
  for (let seed = batch.first; seed < batch.first + batch.count; seed++) {
    tasks.push({ seed, nodes: batch.nodes, ...(batch.faultMs === undefined ? {} : { faultMs: batch.faultMs }), ...(batch.healMs === undefined ? {} : { healMs: batch.healMs }) });
  }
  const outcomes: SeedOutcome[] = [];
  const n = Math.max(1, Math.min(threads, tasks.length));
  // The worker runs from source under tsx (tests, CLI) or compiled (dist).
  const url = new URL(import.meta.url.endsWith('.ts') ? './seed-worker.ts' : './seed-worker.js', import.meta.url);
  let next = 0;
  await Promise.all(
    Array.from({ length: n }, async () => {
      const worker = startWorker(url);
      try {
        await new Promise<void>((resolve, reject) => {
          const feed = (): void => {
            const task = tasks[next++];
            if (task === undefined) resolve();
            else worker.postMessage(task);
          };
          worker.on('message', (o: SeedOutcome) => {
            outcomes.push(o);
            feed();
          });
          worker.on('error', reject);
          worker.on('exit', (code) => reject(new Error(`seed worker exited with code ${code}`)));
          feed();
        });
      } finally {
        await worker.terminate();
      }
    }),
  );
  outcomes.sort((a, b) => a.seed - b.seed);
  const failures = outcomes.filter((o) => !o.ok).map((outcome) => ({ outcome, replay: replayCommand(outcome.seed, outcome.nodes) }));
  return {
    failures,
    runs: outcomes.length,
    acked: outcomes.reduce((a, o) => a + o.acked, 0),
    operations: outcomes.reduce((a, o) => a + o.operations, 0),
    ms: performance.now() - start,
    threads: n,
  };
}
