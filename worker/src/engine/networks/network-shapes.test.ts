import t from 'tap';
import { buildNetworkResource, buildNetworkSettings, buildPortMap, matchesNetworkFilters, normalizeNetworkMode, type BridgeConfig } from './network-shapes.js';
import type { EndpointRecord } from './endpoint-record.js';

const bridge: BridgeConfig = { bridgeName: 'shoal0', subnet: '172.29.0.0/16', gateway: '172.29.0.1', prefixLen: 16 };
const rec: EndpointRecord = {
  containerId: 'c1',
  name: 'web',
  mode: 'bridge',
  endpointId: 'e1',
  sandboxId: 's1',
  netnsPath: '/run/shoal/netns/c1',
  vethHost: 'veth01020304',
  ip: '172.29.0.2',
  mac: '02:42:ac:1d:00:02',
  ports: [
    { proto: 'tcp', hostIp: '0.0.0.0', hostPort: 8080, containerIp: '172.29.0.2', containerPort: 80 },
    { proto: 'tcp', hostIp: '127.0.0.1', hostPort: 9090, containerIp: '172.29.0.2', containerPort: 80 },
  ],
  portKeys: ['80/tcp', '443/tcp'],
};

t.test('network modes', async (t) => {
  t.same(normalizeNetworkMode(''), { mode: 'bridge' });
  t.same(normalizeNetworkMode('default'), { mode: 'bridge' });
  t.same(normalizeNetworkMode('host'), { mode: 'host' });
  t.same(normalizeNetworkMode('none'), { mode: 'none' });
  t.same(normalizeNetworkMode('container:web'), { mode: 'container', target: 'web' });
  t.throws(() => normalizeNetworkMode('container:'), { code: 'ENGINE_NETWORK_NOT_FOUND', status: 404 });
  t.throws(() => normalizeNetworkMode('mynet'), { code: 'ENGINE_NETWORK_NOT_FOUND', status: 404 });
});

t.test('NetworkSettings and Ports', async (t) => {
  t.same(buildPortMap(rec), {
    '80/tcp': [{ HostIp: '0.0.0.0', HostPort: '8080' }, { HostIp: '127.0.0.1', HostPort: '9090' }],
    '443/tcp': null,
  });
  const s = buildNetworkSettings(rec, 'netid', bridge);
  t.match(s, { SandboxKey: '/run/shoal/netns/c1', IPAddress: '172.29.0.2', IPPrefixLen: 16, Gateway: '172.29.0.1', MacAddress: '02:42:ac:1d:00:02', EndpointID: 'e1' });
  t.match(s.Networks.bridge, { NetworkID: 'netid', EndpointID: 'e1', IPAddress: '172.29.0.2', Gateway: '172.29.0.1' });
  const h = buildNetworkSettings({ ...rec, mode: 'host', netnsPath: null, ip: undefined, mac: undefined, ports: [] }, 'hostid', bridge);
  t.match(h, { SandboxKey: '', IPAddress: '', Gateway: '', Ports: {} });
  t.same(Object.keys(h.Networks), ['host']);
  const c = buildNetworkSettings({ ...rec, mode: 'container', joinedTo: 'c0', ports: [] }, '', bridge);
  t.match(c, { SandboxKey: '', IPAddress: '', Networks: {} });
});

t.test('NetworkResource and filters', async (t) => {
  const r = buildNetworkResource({ name: 'bridge', id: 'abc123', created: '2026-01-01T00:00:00.000Z' }, [rec], bridge);
  t.same(r.Containers, { c1: { Name: 'web', EndpointID: 'e1', MacAddress: '02:42:ac:1d:00:02', IPv4Address: '172.29.0.2/16', IPv6Address: '' } });
  t.equal(r.Options['com.docker.network.bridge.name'], 'shoal0');
  const none = buildNetworkResource({ name: 'none', id: 'def456', created: '2026-01-01T00:00:00.000Z' }, [rec], bridge);
  t.equal(none.Driver, 'null');
  t.same(none.Containers, {});
  t.ok(matchesNetworkFilters(r, { name: ['bri'] }));
  t.notOk(matchesNetworkFilters(r, { name: ['host'] }));
  t.ok(matchesNetworkFilters(r, { id: ['abc'], driver: ['bridge', 'null'] }));
  t.notOk(matchesNetworkFilters(r, { type: ['custom'] }));
  t.ok(matchesNetworkFilters(r, { type: ['builtin'], scope: ['local'], dangling: ['false'] }));
  t.notOk(matchesNetworkFilters(r, { label: ['a=b'] }));
  t.throws(() => matchesNetworkFilters(r, { color: ['red'] }), { code: 'ENGINE_NETWORK_INVALID_FILTER', status: 400 });
});
