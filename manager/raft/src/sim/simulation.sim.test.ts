import t from 'tap';
import { replayCommand, runSimulation } from './simulation.js';

t.test('a seed replays identically: same trace hash, same history', async (t) => {
  const a = await runSimulation({ seed: 7, nodes: 5 });
  const b = await runSimulation({ seed: 7, nodes: 5 });
  t.ok(a.ok, a.violations.join('; '));
  t.equal(a.traceHash, b.traceHash);
  t.same(a.stats, b.stats);
  t.same(a.history, b.history);
  const c = await runSimulation({ seed: 8, nodes: 5 });
  t.not(c.traceHash, a.traceHash, 'another seed is another run');
});

t.test('the simulator exercises what it claims, with hundreds of client operations per seed', async (t) => {
  const sum = { crashes: 0, crashesInSave: 0, lostSectors: 0, snapshots: 0, dropped: 0, lateAcks: 0, reads: 0, confChanges: 0, transfers: 0, forced: 0, operations: 0 };
  const seeds = 40;
  for (let seed = 1; seed <= seeds; seed++) {
    const r = await runSimulation({ seed, nodes: 3, trace: true });
    t.ok(r.ok, `seed ${seed}: ${r.violations.join('; ')}`);
    sum.crashes += r.stats.crashes;
    sum.crashesInSave += r.stats.crashesInSave;
    sum.lostSectors += r.stats.lostSectors;
    sum.snapshots += r.stats.snapshotsInstalled;
    sum.dropped += r.stats.dropped;
    sum.lateAcks += r.stats.lateAcks;
    sum.reads += r.stats.reads;
    sum.confChanges += r.stats.confChanges;
    sum.transfers += r.stats.transferRequests;
    sum.forced += r.stats.forced ? 1 : 0;
    sum.operations += r.stats.operations;
  }
  t.comment(JSON.stringify(sum));
  for (const [k, v] of Object.entries(sum)) t.ok(v > 0, `${k}: ${v}`);
  t.ok(sum.operations / seeds >= 200, `${(sum.operations / seeds).toFixed(0)} client operations per seed`);
});

t.test('the checks fail when the disks lie about fsync', async (t) => {
  let failed = 0;
  const found = new Set<string>();
  for (let seed = 1; seed <= 30; seed++) {
    const r = await runSimulation({ seed, nodes: 3, lyingDisks: true });
    if (!r.ok) failed++;
    for (const v of r.violations) found.add(v.split(':')[0] ?? v);
  }
  t.ok(failed >= 3, `${failed} of 30 seeds failed (${[...found].join(', ')})`);
});

t.test('the replay command names the seed and size', async (t) => {
  t.equal(replayCommand(1234, 5), 'npm run sim:replay -w raft-ts -- --seed 1234 --nodes 5');
});
