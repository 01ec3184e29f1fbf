import { replayCommand, runSimulation } from './simulation.js';
import type { SimOptions, SimResult } from './simulation.js';

/** Run one seed; an exception (e.g. a core invariant assertion) is a failed run, not a crash of the runner. */
export function runSafely(opts: SimOptions): SimResult {
  try {
    return runSimulation(opts);
  } catch (err) {
    const e = err as Error;
    return {
      seed: opts.seed,
      nodes: opts.nodes,
      ok: false,
      violations: [`exception: ${e.stack?.split('\n').slice(0, 3).join(' | ') ?? String(err)}`],
      stats: { steps: 0, messages: 0, dropped: 0, acked: 0, failed: 0, timedOut: 0, reads: 0, crashes: 0, leaders: 0, snapshotsInstalled: 0, committed: 0, confChanges: 0, confRefused: 0, transferRequests: 0, pipelinedReadies: 0 },
      events: [],
      history: [],
    };
  }
}

/** Options of a batch of seeds. */
export interface SeedBatch {
  readonly first: number;
  readonly count: number;
  readonly nodes: number;
  readonly faultSteps?: number;
  readonly healSteps?: number;
}

/** Run seeds first..first+count-1; returns the failures (each with its replay command) and totals. */
export function runSeeds(batch: SeedBatch): { failures: { result: SimResult; replay: string }[]; runs: number; acked: number; ms: number } {
  const failures: { result: SimResult; replay: string }[] = [];
  let acked = 0;
  const start = performance.now();
  for (let seed = batch.first; seed < batch.first + batch.count; seed++) {
    const result = runSafely({ seed, nodes: batch.nodes, faultSteps: batch.faultSteps, healSteps: batch.healSteps });
    acked += result.stats.acked;
    if (!result.ok) failures.push({ result, replay: replayCommand(seed, batch.nodes) });
  }
  return { failures, runs: batch.count, acked, ms: performance.now() - start };
}
