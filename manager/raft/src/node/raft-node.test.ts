import t from 'tap';
import { join } from 'node:path';
import type { Entry, NodeId, Snapshot, SoftState } from '../core/index.js';
import { GrpcTransport } from '../transport/index.js';
import { RaftNode } from './raft-node.js';
import type { StateMachine } from './state-machine.js';

const enc = new TextEncoder();
const dec = new TextDecoder();

/** A list of applied strings; notifies waiters when it reaches a length. */
class ListMachine implements StateMachine {
  items: string[] = [];
  restores = 0;
  #waiters: Array<{ n: number; resolve: () => void }> = [];

  apply(e: Entry): void {
    this.items.push(dec.decode(e.data));
    this.#notify();
  }

  snapshot(): Uint8Array {
    return enc.encode(JSON.stringify(this.items));
  }

  restore(s: Snapshot): void {
    this.items = JSON.parse(dec.decode(s.data)) as string[];
    this.restores++;
    this.#notify();
  }

  /** Resolves once at least `n` items were applied. */
  reach(n: number): Promise<void> {
    if (this.items.length >= n) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push({ n, resolve }));
  }

  #notify(): void {
    const done = this.#waiters.filter((w) => this.items.length >= w.n);
    this.#waiters = this.#waiters.filter((w) => this.items.length < w.n);
    for (const w of done) w.resolve();
  }
}

interface Member {
  id: NodeId;
  node: RaftNode;
  sm: ListMachine;
  port: number;
  running: Promise<void>;
}

const ids = ['n1', 'n2', 'n3'];
const timing = { tickMs: 20, electionTicks: 10, heartbeatTicks: 1, snapshotEvery: 40, keepEntries: 5 };

async function start(dir: string, id: NodeId, ports: Record<NodeId, number>, listenPort: number, pipelineAppends: boolean, join_ = false): Promise<Member> {
  const transport = await GrpcTransport.listen({ id, listen: `127.0.0.1:${listenPort}` });
  const sm = new ListMachine();
  const peers = Object.fromEntries(Object.entries(ports).filter(([p]) => p !== id).map(([p, port]) => [p, `127.0.0.1:${port}`]));
  const address = `127.0.0.1:${transport.port}`;
  const node = await RaftNode.open(
    join_
      ? { id, dir: join(dir, id), transport, stateMachine: sm, address, pipelineAppends, ...timing }
      : { id, dir: join(dir, id), transport, stateMachine: sm, address, peers, bootstrap: ids, pipelineAppends, ...timing },
  );
  return { id, node, sm, port: transport.port, running: node.run() };
}

/** Resolves with the first leader any of `members` reports (excluding `not`). */
function nextLeader(members: readonly Member[], not?: NodeId): Promise<Member> {
  return new Promise((resolve) => {
    const offs: Array<() => void> = [];
    const check = (m: Member) => (s: SoftState) => {
      if (s.role === 'leader' && m.id !== not) {
        offs.forEach((off) => off());
        resolve(m);
      }
    };
    for (const m of members) {
      if (m.node.isLeader && m.id !== not) {
        resolve(m);
        return;
      }
      offs.push(m.node.onSoftState(check(m)));
    }
  });
}

