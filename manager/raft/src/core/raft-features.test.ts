import t from 'tap';
import { ScenarioCluster } from '../sim/scenario-cluster.js';
import type { ScenarioClusterOptions } from '../sim/scenario-cluster.js';
import type { NodeId } from './index.js';

// Pre-vote, check-quorum, leader transfer, ReadIndex, snapshots, learners and
// conf-change safety, each as a named test with explicit assertions.

const stable = (c: ScenarioCluster): string[] => {
  c.stabilize();
  return c.takeTrace();
};
const role = (c: ScenarioCluster, id: NodeId): string => c.host(id).raw!.softState().role;
const leaderOf = (c: ScenarioCluster, id: NodeId): string => c.host(id).raw!.softState().leader;
const term = (c: ScenarioCluster, id: NodeId): number => c.host(id).raw!.hardState().term;
const commit = (c: ScenarioCluster, id: NodeId): number => c.host(id).raw!.hardState().commit;
const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

const withLeader = (ids: NodeId[], opts: ScenarioClusterOptions = {}): ScenarioCluster => {
  const c = new ScenarioCluster(ids, opts);
  c.host(ids[0]!).raw!.campaign();
  stable(c);
  return c;
};

t.test('pre-vote: a partitioned node does not disrupt the cluster when it returns', async (t) => {
  const c = withLeader(['1', '2', '3']);
  const t0 = term(c, '1');
  c.isolate('3');
  for (let i = 0; i < 100; i++) {
    c.tick('3');
    stable(c);
  }
  t.equal(term(c, '3'), t0, 'the isolated node never bumped its term (pre-vote failed)');
  t.equal(role(c, '3'), 'pre-candidate', 'it keeps asking');
  c.heal();
  c.tick('1');
  c.tick('3', 30);
  stable(c);
  t.equal(role(c, '1'), 'leader', 'the leader is undisturbed');
  t.equal(term(c, '1'), t0, 'no new term');
  t.equal(leaderOf(c, '3'), '1', 'the returning node follows the leader');
});

t.test('without pre-vote the same partition deposes the leader (the problem pre-vote solves)', async (t) => {
  const c = withLeader(['1', '2', '3'], { raft: { preVote: false, checkQuorum: false } });
  const t0 = term(c, '1');
  c.isolate('3');
  c.tick('3', 100);
  stable(c);
  t.ok(term(c, '3') > t0 + 1, 'the isolated node inflated its term');
  c.heal();
  c.tick('3', 30);
  stable(c);
  t.ok(term(c, '1') > t0, 'the old leader had to step down to a newer term');
});

t.test('check-quorum: a leader that loses contact with a quorum steps down', async (t) => {
  const c = withLeader(['1', '2', '3'], { raft: { electionTicks: 10 } });
  c.isolate('1');
  // It heard from everyone during the last timeout window, so it may stay for at most two windows.
  for (let i = 0; i < 10; i++) {
    c.tick('1');
    stable(c);
  }
  for (let i = 0; i < 10 && role(c, '1') === 'leader'; i++) {
    c.tick('1');
    stable(c);
  }
  t.equal(role(c, '1'), 'follower', 'stepped down within two election timeouts without a quorum');
  t.equal(leaderOf(c, '1'), '', 'knows no leader');
  const c2 = withLeader(['1', '2', '3'], { raft: { electionTicks: 10 } });
  c2.isolate('3');
  for (let i = 0; i < 30; i++) {
    c2.tick('1');
    stable(c2);
  }
  t.equal(role(c2, '1'), 'leader', 'a leader that still reaches a majority stays');
});

t.test('check-quorum: followers with a live leader ignore vote requests (leader lease)', async (t) => {
  const c = withLeader(['1', '2', '3'], { raft: { preVote: false } });
  c.host('3').raw!.campaign();
  const trace = stable(c);
  t.notOk(trace.some((l) => l.startsWith('1->3 vote-resp') || l.startsWith('2->3 vote-resp')), 'no answers to the disruptive candidate');
  t.equal(leaderOf(c, '2'), '1');
});

