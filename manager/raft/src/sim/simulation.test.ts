import t from 'tap';
import { replayCommand, runSimulation } from './simulation.js';

t.test('a seed replays identically', async (t) => {
  const a = runSimulation({ seed: 7, nodes: 5, trace: true });
  const b = runSimulation({ seed: 7, nodes: 5, trace: true });
  t.same(a.stats, b.stats);
  t.same(a.events, b.events);
  t.ok(a.ok, a.violations.join('; '));
});

t.test('the simulator exercises the faults it claims', async (t) => {
  let crashes = 0;
  let snapshots = 0;
  let dropped = 0;
  let reads = 0;
  let partitions = 0;
  let confChanges = 0;
  let transfers = 0;
  for (let seed = 1; seed <= 40; seed++) {
    const r = runSimulation({ seed, nodes: 3, trace: true });
    t.ok(r.ok, `seed ${seed}: ${r.violations.join('; ')}`);
    crashes += r.stats.crashes;
    snapshots += r.stats.snapshotsInstalled;
    dropped += r.stats.dropped;
    reads += r.stats.reads;
    confChanges += r.stats.confChanges;
    transfers += r.stats.transferRequests;
    partitions += r.events.filter((e) => / (partition|asymmetric|flapping) /.test(e)).length;
  }
  t.ok(crashes > 0, `crashes happened (${crashes})`);
  t.ok(snapshots > 0, `snapshots were sent to lagging followers (${snapshots})`);
  t.ok(dropped > 0, `messages were dropped (${dropped})`);
  t.ok(reads > 0, `ReadIndex reads completed (${reads})`);
  t.ok(partitions > 0, `partitions happened (${partitions})`);
  t.ok(confChanges > 0, `membership changed under faults (${confChanges})`);
  t.ok(transfers > 0, `leadership was transferred under faults (${transfers})`);
});

t.test('the replay command names the seed and size', async (t) => {
  t.equal(replayCommand(1234, 5), 'npx tsx manager/raft/src/sim/replay.ts --seed 1234 --nodes 5');
});
