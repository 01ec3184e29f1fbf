import { Command } from 'commander';
import { runSimulation } from './simulation.js';

// Replay one seed with its event log: npx tsx manager/raft/src/sim/replay.ts --seed 1234 --nodes 5
const program = new Command()
  .name('raft-replay')
  .requiredOption('--seed <n>', 'seed to replay')
  .option('--nodes <n>', 'cluster size', '5')
  .option('--fault-steps <n>', 'steps with faults before healing', '300')
  .parse();
const o = program.opts<{ seed: string; nodes: string; faultSteps: string }>();
const r = runSimulation({ seed: Number(o.seed), nodes: Number(o.nodes), faultSteps: Number(o.faultSteps), trace: true });
for (const e of r.events) console.log(e);
const outcomes = { ok: 0, fail: 0, timeout: 0 };
for (const h of r.history) outcomes[h.outcome]++;
console.log(JSON.stringify({ ...r.stats, clientOutcomes: outcomes }));
if (r.ok) console.log(`seed ${r.seed}: ok`);
else for (const v of r.violations) console.log(`VIOLATION: ${v}`);
process.exitCode = r.ok ? 0 : 1;