t.test('leader transfer: the leader catches the target up and sends timeout-now', async (t) => {
  const c = withLeader(['1', '2', '3']);
  const t0 = term(c, '1');
  c.isolate('2');
  c.propose('1', 'a');
  stable(c);
  c.heal();
  c.host('1').raw!.transferLeader('2');
  t.equal(c.propose('1', 'dropped'), 'error RAFT_PROPOSAL_DROPPED', 'proposals are refused during the transfer');
  const trace = stable(c);
  t.ok(trace.includes(`1->2 timeout-now t${t0}`), 'timeout-now sent once 2 caught up');
  t.equal(role(c, '2'), 'leader', '2 is the new leader');
  t.equal(term(c, '2'), t0 + 1);
  t.equal(leaderOf(c, '1'), '2');
  t.equal(leaderOf(c, '3'), '2');
  t.match(c.propose('2', 'after'), /^proposed/, 'the new leader accepts proposals');
});

t.test('leader transfer: requests are validated and forwarded', async (t) => {
  const c = withLeader(['1', '2', '3']);
  const r = c.attempt(() => c.host('1').raw!.transferLeader('9'));
  t.same(r, { error: 'RAFT_TRANSFER_INVALID' }, 'unknown target refused');
  c.host('3').raw!.transferLeader('3');
  const trace = stable(c);
  t.ok(trace.some((l) => l.startsWith('3->1 transfer-leader')), 'a follower forwards the request to the leader');
  t.equal(role(c, '3'), 'leader');
});

t.test('ReadIndex: the leader answers after a heartbeat quorum, with its commit index', async (t) => {
  const c = withLeader(['1', '2', '3']);
  c.propose('1', 'x');
  stable(c);
  c.host('1').raw!.readIndex(enc('r1'));
  const trace = stable(c);
  // The heartbeats carry the leader's token for this read round (term:seq), not the context.
  const hb = trace.filter((l) => /^1->\d heartbeat .*ctx=\d+:\d+$/.test(l));
  t.equal(hb.length, 2, 'a heartbeat round confirms leadership');
  t.ok(trace.includes(`[1 read ctx=r1 index=${commit(c, '1')}]`), 'read state at the commit index');
});

t.test('ReadIndex: a follower forwards to the leader and reads locally once applied', async (t) => {
  const c = withLeader(['1', '2', '3']);
  c.propose('1', 'y');
  stable(c);
  c.host('3').raw!.readIndex(enc('r2'));
  const trace = stable(c);
  t.ok(trace.some((l) => l.startsWith('3->1 read-index') && l.includes('ctx=r2')), 'forwarded');
  t.ok(trace.some((l) => l.startsWith('1->3 read-index-resp') && l.includes('ctx=r2')), 'answered');
  t.ok(trace.includes(`[3 read ctx=r2 index=${commit(c, '1')}]`), 'served on the follower');
});

t.test('ReadIndex: a leader cut off from the quorum never answers (no stale reads)', async (t) => {
  const c = withLeader(['1', '2', '3'], { raft: { checkQuorum: false } });
  c.isolate('1');
  c.host('1').raw!.readIndex(enc('r3'));
  c.tick('1', 5);
  const trace = stable(c);
  t.notOk(trace.some((l) => l.includes('read ctx=r3')), 'no read state without confirmation');
});

t.test('ReadIndex: a new leader holds reads until it commits an entry of its term', async (t) => {
  const c3 = new ScenarioCluster(['1', '2', '3'], { raft: { preVote: false } });
  c3.host('1').raw!.campaign();
  c3.flushReadies();
  c3.deliver(); // vote requests
  c3.flushReadies();
  c3.deliver(); // votes: 1 becomes leader and appends its no-op
  t.equal(role(c3, '1'), 'leader');
  c3.host('1').raw!.readIndex(enc('early'));
  c3.flushReadies();
  t.notOk(c3.takeTrace().some((l) => l.includes('read ctx=early')), 'held while the no-op is uncommitted');
  const trace = stable(c3);
  t.ok(trace.some((l) => l.startsWith('[1 read ctx=early')), 'answered after the no-op committed');
});

t.test('snapshot: a lagging follower receives the snapshot in chunks and catches up', async (t) => {
  const c = withLeader(['1', '2', '3'], { raft: { maxSnapshotChunkBytes: 16 } });
  c.host('3').crash();
  for (let i = 0; i < 5; i++) c.propose('1', `value-${i}`);
  stable(c);
  c.host('1').snapshotAndCompact();
  c.host('2').snapshotAndCompact();
  c.host('3').restart();
  c.tick('1', 2);
  const trace = stable(c);
  const chunks = trace.filter((l) => l.startsWith('1->3 snapshot '));
  t.ok(chunks.length > 1, `sent in ${chunks.length} chunks`);
  t.equal(c.host('3').applied, c.host('1').applied, 'the follower applied up to the leader');
  t.equal(c.host('3').kv.get('k'), 'value-4', 'its state machine holds the snapshot state');
  t.equal(c.host('3').storage.snapshot().meta.index, c.host('1').storage.snapshot().meta.index, 'the snapshot was persisted');
  c.propose('1', 'after-snapshot');
  stable(c);
  t.equal(c.host('3').kv.get('k'), 'after-snapshot', 'replication continues after the snapshot');
});

