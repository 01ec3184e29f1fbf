import t from 'tap';
import { ManualClock } from '@shoal/common';
import type { Store } from '../store/index.js';
import { node, T0, memoryStore } from '../testing/swarm-objects.js';
import { NodeControl } from './nodes.js';

async function withNodes(): Promise<{ store: Store; nodes: NodeControl }> {
  const store = memoryStore(new ManualClock(T0));
  await store.update((tx) => {
    tx.create('nodes', { ...node('mgr1', { role: 'manager', hostname: 'alpha', engineLabels: { disk: 'ssd' } }), ManagerStatus: { Leader: true, Reachability: 'reachable', Addr: '10.0.0.1:2377' }, Certificate: 'PEM' } as never);
    tx.create('nodes', { ...node('wrk1', { hostname: 'beta', labels: { zone: 'a' } }) } as never);
    tx.create('nodes', { ...node('wrk2', { hostname: 'gamma', state: 'down' }) } as never);
  });
  return { store, nodes: new NodeControl(store) };
}

t.test('lookups and filters as Docker\'s; the certificate stays inside', async (t) => {
  const { nodes } = await withNodes();
  t.equal(nodes.getNode('alpha').ID, 'mgr1', 'by hostname');
  t.equal(nodes.getNode('wrk1').ID, 'wrk1');
  t.equal(nodes.getNode('m').ID, 'mgr1', 'by a unique prefix');
  t.throws(() => nodes.getNode('wrk'), { code: 'CONTROL_NODE_NOT_FOUND', message: 'node wrk not found' }, 'an ambiguous prefix finds nothing');
  t.notOk('Certificate' in nodes.getNode('mgr1'));
  const ids = (f: Record<string, string[]>): string[] => nodes.listNodes(f).map((x) => x.ID);
  t.same(ids({ role: ['manager'] }), ['mgr1']);
  t.same(ids({ 'node.label': ['zone=a'] }), ['wrk1']);
  t.same(ids({ label: ['disk'] }), ['mgr1']);
  t.same(ids({ name: ['gam'] }), ['wrk2']);
});

t.test('update: availability and labels with the version read; refusals leave the node as it was', async (t) => {
  const { nodes } = await withNodes();
  const before = nodes.getNode('wrk1');
  await nodes.updateNode('wrk1', before.Version.Index, { Role: 'worker', Availability: 'drain', Labels: { zone: 'b' } });
  t.match(nodes.getNode('wrk1').Spec, { Availability: 'drain', Labels: { zone: 'b' }, Role: 'worker' });
  await t.rejects(nodes.updateNode('wrk1', before.Version.Index, { Availability: 'active' }), { code: 'STORE_OUT_OF_SEQUENCE', message: 'update out of sequence' });
  const mgr = nodes.getNode('mgr1');
  await t.rejects(nodes.updateNode('mgr1', mgr.Version.Index, { Role: 'worker', Availability: 'active' }), { code: 'CONTROL_LAST_MANAGER', message: 'attempting to demote the last manager of the swarm' });
  await t.rejects(nodes.updateNode('wrk1', 0, { Availability: 'sleepy' }), { code: 'CONTROL_INVALID_ARGUMENT', message: 'invalid availability: sleepy' });
  t.same(nodes.getNode('mgr1'), mgr, 'unchanged');
});

t.test('remove: a manager never, a node that is up only with force', async (t) => {
  const { nodes } = await withNodes();
  await t.rejects(nodes.removeNode('mgr1', true), { code: 'CONTROL_NODE_IS_MANAGER', message: /node mgr1 is a cluster manager and is a member of the raft cluster\. It must be demoted to worker before removal/ });
  await t.rejects(nodes.removeNode('wrk1', false), { code: 'CONTROL_NODE_NOT_DOWN', message: "node wrk1 is not down and can't be removed" });
  await nodes.removeNode('wrk2', false);
  await nodes.removeNode('wrk1', true);
  t.same(nodes.listNodes().map((x) => x.ID), ['mgr1']);
});
