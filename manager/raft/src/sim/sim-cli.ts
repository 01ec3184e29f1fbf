import { Command } from 'commander';
import { runSeedsParallel } from './run-seeds.js';

// `npm run sim -w raft-ts -- --seeds 5000 --nodes 3,5`: run many seeds, print
// failures with the command that replays each one. Exit code 1 on failure.
const program = new Command()
  .name('raft-sim')
  .option('--seeds <n>', 'number of seeds per cluster size', '1000')
  .option('--first <n>', 'first seed', '1')
  .option('--nodes <list>', 'cluster sizes, comma separated (3,5,7)', '5')
  .option('--fault-ms <n>', 'simulated milliseconds of faults', '2000')
  .parse();

const o = program.opts<{ seeds: string; first: string; nodes: string; faultMs: string }>();
let failed = 0;
for (const nodes of o.nodes.split(',').map(Number)) {
  const r = await runSeedsParallel({ first: Number(o.first), count: Number(o.seeds), nodes, faultMs: Number(o.faultMs) });
  for (const f of r.failures) {
    failed++;
    console.log(`FAIL seed ${f.outcome.seed} nodes ${nodes}: ${f.outcome.violations.join('; ')}`);
    console.log(`  replay: ${f.replay}`);
  }
  console.log(`${nodes} nodes: ${r.runs} seeds, ${r.failures.length} failed, ${r.operations} client operations, ${r.acked} acknowledged writes, ${(r.ms / 1000).toFixed(1)}s on ${r.threads} threads`);
}
process.exitCode = failed > 0 ? 1 : 0;
