import t from 'tap';
import { join } from 'node:path';
import { decodeConfChange, encodeConfChange } from '../core/index.js';
import type { ConfChange, Entry, NodeId, Snapshot, SoftState } from '../core/index.js';
import { FileWal } from '../storage/index.js';
import { GrpcTransport } from '../transport/index.js';
import { forceNewClusterLog, membershipAt } from './force-new-cluster.js';
import { RaftNode } from './raft-node.js';
import type { StateMachine } from './state-machine.js';

const conf = (index: number, term: number, cc: ConfChange): Entry => ({ index, term, type: 'conf-change', data: encodeConfChange(cc) });
const put = (index: number, term: number, text: string): Entry => ({ index, term, type: 'normal', data: Buffer.from(text) });

t.test('the forced log keeps what committed, drops the rest and leaves this node the only voter', async (t) => {
  const snapshot: Snapshot = { meta: { index: 10, term: 2, confState: { voters: ['a', 'b', 'c'], learners: [] } }, data: new Uint8Array(0) };
  const entries = [
    put(11, 3, 'x'),
    conf(12, 3, { type: 'add-learner', nodeId: 'd' }),
    conf(13, 3, { type: 'add-voter', nodeId: 'e' }),
    put(14, 3, 'committed'),
    conf(15, 4, { type: 'remove-node', nodeId: 'b' }), // not committed: b is still a member
    put(16, 4, 'uncommitted'),
  ];
  const state = { hardState: { term: 4, vote: 'a', commit: 14 }, snapshot, entries };
  const m = membershipAt(snapshot, entries, 14);
  t.same([...m.voters].sort(), ['a', 'b', 'c', 'e']);
  t.same([...m.learners], ['d']);
  const forced = forceNewClusterLog('a', state);
  t.same(forced.removed, ['b', 'c', 'd', 'e']);
  t.equal(forced.droppedUncommitted, 2);
  t.same(
    forced.entries.map((e) => ({ index: e.index, term: e.term, cc: decodeConfChange(e.data) })),
    ['b', 'c', 'd', 'e'].map((id, i) => ({ index: 15 + i, term: 5, cc: { type: 'remove-node', nodeId: id } })),
    'removals right after the commit index, in a term of their own',
  );
  t.same(forced.hardState, { term: 5, vote: '', commit: 18 }, 'committed');

  const learner = forceNewClusterLog('d', state);
  t.same(learner.entries.map((e) => decodeConfChange(e.data)).slice(0, 1), [{ type: 'add-voter', nodeId: 'd' }], 'a learner becomes a voter');

  const single = [conf(1, 1, { type: 'add-voter', nodeId: 'a' }), put(2, 2, 'x')];
  const alone = forceNewClusterLog('a', { hardState: { term: 2, vote: 'a', commit: 2 }, snapshot: undefined, entries: single });
  t.same(alone.entries, [], 'already alone with nothing uncommitted: nothing to write');
  const tail = forceNewClusterLog('a', { hardState: { term: 2, vote: 'a', commit: 1 }, snapshot: undefined, entries: single });
  t.same(
    tail.entries.map((e) => ({ index: e.index, term: e.term, type: e.type, size: e.data.length })),
    [{ index: 2, term: 3, type: 'normal', size: 0 }],
    'alone with an uncommitted tail: an empty entry of a new term replaces it',
  );
});

/** Applied strings. */
class Items implements StateMachine {
  items: string[] = [];
  apply(e: Entry): void {
    this.items.push(Buffer.from(e.data).toString());
  }
  snapshot(): Uint8Array {
    return Buffer.from(JSON.stringify(this.items));
  }
  restore(s: Snapshot): void {
    this.items = JSON.parse(Buffer.from(s.data).toString()) as string[];
  }
}

const timing = { tickMs: 20, electionTicks: 10, heartbeatTicks: 1 };

interface Member {
  id: NodeId;
  node: RaftNode;
  sm: Items;
  port: number;
  running: Promise<void>;
}

