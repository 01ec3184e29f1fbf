import t from 'tap';
import { planSandbox } from './sandbox-plan.js';
import type { EndpointRecord } from './endpoint-record.js';

const bridge = { bridgeName: 'shoal0', subnet: '172.29.0.0/16', gateway: '172.29.0.1', prefixLen: 16 };
const base: EndpointRecord = { containerId: 'c', name: 'n', mode: 'bridge', endpointId: 'e', sandboxId: 's', netnsPath: '/run/shoal/netns/c', ports: [], portKeys: [] };

t.test('bridge sandbox', async (t) => {
  t.same(planSandbox({ ...base, vethHost: 'veth0a0b0c0d', ip: '172.29.0.2', mac: '02:42:ac:1d:00:02' }, bridge, '/proc/42/ns/net'), {
    inside: [
      'link set dev lo up',
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

t.test('none sandbox: lo only', async (t) => {
  t.same(planSandbox({ ...base, mode: 'none' }, bridge, '/proc/42/ns/net'), { inside: ['link set dev lo up'], host: [] });
});