t.test('learner: receives the log without voting, is promoted only once caught up', async (t) => {
  const c = withLeader(['1', '2', '3']);
  c.addNode('4');
  c.isolate('4');
  t.match(c.confChange('1', 'add-learner', '4'), /^proposed/);
  stable(c);
  t.same(c.host('1').raw!.status().confState, { voters: ['1', '2', '3'], learners: ['4'] });
  for (let i = 0; i < 3; i++) c.propose('1', `l${i}`);
  stable(c);
  t.equal(c.confChange('1', 'add-voter', '4'), 'error RAFT_CONF_CHANGE_UNSAFE', 'a lagging learner is not promoted');
  t.ok(commit(c, '1') > commit(c, '4'), 'commits proceed without the learner');
  c.heal();
  c.tick('1', 2);
  stable(c);
  t.equal(c.host('4').applied, c.host('1').applied, 'the learner caught up');
  t.equal(role(c, '4'), 'follower');
  c.tick('4', 50);
  stable(c);
  t.equal(role(c, '4'), 'follower', 'a learner never campaigns');
  t.match(c.confChange('1', 'add-voter', '4'), /^proposed/, 'promotion of a caught-up learner');
  stable(c);
  for (const id of ['1', '2', '3', '4']) t.same(c.host(id).raw!.status().confState.voters, ['1', '2', '3', '4'], `${id} sees 4 voters`);
});

t.test('conf change: unsafe or concurrent changes are refused with typed errors', async (t) => {
  const c = withLeader(['1', '2', '3'], { raft: { electionTicks: 10 } });
  c.isolate('3');
  for (let i = 0; i < 12; i++) {
    c.tick('1');
    stable(c);
  }
  t.equal(role(c, '1'), 'leader');
  t.equal(c.confChange('1', 'remove-node', '2'), 'error RAFT_CONF_CHANGE_UNSAFE', 'removing 2 would leave {1,3} with 3 unreachable');
  t.equal(c.confChange('1', 'add-voter', '4'), 'error RAFT_CONF_CHANGE_UNSAFE', 'a 4th voter while 3 is down needs 3 of 4');
  t.equal(c.confChange('1', 'remove-node', '9'), 'error RAFT_CONF_CHANGE_INVALID');
  t.equal(c.confChange('2', 'remove-node', '3'), 'error RAFT_NOT_LEADER');
  t.match(c.confChange('1', 'remove-node', '3'), /^proposed/, 'removing the unreachable node is safe');
  t.equal(c.confChange('1', 'add-learner', '5'), 'error RAFT_CONF_CHANGE_PENDING', 'one change at a time');
  stable(c);
  t.same(c.host('1').raw!.status().confState.voters, ['1', '2']);
  t.match(c.confChange('1', 'add-learner', '5'), /^proposed/, 'the next change is accepted once the first is applied');
});

t.test('conf change: a removed leader steps down and the rest elect a new one', async (t) => {
  const c = withLeader(['1', '2', '3']);
  t.match(c.confChange('1', 'remove-node', '1'), /^proposed/);
  stable(c);
  t.not(role(c, '1'), 'leader', 'the removed leader stepped down');
  for (let i = 0; i < 100 && c.leaders().length === 0; i++) {
    c.tickAll();
    stable(c);
  }
  const leaders = c.leaders();
  t.equal(leaders.length, 1);
  t.not(leaders[0], '1');
  t.same(c.host(leaders[0]!).raw!.status().confState.voters, ['2', '3']);
  stable(c);
  t.equal(c.confChange(leaders[0]!, 'add-learner', '1'), 'error RAFT_CONF_CHANGE_INVALID', 'a removed id cannot come back');
});

