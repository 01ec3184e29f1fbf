import t from 'tap';
import { newEndpoint } from './endpoint-plan.js';
import type { NetworkRecord } from './network-record.js';

const bridge: NetworkRecord = {
  id: 'n1', name: 'bridge', driver: 'bridge', scope: 'local', created: '', builtin: true, internal: false, attachable: false, labels: {}, options: {},
};
const user: NetworkRecord = { ...bridge, id: 'n2', name: 'backend', builtin: false };

t.test('aliases and fixed addresses only on user-defined networks, as Docker', async (t) => {
  t.same(newEndpoint(user, 'c', 'e', 'eth1', { aliases: ['db'], ipv4Address: '10.0.0.9' }), {
    networkId: 'n2', containerId: 'c', endpointId: 'e', ifname: 'eth1', aliases: ['db'], ports: [], portKeys: [],
  });
  t.throws(() => newEndpoint(bridge, 'c', 'e', 'eth0', { aliases: ['db'] }), {
    code: 'ENGINE_NETWORK_INVALID_SPEC', status: 400, message: 'network-scoped alias is supported only for containers in user defined networks',
  });
  t.throws(() => newEndpoint(bridge, 'c', 'e', 'eth0', { ipv4Address: '172.29.0.9' }), { code: 'ENGINE_NETWORK_INVALID_SPEC', status: 400 });
  t.throws(() => newEndpoint(user, 'c', 'e', 'eth0', { macAddress: 'zz' }), { code: 'COMMON_INVALID_ARGUMENT', status: 400 });
  t.same(newEndpoint(bridge, 'c', 'e', 'eth0', undefined).aliases, []);
});
