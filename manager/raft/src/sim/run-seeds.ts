import { replayCommand, runSimulation } from './simulation.js';
import type { SimResult } from './simulation.js';

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
    const result = runSimulation({ seed, nodes: batch.nodes, faultSteps: batch.faultSteps, healSteps: batch.healSteps });
    acked += result.stats.acked;
    if (!result.ok) failures.push({ result, replay: replayCommand(seed, batch.nodes) });
  }
  return { failures, runs: batch.count, acked, ms: performance.now() - start };
}
