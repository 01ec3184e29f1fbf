import t from 'tap';
import { buildNetworkResource, buildNetworkSettings, buildPortMap, matchesNetworkFilters, parseNetworkMode } from './network-shapes.js';
import type { EndpointRecord, NetworkRecord, SandboxRecord } from './network-record.js';

const net = (extra: Partial<NetworkRecord> & { id: string; name: string; driver: string }): NetworkRecord => ({
  scope: 'local', created: '2026-01-01T00:00:00.000Z', builtin: true, internal: false, attachable: false, labels: {}, options: {}, ...extra,
});
const bridge = net({ id: 'netid', name: 'bridge', driver: 'bridge', subnet: '172.29.0.0/16', gateway: '172.29.0.1', bridgeName: 'shoal0' });
const host = net({ id: 'hostid', name: 'host', driver: 'host' });
const none = net({ id: 'noneid', name: 'none', driver: 'null' });
const user = net({ id: 'userid', name: 'backend', driver: 'bridge', builtin: false, subnet: '10.9.0.0/24', gateway: '10.9.0.1', bridgeName: 'br-userid', labels: { team: 'a' } });
const nets = new Map([bridge, host, none, user].map((n) => [n.id, n]));
const netOf = (id: string): NetworkRecord | undefined => nets.get(id);

const ep: EndpointRecord = {
  networkId: 'netid', containerId: 'c1', endpointId: 'e1', ifname: 'eth0', vethHost: 'veth01020304', ip: '172.29.0.2', mac: '02:42:ac:1d:00:02', aliases: [],
  ports: [
    { proto: 'tcp', hostIp: '0.0.0.0', hostPort: 8080, containerIp: '172.29.0.2', containerPort: 80 },
    { proto: 'tcp', hostIp: '127.0.0.1', hostPort: 9090, containerIp: '172.29.0.2', containerPort: 80 },
  ],
  portKeys: ['80/tcp', '443/tcp'],
};
const userEp: EndpointRecord = { networkId: 'userid', containerId: 'c1', endpointId: 'e2', ifname: 'eth1', vethHost: 'veth05060708', ip: '10.9.0.2', mac: '02:42:0a:09:00:02', aliases: ['db'], ports: [], portKeys: [] };
const sb: SandboxRecord = { containerId: 'c1', name: 'web', kind: 'own', sandboxId: 's1', netnsPath: '/run/shoal/netns/c1', endpoints: [ep, userEp] };

t.test('network modes', async (t) => {
  t.same(parseNetworkMode(''), { kind: 'network', ref: 'bridge' });
  t.same(parseNetworkMode('default'), { kind: 'network', ref: 'bridge' });
  t.same(parseNetworkMode('host'), { kind: 'network', ref: 'host' });
  t.same(parseNetworkMode('mynet'), { kind: 'network', ref: 'mynet' });
  t.same(parseNetworkMode('container:web'), { kind: 'container', target: 'web' });
  t.throws(() => parseNetworkMode('container:'), { code: 'ENGINE_NETWORK_NOT_FOUND', status: 404 });
});

t.test('NetworkSettings: one entry per network, top-level fields from the default bridge only', async (t) => {
  t.same(buildPortMap(ep), {
    '80/tcp': [{ HostIp: '0.0.0.0', HostPort: '8080' }, { HostIp: '127.0.0.1', HostPort: '9090' }],
    '443/tcp': null,
  });
  const s = buildNetworkSettings(sb, netOf);
  t.match(s, { SandboxKey: '/run/shoal/netns/c1', IPAddress: '172.29.0.2', IPPrefixLen: 16, Gateway: '172.29.0.1', MacAddress: '02:42:ac:1d:00:02', EndpointID: 'e1' });
  t.match(s.Networks.bridge, { NetworkID: 'netid', EndpointID: 'e1', IPAddress: '172.29.0.2', Gateway: '172.29.0.1', DNSNames: null, Aliases: null });
  t.match(s.Networks.backend, { NetworkID: 'userid', IPAddress: '10.9.0.2', IPPrefixLen: 24, Gateway: '10.9.0.1', Aliases: ['db'], DNSNames: ['web', 'c1', 'db'] });
  const onlyUser = buildNetworkSettings({ ...sb, endpoints: [{ ...userEp, ifname: 'eth0' }] }, netOf);
  t.match(onlyUser, { IPAddress: '', Gateway: '', EndpointID: '' }, 'user-defined networks leave the top level empty, as Docker');
  t.same(Object.keys(onlyUser.Networks), ['backend']);
  const h = buildNetworkSettings({ ...sb, kind: 'host', netnsPath: null, endpoints: [{ ...ep, networkId: 'hostid', ifname: '', ip: undefined, mac: undefined, ports: [] }] }, netOf);
  t.match(h, { SandboxKey: '', IPAddress: '', Gateway: '', Ports: {} });
  t.same(Object.keys(h.Networks), ['host']);
  const c = buildNetworkSettings({ ...sb, kind: 'container', joinedTo: 'c0', endpoints: [] }, netOf);
  t.match(c, { SandboxKey: '', IPAddress: '', Networks: {} });
});

t.test('NetworkResource and filters', async (t) => {
  const names = (id: string): string => (id === 'c1' ? 'web' : '');
  const r = buildNetworkResource(bridge, [ep], names);
  t.same(r.Containers, { c1: { Name: 'web', EndpointID: 'e1', MacAddress: '02:42:ac:1d:00:02', IPv4Address: '172.29.0.2/16', IPv6Address: '' } });
  t.equal(r.Options['com.docker.network.bridge.name'], 'shoal0');
  t.equal(buildNetworkResource(none, [], names).Driver, 'null');
  const u = buildNetworkResource(user, [], names);
  t.match(u, { Name: 'backend', Driver: 'bridge', Scope: 'local', Labels: { team: 'a' }, IPAM: { Config: [{ Subnet: '10.9.0.0/24', Gateway: '10.9.0.1' }] } });
  t.ok(matchesNetworkFilters(r, { name: ['bri'] }));
  t.notOk(matchesNetworkFilters(r, { name: ['host'] }));
  t.ok(matchesNetworkFilters(r, { id: ['net'], driver: ['bridge', 'null'] }));
  t.notOk(matchesNetworkFilters(r, { type: ['custom'] }));
  t.ok(matchesNetworkFilters(u, { type: ['custom'] }));
  t.ok(matchesNetworkFilters(r, { type: ['builtin'], scope: ['local'], dangling: ['false'] }));
  t.ok(matchesNetworkFilters(u, { dangling: ['true'], label: ['team=a'] }), 'a custom network without containers dangles');
  t.notOk(matchesNetworkFilters(buildNetworkResource(user, [userEp], names), { dangling: ['true'] }));
  t.notOk(matchesNetworkFilters(r, { label: ['a=b'] }));
  t.throws(() => matchesNetworkFilters(r, { color: ['red'] }), { code: 'ENGINE_NETWORK_INVALID_FILTER', status: 400 });
});
