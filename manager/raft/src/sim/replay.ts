import { Command } from 'commander';
import { runSimulation } from './simulation.js';

// Replay one seed with its event log: npm run sim:replay -w raft-ts -- --seed 1234 --nodes 5
// (add --messages to print every delivered message too).
const program = new Command()
  .name('raft-replay')
  .requiredOption('--seed <n>', 'seed to replay')
  .option('--nodes <n>', 'cluster size', '5')
  .option('--fault-ms <n>', 'simulated milliseconds of faults', '2000')
  .option('--messages', 'print every delivered message')
  .parse();
const o = program.opts<{ seed: string; nodes: string; faultMs: string; messages?: boolean }>();
const r = await runSimulation({ seed: Number(o.seed), nodes: Number(o.nodes), faultMs: Number(o.faultMs), trace: true });
const message = / \S+>\S+ [a-z-]+ t\d+$/;
for (const e of r.events) if (o.messages === true || !message.test(e)) console.log(e);
console.log(JSON.stringify(r.stats));
console.log(`trace hash ${r.traceHash}`);
if (r.ok) console.log(`seed ${r.seed}: ok`);
else for (const v of r.violations) console.log(`VIOLATION: ${v}`);
process.exitCode = r.ok ? 0 : 1;
