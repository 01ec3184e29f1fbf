import type { Test } from 'tap';
import { runSeedsParallel } from './run-seeds.js';

/**
 * Seeds per cluster size for the tap seed tests: 1,000 in all in CI
 * (CI=true: 700 on 3 nodes, 250 on 5, 50 on 7; about 175 s of CPU on this
 * machine, spread over one worker thread per CPU), a quick sample locally.
 * SIM_SEEDS overrides the count.
 */
export function seedCount(nodes: number): number {
  const override = Number(process.env.SIM_SEEDS);
  if (Number.isInteger(override) && override > 0) return override;
  const ci = process.env.CI === 'true';
  if (nodes <= 3) return ci ? 700 : 40;
  if (nodes <= 5) return ci ? 250 : 20;
  return ci ? 50 : 8;
}

/** Runs the seed batch for one cluster size and reports each failure with its replay command. */
export async function testSeeds(t: Test, nodes: number, first: number): Promise<void> {
  const count = seedCount(nodes);
  const r = await runSeedsParallel({ first, count, nodes });
  for (const f of r.failures) {
    t.fail(`seed ${f.outcome.seed} (${nodes} nodes): ${f.outcome.violations.join('; ')}\n  replay: ${f.replay}`);
  }
  t.equal(r.runs, count, 'every seed ran');
  t.equal(r.failures.length, 0, `${count} seeds on ${nodes} nodes: safety after every event, restarts from every WAL, no lost writes, linearizable, progress after heal`);
  t.ok(r.operations >= 200 * count, `${r.operations} client operations (${(r.operations / count).toFixed(0)} per seed)`);
  t.comment(`${nodes} nodes: ${count} seeds in ${(r.ms / 1000).toFixed(1)}s on ${r.threads} threads`);
}
