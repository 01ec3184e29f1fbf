import t from 'tap';
import { ScenarioCluster } from '../sim/scenario-cluster.js';
import type { NodeId } from './index.js';

// The Raft paper's scenarios as named tests (Ongaro & Ousterhout, "In Search
// of an Understandable Consensus Algorithm"), on a deterministic cluster where
// the test controls every message. Trace-level versions live in testdata/.

const stable = (c: ScenarioCluster): void => {
  c.stabilize();
  c.takeTrace();
};

const role = (c: ScenarioCluster, id: NodeId): string => c.host(id).raw!.softState().role;
const term = (c: ScenarioCluster, id: NodeId): number => c.host(id).raw!.hardState().term;
const commit = (c: ScenarioCluster, id: NodeId): number => c.host(id).raw!.hardState().commit;
const logTerms = (c: ScenarioCluster, id: NodeId): number[] => {
  const s = c.host(id).storage;
  const out: number[] = [];
  for (let i = s.firstIndex(); i <= s.lastIndex(); i++) out.push(s.term(i));
  return out;
};

/** Tick every node and deliver until some node is leader (bounded). */
const electSomeone = (c: ScenarioCluster, maxRounds = 200): NodeId[] => {
  for (let i = 0; i < maxRounds && c.leaders().length === 0; i++) {
    c.tickAll();
    stable(c);
  }
  return c.leaders();
};

t.test('election: a single leader per term, elected by a majority', async (t) => {
  const c = new ScenarioCluster(['1', '2', '3', '4', '5']);
  c.host('1').raw!.campaign();
  c.host('4').raw!.campaign();
  stable(c);
  const leaders = c.leaders();
  t.equal(leaders.length, 1, 'exactly one leader');
  const l = leaders[0]!;
  for (const id of ['1', '2', '3', '4', '5']) {
    t.equal(c.host(id).raw!.softState().leader, l, `${id} follows ${l}`);
    t.equal(term(c, id), term(c, l), `${id} is in the leader's term`);
  }
});

t.test('election: votes only for a candidate whose log is at least as up to date', async (t) => {
  const c = new ScenarioCluster(['1', '2', '3'], { boot: 'conf', raft: { preVote: false } });
  c.setLog('1', 2, [1, 1]);
  c.setLog('2', 2, [1, 2]);
  c.setLog('3', 2, [1, 1, 1]);
  c.host('1').raw!.campaign();
  c.stabilize();
  const trace = c.takeTrace();
  t.ok(trace.includes('2->1 vote-resp t3 rejected'), 'node 2 (last entry 2/2) rejects the stale candidate');
  t.ok(trace.includes('3->1 vote-resp t3 rejected'), 'node 3 (longer log, same last term) rejects the stale candidate');
  t.equal(role(c, '1'), 'follower', 'the stale candidate loses');
  c.host('2').raw!.campaign();
  stable(c);
  t.same(c.leaders(), ['2'], 'the node with the most up-to-date log wins');
});

t.test('election: a split vote resolves with randomised timeouts', async (t) => {
  const c = new ScenarioCluster(['1', '2', '3', '4'], { boot: 'conf', raft: { preVote: false } });
  // 1 and 2 campaign at once; 1's requests reach 3, 2's reach 4: 2 votes each, no majority of 4.
  c.cut('1', '4');
  c.cut('2', '3');
  c.cut('1', '2');
  c.host('1').raw!.campaign();
  c.host('2').raw!.campaign();
  stable(c);
  t.same(c.leaders(), [], 'split vote: nobody wins term 1');
  t.equal(term(c, '1'), 1);
  t.equal(term(c, '2'), 1);
  c.heal();
  const leaders = electSomeone(c);
  t.equal(leaders.length, 1, 'a later election elects exactly one leader');
  t.ok(term(c, leaders[0]!) > 1, 'in a later term');
});

t.test('log matching: after elections and conflicting appends every log is identical', async (t) => {
  const c = new ScenarioCluster(['1', '2', '3'], { boot: 'conf', raft: { preVote: false } });
  c.setLog('1', 3, [1, 2, 2]);
  c.setLog('2', 3, [1, 3]);
  c.setLog('3', 3, [1, 2, 2, 2]);
  c.host('2').raw!.campaign();
  stable(c);
  t.same(c.leaders(), ['2']);
  c.propose('2', 'x');
  stable(c);
  const leaderLog = logTerms(c, '2');
  t.same(leaderLog, [1, 3, 4, 4]);
  for (const id of ['1', '3']) t.same(logTerms(c, id), leaderLog, `${id}'s conflicting entries were replaced`);
});