for (const pipelineAppends of [true, false])
t.test(`three nodes over gRPC with real WALs: elect, replicate, fail over, catch up (pipelineAppends ${pipelineAppends})`, async (t) => {
  const dir = t.testdir();
  // Reserve ports: each node listens on port 0 first, then peers learn the real ports.
  const probes = await Promise.all(ids.map((id) => GrpcTransport.listen({ id })));
  const ports = Object.fromEntries(ids.map((id, i) => [id, probes[i]?.port ?? 0]));
  await Promise.all(probes.map((p) => p.close()));
  let members = await Promise.all(ids.map((id) => start(dir, id, ports, ports[id] ?? 0, pipelineAppends)));
  t.teardown(async () => {
    await Promise.all(members.map((m) => m.node.stop()));
  });

  // Diagnostics only: if a step hangs, the log shows where each node is.
  const dump = setInterval(() => {
    for (const m of members) {
      const s = m.node.status();
      t.comment(`${m.id} ${s.softState.role} leader=${s.softState.leader} term=${s.hardState.term} commit=${s.hardState.commit} last=${s.lastIndex} applied=${s.applied} sm=${m.sm.items.length}`);
    }
  }, 5000);
  t.teardown(() => clearInterval(dump));
  const leader = await nextLeader(members);
  t.ok(ids.includes(leader.id), `leader ${leader.id}`);
  const follower = members.find((m) => m !== leader) as Member;
  await t.rejects(follower.node.propose(enc.encode('x')), { code: 'RAFT_NOT_LEADER' });

  // Concurrent proposals: each resolves with its own index once applied on the leader.
  const first = await Promise.all(Array.from({ length: 30 }, (_, i) => leader.node.propose(enc.encode(`a${i}`))));
  t.same(new Set(first.map((c) => c.index)).size, 30, 'distinct indexes');
  t.same(leader.sm.items, Array.from({ length: 30 }, (_, i) => `a${i}`));
  await Promise.all(members.map((m) => m.sm.reach(30)));
  for (const m of members) t.same(m.sm.items, leader.sm.items, `${m.id} replicated`);

  // A linearizable read on a follower sees every write acknowledged before it.
  await follower.node.readIndex();
  t.ok(follower.sm.items.length >= 30);

  // Kill (stop) the leader: the other two elect a new leader that commits.
  await leader.node.stop();
  await leader.running;
  const rest = members.filter((m) => m !== leader);
  const newLeader = await nextLeader(rest, leader.id);
  t.not(newLeader.id, leader.id);
  // In three waves, so that compactions (every 40 entries, in the background) have trimmed the
  // leader's log well past what the stopped node has by the time it comes back.
  for (let wave = 0; wave < 3; wave++) {
    const more = await Promise.all(Array.from({ length: 50 }, (_, i) => newLeader.node.propose(enc.encode(`b${wave * 50 + i}`))));
    t.equal(more.length, 50);
  }
  await Promise.all(rest.map((m) => m.sm.reach(180)));

  // Restart the old leader from its WAL on its old port: it catches up (by snapshot, since the
  // others compacted past what it has).
  const back = await start(dir, leader.id, ports, leader.port, pipelineAppends);
  members = [...rest, back];
  t.ok(back.node.status().lastIndex >= 34, 'reopened with the log from its own WAL');
  await back.sm.reach(180);
  t.same(back.sm.items, newLeader.sm.items, 'the restarted node caught up');
  t.ok(back.sm.restores >= 1, 'it installed a snapshot sent by the leader (its log was compacted away there)');
  t.equal(back.node.leader, newLeader.id);

  // Membership: remove the restarted node; hand leadership over.
  await newLeader.node.removeNode(back.id);
  t.same(newLeader.node.status().confState.voters.length, 2);
  await t.rejects(newLeader.node.transferLeadership('nobody'), { code: 'RAFT_TRANSFER_INVALID' });
  const other = rest.find((m) => m !== newLeader) as Member;
  // The transferee campaigns only once it has applied the removal: a read on it waits for that.
  await other.node.readIndex();
  await newLeader.node.transferLeadership(other.id);
  t.equal(newLeader.node.leader, other.id, 'leadership transferred');
  const after = await other.node.propose(enc.encode('after-transfer'));
  t.ok(after.index > 180);

  // Leadership moves away while proposals are pending: each one settles, either applied,
  // refused (retryable) or appended with an unknown outcome (not retryable: it may commit).
  const pending = Array.from({ length: 20 }, (_, i) => other.node.propose(enc.encode(`c${i}`)));
  const back2 = other.node.transferLeadership(newLeader.id);
  const settled = await Promise.allSettled(pending);
  await back2;
  for (const r of settled) {
    if (r.status !== 'rejected') continue;
    const reason = r.reason as { code: string };
    if (reason.code === 'RAFT_OUTCOME_UNKNOWN') t.match(reason, { retryable: false });
    else t.match(reason, { code: /^RAFT_(NOT_LEADER|PROPOSAL_DROPPED)$/, retryable: true });
  }
  t.equal(newLeader.node.leader, newLeader.id, 'leadership moved back');

  // A new member that knows no one: added as a learner by address, it receives a snapshot
  // (the log was compacted) that also tells it where the others are.
  const n4 = await start(dir, 'n4', {}, 0, pipelineAppends, true);
  members = [...members, n4];
  await newLeader.node.addLearner('n4', `127.0.0.1:${n4.port}`);
  const target = newLeader.sm.items.length;
  await n4.sm.reach(target);
  t.same(n4.sm.items.slice(0, target), newLeader.sm.items.slice(0, target), 'the learner caught up');
  t.ok(n4.sm.restores >= 1, 'by snapshot');
  await n4.node.readIndex(); // needs a round trip to the leader, whose address it learned from the snapshot
  t.equal(n4.node.leader, newLeader.id);
});
