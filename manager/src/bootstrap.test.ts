// swarm init on a real one-voter raft-ts (real WAL in a temp dir): the
// cluster and node objects, join tokens that pin the new root CA, the
// node's manager certificate; a restart finds the same swarm.
import t from 'tap';
import { randomBytes } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ManualClock } from '@shoal/common';
import { caDigest, parseJoinToken, verifyNodeCert } from './ca/index.js';
import { initSwarm, openManager, removeManagerState } from './bootstrap.js';

const NOW = Date.parse('2026-12-07T12:00:00Z');
/** The fields of the stored cluster and node this test reads. */
interface ClusterView { TLSInfo: { TrustRoot: string }; JoinTokens: Record<'Worker' | 'Manager', string> }
interface NodeView { Certificate: string; Version: { Index: number } }
const description = {
  Hostname: 'lab-1', Platform: { Architecture: 'x86_64', OS: 'linux' }, Resources: { NanoCPUs: 2e9, MemoryBytes: 2 ** 34 }, Engine: { EngineVersion: '0.1.0' },
};

t.test('swarm init, then a restart of the manager', async (t) => {
  const dir = join(t.testdir(), 'swarm');
  const clock = new ManualClock(NOW);
  const m = await initSwarm({ dir, clock, random: (n) => new Uint8Array(randomBytes(n)), description, advertiseAddr: '10.0.0.5:2377', listenAddr: '127.0.0.1:0', taskHistoryLimit: 3, filters: () => ({}) });
  t.match(m.nodeId, /^[0-9a-z]{25}$/);
  const cluster = m.store.view((tx) => tx.get('clusters', m.clusterId)) as unknown as ClusterView;
  t.match(cluster, { Spec: { Name: 'default', Orchestration: { TaskHistoryRetentionLimit: 3 }, Dispatcher: { HeartbeatPeriod: 1e9 } }, DataPathPort: 4789 });
  const ca = cluster.TLSInfo.TrustRoot;
  for (const role of ['Worker', 'Manager'] as const) {
    const token = parseJoinToken(cluster.JoinTokens[role]);
    t.same(Buffer.from(token.caDigest), Buffer.from(caDigest(ca)), `the ${role.toLowerCase()} token pins the root CA`);
  }
  t.not(cluster.JoinTokens.Worker, cluster.JoinTokens.Manager);
  const node = m.store.view((tx) => tx.get('nodes', m.nodeId)) as unknown as NodeView;
  t.match(node, { Spec: { Role: 'manager', Availability: 'active' }, Status: { State: 'ready', Addr: '10.0.0.5' }, ManagerStatus: { Addr: '10.0.0.5:2377' }, Description: { Hostname: 'lab-1' } });
  t.match(m.nodes.getNode(m.nodeId).ManagerStatus, { Leader: true, Reachability: 'reachable' }, 'the API derives the leader from Raft');
  t.match(await verifyNodeCert(node.Certificate, ca, NOW), { nodeId: m.nodeId, role: 'manager', organization: m.clusterId });
  t.equal((await stat(join(dir, 'certificates', 'swarm-node.key'))).mode & 0o777, 0o600, 'the node key is private');
  const version = node.Version.Index;
  await m.stop();

  const again = await openManager(dir, { clock, filters: () => ({}) });
  if (again === undefined) throw new Error('no swarm after restart');
  t.teardown(() => again.stop());
  t.equal(again.nodeId, m.nodeId);
  t.equal(again.clusterId, m.clusterId);
  t.equal(again.store.view((tx) => tx.get('nodes', m.nodeId))?.Version.Index, version, 'the store came back from the WAL');
  t.ok(again.raft.isLeader, 'and leads again');
  await again.store.update((tx) => tx.create('services', { ID: 's1', Spec: { Name: 'web' } }));
  t.equal(again.store.view((tx) => tx.list('services').length), 1, 'and takes writes');

  t.equal(await openManager(join(dir, 'nowhere'), { clock, filters: () => ({}) }), undefined, 'no state: not in a swarm');
  await again.stop();
  await removeManagerState(dir);
  t.equal(await openManager(dir, { clock, filters: () => ({}) }), undefined, 'left for good');
});
