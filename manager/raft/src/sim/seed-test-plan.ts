import type { Test } from 'tap';
import { runSeeds } from './run-seeds.js';

/**
 * Seeds per cluster size for the tap seed tests: a few thousand in CI
 * (CI=true; measured at about a minute of CPU in total on 2 cores), a quick
 * sample locally. SIM_SEEDS overrides the count.
 */
export function seedCount(nodes: number): number {
  const override = Number(process.env.SIM_SEEDS);
  if (Number.isInteger(override) && override > 0) return override;
  const ci = process.env.CI === 'true';
  if (nodes <= 3) return ci ? 1500 : 200;
  if (nodes <= 5) return ci ? 1000 : 100;
  return ci ? 500 : 50;
}

/** Run the seed batch for one cluster size and report each failure with its replay command. */
export function testSeeds(t: Test, nodes: number, first: number): void {
  const count = seedCount(nodes);
  const r = runSeeds({ first, count, nodes });
  for (const f of r.failures) {
    t.fail(`seed ${f.result.seed} (${nodes} nodes): ${f.result.violations.join('; ')}\n  replay: ${f.replay}`);
  }
  t.equal(r.failures.length, 0, `${count} seeds on ${nodes} nodes: safety, no lost writes, linearizable, progress after heal`);
  t.ok(r.acked > count, `clients got writes acknowledged (${r.acked})`);
  t.comment(`${nodes} nodes: ${count} seeds in ${(r.ms / 1000).toFixed(1)}s`);
}
