import t from 'tap';
import { newIpam, allocateIp } from '@shoal/common';
import { reconcileState } from './loaded-state.js';
import type { SandboxRecord } from './network-record.js';

const defaultBridge = { bridgeName: 'shoal0', subnet: '10.1.0.0/24', gateway: '10.1.0.1' };
let n = 0;
const fresh = { id: () => `id${++n}`, created: '2026-12-07T00:00:00.000Z' };

t.test('a first start makes the built-ins', async (t) => {
  const s = reconcileState({ networks: null, ipam: null, sandboxes: [] }, defaultBridge, fresh);
  t.same(s.networks.map((x) => [x.name, x.driver, x.builtin]), [['bridge', 'bridge', true], ['host', 'host', true], ['none', 'null', true]]);
  t.match(s.networks[0], { subnet: '10.1.0.0/24', gateway: '10.1.0.1', bridgeName: 'shoal0' });
  t.same([...s.ipam.keys()], [s.networks[0]?.id], 'only the bridge has addresses');
});

t.test('ids survive, old-format records included; user networks come back; addresses follow the records', async (t) => {
  const user = {
    id: 'u1', name: 'backend', driver: 'bridge', scope: 'local' as const, created: 'c', builtin: false, internal: false, attachable: false,
    labels: {}, options: {}, subnet: '10.9.0.0/24', gateway: '10.9.0.1', bridgeName: 'br-u1',
  };
  const saved = [{ name: 'bridge', id: 'oldbridge', created: 'then' }, { name: 'host', id: 'oldhost', created: 'then' }, user];
  let bridgeIpam = allocateIp(newIpam('10.1.0.0/24', '10.1.0.1'), 'ghost', '10.1.0.7').state;
  bridgeIpam = allocateIp(bridgeIpam, 'c1', '10.1.0.2').state;
  const sb: SandboxRecord = {
    containerId: 'c1', name: 'web', kind: 'own', sandboxId: 's', netnsPath: '/n/c1',
    endpoints: [
      { networkId: 'oldbridge', containerId: 'c1', endpointId: 'e', ifname: 'eth0', ip: '10.1.0.2', aliases: [], ports: [], portKeys: [] },
      { networkId: 'u1', containerId: 'c1', endpointId: 'f', ifname: 'eth1', ip: '10.9.0.5', aliases: [], ports: [], portKeys: [] },
      { networkId: 'u1', containerId: 'c1', endpointId: 'g', ifname: 'eth2', ip: '192.168.1.1', aliases: [], ports: [], portKeys: [] },
    ],
  };
  const s = reconcileState({ networks: saved, ipam: { oldbridge: bridgeIpam }, sandboxes: [sb] }, defaultBridge, fresh);
  t.same(s.networks.map((x) => x.id).slice(0, 2), ['oldbridge', 'oldhost']);
  t.equal(s.networks[1]?.created, 'then');
  t.equal(s.networks.find((x) => x.name === 'backend')?.bridgeName, 'br-u1');
  t.same(s.ipam.get('oldbridge')?.allocated, { '10.1.0.2': 'c1' }, 'the ghost address went back to the pool');
  t.same(s.ipam.get('u1')?.allocated, { '10.9.0.5': 'c1' }, 'a recorded address missing from the cache is taken again');
  t.same(s.misplaced, [{ containerId: 'c1', ip: '192.168.1.1' }]);
});

t.test('a changed bip resets the default bridge addresses', async (t) => {
  const old = allocateIp(newIpam('10.2.0.0/24', '10.2.0.1'), 'c9').state;
  const s = reconcileState({ networks: [{ name: 'bridge', id: 'b', created: 'x' }], ipam: { b: old }, sandboxes: [] }, defaultBridge, fresh);
  t.same(s.ipam.get('b'), newIpam('10.1.0.0/24', '10.1.0.1'));
});
