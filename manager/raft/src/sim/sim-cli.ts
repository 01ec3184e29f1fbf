import { Command } from 'commander';
import { runSeeds } from './run-seeds.js';

// `npm run sim -w raft-ts -- --seeds 5000 --nodes 5`: run many seeds, print
// failures with the command that replays each one. Exit code 1 on failure.
const program = new Command()
  .name('raft-sim')
  .option('--seeds <n>', 'number of seeds', '1000')
  .option('--first <n>', 'first seed', '1')
  .option('--nodes <list>', 'cluster sizes, comma separated (3,5,7)', '5')
  .option('--fault-steps <n>', 'steps with faults before healing', '300')
  .parse();

const o = program.opts<{ seeds: string; first: string; nodes: string; faultSteps: string }>();
let failed = 0;
for (const nodes of o.nodes.split(',').map(Number)) {
  const r = runSeeds({ first: Number(o.first), count: Number(o.seeds), nodes, faultSteps: Number(o.faultSteps) });
  for (const f of r.failures) {
    failed++;
    console.log(`FAIL seed ${f.result.seed} nodes ${nodes}: ${f.result.violations.join('; ')}`);
    console.log(`  replay: ${f.replay}`);
  }
  console.log(`${nodes} nodes: ${r.runs} seeds, ${r.failures.length} failed, ${r.acked} acknowledged writes, ${(r.ms / 1000).toFixed(1)}s`);
}
process.exitCode = failed > 0 ? 1 : 0;