t.test('flow control: the inflight window and message size bound the appends', async (t) => {
  const c = withLeader(['1', '2'], { raft: { maxInflightMsgs: 2, maxSizePerMsg: 1 } });
  for (let i = 0; i < 6; i++) c.propose('1', `f${i}`);
  c.flushReadies();
  c.deliver();
  const sent = c.takeTrace().filter((l) => l.startsWith('1->2 append'));
  t.equal(sent.length, 2, 'two appends in flight at most');
  for (const l of sent) t.match(l, /ents=\[\d+\/\d+:k=\S+\]$/, 'one entry per message (max bytes)');
  stable(c);
  t.equal(commit(c, '2'), commit(c, '1'), 'everything replicated eventually');
});

t.test('batching: proposals between two Readies go out as one append per peer', async (t) => {
  const c = withLeader(['1', '2', '3']);
  for (let i = 0; i < 5; i++) c.propose('1', `b${i}`);
  c.flushReadies();
  c.deliver();
  const appends = c.takeTrace().filter((l) => l.startsWith('1->') && l.includes(' append '));
  t.equal(appends.length, 2, 'one append per follower');
  for (const l of appends) t.equal((l.match(/:k=/g) ?? []).length, 5, 'carrying all five entries');
});

t.test('driver reports: unreachable peers fall back to probing; failed snapshots are retried', async (t) => {
  const c = withLeader(['1', '2', '3']);
  const leader = c.host('1').raw!;
  t.equal(leader.status().progress!['2']!.state, 'replicate');
  leader.reportUnreachable('2');
  t.equal(leader.status().progress!['2']!.state, 'probe', 'replicate -> probe');
  // A follower that needs a snapshot: the driver reports the transfer failed.
  c.host('3').crash();
  for (let i = 0; i < 3; i++) c.propose('1', `s${i}`);
  stable(c);
  c.host('1').snapshotAndCompact();
  c.host('3').restart();
  c.tick('1', 1);
  const state = (): string => leader.status().progress!['3']!.state;
  for (let i = 0; i < 10 && state() !== 'snapshot'; i++) {
    c.flushReadies();
    c.deliver();
  }
  c.flushReadies();
  c.dropAll(); // the snapshot message is lost
  t.equal(state(), 'snapshot', 'the leader is sending a snapshot');
  leader.reportSnapshot('3', 'failure');
  t.equal(state(), 'probe', 'snapshot -> probe after a reported failure');
  c.tick('1', 2);
  stable(c);
  t.equal(c.host('3').applied, c.host('1').applied, 'the follower catches up after the retry');
});

t.test('maxUncommittedEntriesSize: the leader drops proposals beyond the budget', async (t) => {
  const c = withLeader(['1', '2', '3'], { raft: { maxUncommittedEntriesSize: 100 } });
  c.isolate('2');
  c.isolate('3');
  const results: string[] = [];
  for (let i = 0; i < 10; i++) results.push(c.propose('1', `payload-${i}`));
  t.ok(results.some((r) => r === 'error RAFT_PROPOSAL_DROPPED'), 'some proposals are dropped');
  t.match(results[0]!, /^proposed/, 'the first one is always accepted');
  c.heal();
  c.tick('1', 2);
  stable(c);
  t.match(c.propose('1', 'again'), /^proposed/, 'accepted again once the entries are applied');
});

t.test('stale messages: a node answers an old leader with its newer term, which deposes it', async (t) => {
  const c = withLeader(['1', '2', '3']);
  c.isolate('1');
  for (let i = 0; i < 60 && c.leaders().filter((l) => l !== '1').length === 0; i++) {
    c.tick('2');
    c.tick('3');
    stable(c);
  }
  const newLeader = c.leaders().find((l) => l !== '1');
  t.ok(newLeader !== undefined, 'the others elected a new leader');
  t.equal(role(c, '1'), 'leader', 'the cut-off leader still believes it leads (check-quorum has not fired yet)');
  c.heal();
  c.propose('1', 'stale');
  const trace = stable(c);
  t.ok(trace.some((l) => /^[23]->1 append-resp t[0-9]+ index=0$/.test(l)), 'followers answer with their newer term');
  t.not(role(c, '1'), 'leader', 'the old leader stepped down');
  c.tick(newLeader!, 2);
  stable(c);
  t.ok(c.host('1').storage.entries(1, c.host('1').storage.lastIndex() + 1).every((e) => !new TextDecoder().decode(e.data).includes('stale')), 'its uncommitted proposal was replaced');
});
