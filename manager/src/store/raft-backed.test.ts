// Three managers' stores on three real RaftNodes (gRPC on loopback, real
// WALs in a temp dir): writes on the leader reach every store; a follower
// refuses to write; after the leader stops, the new leader writes on; a
// member restarted from its WAL and snapshot has the same tables.
import t from 'tap';
import { join } from 'node:path';
import { ManualClock } from '@shoal/common';
import { GrpcTransport, RaftNode, type NodeId, type SoftState } from 'raft-ts';
import { RaftProposer, storeStateMachine } from './raft-backed.js';
import { Store } from './store.js';
import type { StoreEvent } from './types.js';

const ids = ['m1', 'm2', 'm3'];
const timing = { tickMs: 20, electionTicks: 10, heartbeatTicks: 1, snapshotEvery: 20, keepEntries: 5 };

interface Manager { id: NodeId; node: RaftNode; store: Store; running: Promise<void> }

async function startManager(dir: string, id: NodeId, ports: Record<NodeId, number>): Promise<Manager> {
  const transport = await GrpcTransport.listen({ id, listen: `127.0.0.1:${ports[id] ?? 0}` });
  const proposer = new RaftProposer();
  let n = 0;
  const store = new Store({ proposer, clock: new ManualClock(Date.parse('2026-12-07T12:00:00Z')), newId: () => `${id}-${++n}` });
  const peers = Object.fromEntries(ids.filter((p) => p !== id).map((p) => [p, `127.0.0.1:${ports[p] ?? 0}`]));
  const node = await RaftNode.open({
    id, dir: join(dir, id), transport, stateMachine: storeStateMachine(store), peers, address: `127.0.0.1:${transport.port}`, bootstrap: ids, ...timing,
  });
  proposer.bind(node);
  return { id, node, store, running: node.run() };
}

function leaderOf(ms: readonly Manager[]): Promise<Manager> {
  return new Promise((resolve) => {
    const offs: Array<() => void> = [];
    for (const m of ms) {
      if (m.node.isLeader) return resolve(m);
      offs.push(m.node.onSoftState((s: SoftState) => {
        if (s.role !== 'leader') return;
        offs.forEach((off) => off());
        resolve(m);
      }));
    }
  });
}

/** Resolves once `m`'s store applied `index`. */
async function caughtUp(m: Manager, index: number): Promise<void> {
  if (m.store.appliedIndex >= index) return;
  const ac = new AbortController();
  for await (const e of m.store.watch({ signal: ac.signal })) if (e.index >= index) ac.abort();
}

t.test('the store replicated by raft-ts across three managers', async (t) => {
  const dir = t.testdir();
  const probes = await Promise.all(ids.map((id) => GrpcTransport.listen({ id })));
  const ports = Object.fromEntries(ids.map((id, i) => [id, probes[i]?.port ?? 0]));
  await Promise.all(probes.map((p) => p.close()));
  let ms = await Promise.all(ids.map((id) => startManager(dir, id, ports)));
  t.teardown(() => Promise.all(ms.map((m) => m.node.stop())));

  const leader = await leaderOf(ms);
  const follower = ms.find((m) => m !== leader) as Manager;
  const seen: StoreEvent[] = [];
  const ac = new AbortController();
  const watching = (async () => { for await (const e of follower.store.watch({ tables: ['tasks'], signal: ac.signal })) seen.push(e); })();

  // 30 tasks in 30 concurrent transactions: batched into few entries, on every store.
  await leader.store.update((tx) => tx.create('services', { ID: 's1', Spec: { Name: 'web' } }));
  await Promise.all(Array.from({ length: 30 }, (_, i) => leader.store.update((tx) => tx.create('tasks', { ID: `t${i}`, ServiceID: 's1', Slot: i + 1 }))));
  const index = leader.store.appliedIndex;
  await Promise.all(ms.map((m) => caughtUp(m, index)));
  for (const m of ms) t.equal(m.store.view((tx) => tx.find('tasks', 'service', 's1').length), 30, `${m.id} has the tasks`);
  ac.abort();
  await watching;
  t.equal(seen.length, 30, 'a follower\'s watch sees every task created');

  await t.rejects(follower.store.update((tx) => tx.create('nodes', { ID: 'n1' })), { code: 'STORE_PROPOSAL_FAILED' }, 'a follower does not write');

  // The leader stops: the others elect one and write on, with versions from the new entries.
  await leader.node.stop();
  await leader.running;
  const rest = ms.filter((m) => m !== leader);
  const next = await leaderOf(rest);
  await next.store.update((tx) => {
    const s = tx.get('services', 's1');
    if (s === undefined) throw new Error('lost the service');
    tx.update('services', { ...structuredClone(s), Spec: { Name: 'web', Replicas: 3 } });
  });
  const after = next.store.view((tx) => tx.get('services', 's1'));
  t.ok((after?.Version.Index ?? 0) > index, 'the new version is a later Raft index');

  // The stopped manager comes back from its WAL and snapshot (snapshotEvery 20) and catches up.
  const back = await startManager(dir, leader.id, ports);
  ms = [...rest, back];
  await caughtUp(back, next.store.appliedIndex);
  t.same(back.store.view((tx) => tx.get('services', 's1')), after, 'the same object, same version');
  t.equal(back.store.view((tx) => tx.list('tasks').length), 30);
});
