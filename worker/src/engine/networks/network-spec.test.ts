import t from 'tap';
import { parseCidr, type Cidr } from '@shoal/common';
import { planNetworkCreate, type NetworkCreateContext } from './network-spec.js';
import type { NetworkRecord } from './network-record.js';

const bridge: NetworkRecord = {
  id: 'b'.repeat(64), name: 'bridge', driver: 'bridge', scope: 'local', created: '', builtin: true, internal: false, attachable: false,
  labels: {}, options: {}, subnet: '172.29.0.0/16', gateway: '172.29.0.1', bridgeName: 'shoal0',
};
const routes = ['192.0.2.0/24', '172.17.0.0/16'].map((s) => parseCidr(s) as Cidr);
const ctx = (over: Partial<NetworkCreateContext> = {}): NetworkCreateContext => ({
  id: '0123456789ab'.padEnd(64, 'f'), created: '2026-12-07T00:00:00.000Z', existing: [bridge], hostRoutes: routes, ...over,
});

t.test('defaults: a bridge named br-<id12> on the first free pool subnet', async (t) => {
  const n = planNetworkCreate({ Name: 'backend', Labels: { team: 'a' } }, ctx());
  t.match(n, { name: 'backend', driver: 'bridge', scope: 'local', builtin: false, internal: false, bridgeName: 'br-0123456789ab', labels: { team: 'a' } });
  t.equal(n.subnet, '172.18.0.0/16', '172.17 is a host route: skipped');
  t.equal(n.gateway, '172.18.0.1');
});

t.test('explicit subnet, gateway, bridge name, internal', async (t) => {
  const n = planNetworkCreate({
    Name: 'db', Driver: 'bridge', Internal: true, IPAM: { Driver: 'default', Config: [{ Subnet: '10.30.0.0/24', Gateway: '10.30.0.254' }] },
    Options: { 'com.docker.network.bridge.name': 'dbbr0' },
  }, ctx());
  t.match(n, { subnet: '10.30.0.0/24', gateway: '10.30.0.254', bridgeName: 'dbbr0', internal: true, options: { 'com.docker.network.bridge.name': 'dbbr0' } });
});

t.test('refusals, each with its Docker status', async (t) => {
  const bad: Array<[Parameters<typeof planNetworkCreate>[0], string, number]> = [
    [{ Name: '' }, 'ENGINE_NETWORK_INVALID_SPEC', 400],
    [{ Name: 'a b' }, 'ENGINE_NETWORK_INVALID_SPEC', 400],
    [{ Name: 'host' }, 'ENGINE_NETWORK_PREDEFINED', 403],
    [{ Name: 'x', Driver: 'host' }, 'ENGINE_NETWORK_PREDEFINED', 403],
    [{ Name: 'x', Driver: 'overlay' }, 'ENGINE_NETWORK_NOT_SWARM_MANAGER', 503],
    [{ Name: 'x', Driver: 'macvlan2' }, 'ENGINE_NETWORK_DRIVER_NOT_FOUND', 404],
    [{ Name: 'x', IPAM: { Driver: 'weird' } }, 'ENGINE_NETWORK_DRIVER_NOT_FOUND', 404],
    [{ Name: 'x', EnableIPv6: true }, 'ENGINE_NETWORK_INVALID_SPEC', 400],
    [{ Name: 'x', IPAM: { Config: [{ Subnet: '10.1.0.0/33' }] } }, 'ENGINE_NETWORK_INVALID_SPEC', 400],
    [{ Name: 'x', IPAM: { Config: [{ Subnet: '10.1.0.1/24' }] } }, 'ENGINE_NETWORK_INVALID_SPEC', 400],
    [{ Name: 'x', IPAM: { Config: [{ Subnet: '10.1.0.0/24', Gateway: '10.2.0.1' }] } }, 'ENGINE_NETWORK_INVALID_SPEC', 400],
    [{ Name: 'x', IPAM: { Config: [{ Subnet: '10.1.0.0/24', IPRange: '10.1.0.128/25' }] } }, 'ENGINE_NETWORK_INVALID_SPEC', 400],
    [{ Name: 'x', IPAM: { Config: [{ Subnet: '10.1.0.0/24' }, { Subnet: '10.2.0.0/24' }] } }, 'ENGINE_NETWORK_INVALID_SPEC', 400],
    [{ Name: 'x', IPAM: { Config: [{ Subnet: '172.29.5.0/24' }] } }, 'ENGINE_NETWORK_POOL_OVERLAP', 403],
    [{ Name: 'x', Options: { 'com.docker.network.bridge.name': 'shoal0' } }, 'ENGINE_NETWORK_NAME_CONFLICT', 409],
    [{ Name: 'x', Options: { 'com.docker.network.bridge.name': 'a-name-far-too-long' } }, 'ENGINE_NETWORK_INVALID_SPEC', 400],
  ];
  for (const [body, code, status] of bad) t.throws(() => planNetworkCreate(body, ctx()), { code, status }, JSON.stringify(body));
  const taken = planNetworkCreate({ Name: 'backend' }, ctx());
  t.throws(() => planNetworkCreate({ Name: 'backend' }, ctx({ existing: [bridge, taken] })), {
    code: 'ENGINE_NETWORK_NAME_CONFLICT', status: 409, message: 'network with name backend already exists',
  });
  const all = ['172.16.0.0/12', '192.168.0.0/16'].map((s) => parseCidr(s) as Cidr);
  t.throws(() => planNetworkCreate({ Name: 'y' }, ctx({ hostRoutes: all })), { code: 'ENGINE_NETWORK_POOLS_EXHAUSTED', status: 403 });
});