async function startMember(dir: string, id: NodeId, port: number, extra: Partial<Parameters<typeof RaftNode.open>[0]>): Promise<Member> {
  const transport = await GrpcTransport.listen({ id, listen: `127.0.0.1:${port}` });
  const sm = new Items();
  const node = await RaftNode.open({ id, dir: join(dir, id), transport, stateMachine: sm, address: `127.0.0.1:${transport.port}`, ...timing, ...extra });
  return { id, node, sm, port: transport.port, running: node.run() };
}

function leaderOf(m: Member): Promise<void> {
  if (m.node.isLeader) return Promise.resolve();
  return new Promise((resolve) => {
    const off = m.node.onSoftState((s: SoftState) => {
      if (s.role === 'leader') {
        off();
        resolve();
      }
    });
  });
}

async function until(cond: () => boolean): Promise<void> {
  while (!cond()) await new Promise((r) => setTimeout(r, 10));
}

t.test('a cluster that lost two of three managers for good: force a new cluster from the survivor, then grow back', async (t) => {
  const dir = t.testdir();
  const ids = ['n1', 'n2', 'n3'];
  const probes = await Promise.all(ids.map((id) => GrpcTransport.listen({ id })));
  const ports = Object.fromEntries(ids.map((id, i) => [id, probes[i]?.port ?? 0]));
  await Promise.all(probes.map((p) => p.close()));
  const peers = Object.fromEntries(ids.map((id) => [id, `127.0.0.1:${ports[id]}`]));
  let members = await Promise.all(ids.map((id) => startMember(dir, id, ports[id] ?? 0, { peers, bootstrap: ids })));
  t.teardown(async () => {
    await Promise.all(members.map((m) => m.node.stop()));
  });
  await Promise.race(members.map((m) => leaderOf(m)));
  const leader = members.find((m) => m.node.isLeader) as Member;
  for (let i = 0; i < 20; i++) await leader.node.propose(Buffer.from(`v${i}`));
  const n1 = members.find((m) => m.id === 'n1') as Member;
  await until(() => n1.sm.items.length === 20);
  await Promise.all(members.map((m) => m.node.stop()));

  // n2 and n3 are gone for good. Without forcing, n1 alone never elects itself.
  const stuck = await startMember(dir, 'n1', n1.port, { peers });
  members = [stuck];
  await new Promise((r) => setTimeout(r, 30 * timing.tickMs));
  t.equal(stuck.node.isLeader, false, 'one of three voters cannot win');
  await stuck.node.stop();

  const forced = await startMember(dir, 'n1', n1.port, { peers, forceNewCluster: true });
  members = [forced];
  await leaderOf(forced);
  t.same(forced.node.status().confState.voters, ['n1'], 'the only voter');
  t.same(forced.sm.items, Array.from({ length: 20 }, (_, i) => `v${i}`), 'every committed value kept');
  await forced.node.propose(Buffer.from('after-force'));
  t.equal(forced.sm.items.at(-1), 'after-force');

  // Grow back: a new, empty member joins as a learner, catches up, and is promoted.
  const n4 = await startMember(dir, 'n4', 0, {});
  members = [forced, n4];
  await forced.node.addLearner('n4', `127.0.0.1:${n4.port}`);
  // Promotion is refused until the leader sees the learner replicating (conf-change safety).
  await until(() => n4.sm.items.at(-1) === 'after-force' && forced.node.status().progress?.['n4']?.state === 'replicate');
  await forced.node.addVoter('n4', `127.0.0.1:${n4.port}`);
  await forced.node.propose(Buffer.from('with-n4'));
  await until(() => n4.sm.items.at(-1) === 'with-n4');
  t.same(n4.sm.items, forced.sm.items, 'the new member has the whole history');
  t.same([...forced.node.status().confState.voters].sort(), ['n1', 'n4']);

  // The forced state is durable: a plain restart keeps the one-member configuration.
  await forced.node.stop();
  const { wal, state } = await FileWal.open(join(dir, 'n1'));
  await wal.close();
  t.ok(state.hardState.commit >= 23, `commit ${state.hardState.commit} covers the forced entries`);
});
