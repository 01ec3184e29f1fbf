import t from 'tap';
import { planBridgeJoin } from './bridge-driver.js';
import type { EndpointRecord, NetworkRecord } from './network-record.js';

const net: NetworkRecord = {
  id: 'n1', name: 'bridge', driver: 'bridge', scope: 'local', created: '', builtin: true, internal: false, attachable: false,
  labels: {}, options: {}, subnet: '172.29.0.0/16', gateway: '172.29.0.1', bridgeName: 'shoal0',
};
const ep: EndpointRecord = {
  networkId: 'n1', containerId: 'c', endpointId: 'e', ifname: 'eth0', vethHost: 'veth0a0b0c0d', ip: '172.29.0.2', mac: '02:42:ac:1d:00:02',
  aliases: [], ports: [], portKeys: [],
};

t.test('primary endpoint: interface, address and default route', async (t) => {
  t.same(planBridgeJoin(net, ep, { hostNetns: '/proc/42/ns/net', defaultRoute: true }), {
    inside: [
      'link add name eth0 address 02:42:ac:1d:00:02 type veth peer name veth0a0b0c0d netns /proc/42/ns/net',
      'link set dev eth0 addrgenmode none',
      'addr add 172.29.0.2/16 dev eth0',
      'link set dev eth0 up',
      'route add default via 172.29.0.1 dev eth0',
    ],
    host: [
      'link set dev veth0a0b0c0d addrgenmode none',
      'link set dev veth0a0b0c0d master shoal0 up',
      'link set dev veth0a0b0c0d type bridge_slave hairpin on',
    ],
  });
});

t.test('a second endpoint and an internal network get no default route', async (t) => {
  const second = planBridgeJoin({ ...net, bridgeName: 'br-0123456789ab', subnet: '10.9.0.0/24', gateway: '10.9.0.1' },
    { ...ep, ifname: 'eth1', ip: '10.9.0.2' }, { hostNetns: '/proc/42/ns/net', defaultRoute: false });
  t.notOk(second.inside.some((l) => l.startsWith('route')));
  t.ok(second.inside.includes('addr add 10.9.0.2/24 dev eth1'));
  t.ok(second.host.includes('link set dev veth0a0b0c0d master br-0123456789ab up'));
  const internal = planBridgeJoin({ ...net, internal: true }, ep, { hostNetns: '/proc/42/ns/net', defaultRoute: true });
  t.notOk(internal.inside.some((l) => l.startsWith('route')));
});

t.test('an endpoint without its address is a programming error', async (t) => {
  t.throws(() => planBridgeJoin(net, { ...ep, ip: undefined }, { hostNetns: '/proc/42/ns/net', defaultRoute: true }));
});