t.test('figure 7: followers with missing and extra entries are repaired by the leader', async (t) => {
  const ids = ['L', 'a', 'b', 'c', 'd', 'e', 'f'];
  const c = new ScenarioCluster(ids, { boot: 'conf', raft: { preVote: false } });
  c.setLog('L', 7, [1, 1, 1, 4, 4, 5, 5, 6, 6, 6]);
  c.setLog('a', 7, [1, 1, 1, 4, 4, 5, 5, 6, 6]);
  c.setLog('b', 7, [1, 1, 1, 4]);
  c.setLog('c', 7, [1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 6]);
  c.setLog('d', 7, [1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 7, 7]);
  c.setLog('e', 7, [1, 1, 1, 4, 4, 4, 4]);
  c.setLog('f', 7, [1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 3]);
  c.host('L').raw!.campaign();
  c.stabilize();
  const trace = c.takeTrace();
  t.same(c.leaders(), ['L'], 'L wins term 8 with a, b, e, f');
  // Fast back-tracking: f rejects with a hint that skips its whole term-3 run.
  t.ok(trace.some((l) => /^f->L append-resp t8 reject index=10 hint=/.test(l)), 'f rejects and hints');
  const expected = [1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 8];
  for (const id of ids) t.same(logTerms(c, id), expected, `${id}'s log equals the leader's`);
  for (const id of ids) t.equal(commit(c, id), 11, `${id} committed everything`);
  const rejects = trace.filter((l) => l.includes('->L append-resp t8 reject')).length;
  t.ok(rejects <= 8, `few round trips thanks to term hints (${rejects} rejections)`);
});

t.test('figure 8: a leader never commits an entry of a previous term by counting replicas', async (t) => {
  const ids = ['s1', 's2', 's3', 's4', 's5'];
  const c = new ScenarioCluster(ids, { boot: 'conf', raft: { preVote: false, maxSizePerMsg: 1 } });
  // (b): s1 replicated 2/2 to s2 then crashed; s5 was leader of term 3 with 2/3 locally.
  c.setLog('s1', 3, [1, 2]);
  c.setLog('s2', 3, [1, 2]);
  c.setLog('s3', 3, [1]);
  c.setLog('s4', 3, [1]);
  c.setLog('s5', 3, [1, 3]);
  // (c): s1 is leader of term 4 and replicates 2/2 to s3, but not yet its own 3/4.
  c.cut('s1', 's5');
  c.host('s1').raw!.campaign();
  c.stabilize();
  c.takeTrace();
  t.same(c.leaders(), ['s1']);
  t.same(logTerms(c, 's3'), [1, 2, 4], 's3 got everything');
  // Rebuild the exact (c) state: s3 has 2/2 but not 3/4 (the append carrying it was lost).
  const c2 = new ScenarioCluster(ids, { boot: 'conf', raft: { preVote: false, checkQuorum: false, maxSizePerMsg: 1, maxInflightMsgs: 1 } });
  c2.setLog('s1', 3, [1, 2]);
  c2.setLog('s2', 3, [1, 2]);
  c2.setLog('s3', 3, [1]);
  c2.setLog('s4', 3, [1]);
  c2.setLog('s5', 3, [1, 3]);
  c2.cut('s1', 's5');
  c2.cut('s1', 's4');
  c2.host('s1').raw!.campaign();
  // Deliver round by round until s3 holds 2/2, then cut s1 off before 3/4 reaches a majority.
  for (let i = 0; i < 20 && logTerms(c2, 's3').length < 2; i++) {
    c2.flushReadies();
    c2.deliver();
  }
  c2.flushReadies();
  c2.isolate('s1');
  c2.dropAll();
  t.same(logTerms(c2, 's3'), [1, 2], 's3 holds 2/2 only');
  t.same(logTerms(c2, 's2').slice(0, 2), [1, 2]);
  t.ok(commit(c2, 's1') < 2, `2/2 is on a majority (s1, s2, s3) but s1 did not commit it (commit=${commit(c2, 's1')})`);
  // (d): s5 is elected with s2, s3, s4 and overwrites index 2 with its 2/3 — legal since 2/2 was never committed.
  // s5's first campaign (term 4) is refused by s2 and s3, which voted for s1 in term 4; the next one wins.
  for (let i = 0; i < 3 && role(c2, 's5') !== 'leader'; i++) {
    c2.host('s5').raw!.campaign();
    c2.stabilize();
  }
  c2.takeTrace();
  t.equal(role(c2, 's5'), 'leader', 's5 is elected');
  for (const id of ['s2', 's3', 's4', 's5']) t.equal(logTerms(c2, id)[1], 3, `${id} has 2/3 at index 2`);
  for (const id of ids) {
    const h = c2.host(id);
    const applied2 = h.applied >= 2 ? h.storage.term(2) : undefined;
    if (applied2 !== undefined) t.equal(applied2, 3, `${id} applied 2/3, never 2/2`);
  }
});

t.test('commit rule: the leader commits an entry of its term once a majority stores it', async (t) => {
  const c = new ScenarioCluster(['1', '2', '3', '4', '5']);
  c.host('1').raw!.campaign();
  stable(c);
  const before = commit(c, '1');
  c.isolate('4');
  c.isolate('5');
  c.propose('1', 'v');
  stable(c);
  t.equal(commit(c, '1'), before + 1, 'committed with 3 of 5');
  c.isolate('3');
  c.propose('1', 'w');
  stable(c);
  t.equal(commit(c, '1'), before + 1, 'not committed with 2 of 5');
  c.heal();
  c.tickAll(2);
  stable(c);
  t.equal(commit(c, '1'), before + 2, 'committed once a majority has it');
  for (const id of ['2', '3', '4', '5']) t.equal(commit(c, id), before + 2, `${id} learned the commit index`);
});
