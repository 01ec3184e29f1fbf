import t from 'tap';
import type { NetworkSettings } from '@shoal/common';
import { configuredNetworks, connectRecord, disconnectRecord, endpointRequestOf, planEndpointsConfig, restingNetworkSettings } from './network-config.js';
import type { ContainerNetworking, NetworkRef } from './deps.js';
import type { ContainerRecord } from './container-record.js';
import { containerErrors } from './errors.js';

const nets: NetworkRef[] = [
  { id: 'b1', name: 'bridge', driver: 'bridge' }, { id: 'h1', name: 'host', driver: 'host' }, { id: 'n1', name: 'none', driver: 'null' },
  { id: 'u1', name: 'backend', driver: 'bridge' }, { id: 'u2', name: 'frontend', driver: 'bridge' },
];
const resolve = (ref: string): NetworkRef => {
  const n = nets.find((x) => x.name === ref || x.id === ref || (ref === 'default' && x.name === 'bridge'));
  if (n === undefined) throw containerErrors.make('NOT_FOUND', `network ${ref} not found`);
  return n;
};
const calls: string[] = [];
const network = {
  resolveNetwork: resolve,
  connect: async (id: string, net: string) => { calls.push(`connect ${id} ${net}`); return { Networks: { live: {} } } as unknown as NetworkSettings; },
  disconnect: async (id: string, net: string) => { calls.push(`disconnect ${id} ${net}`); return { Networks: {} } as unknown as NetworkSettings; },
} as unknown as ContainerNetworking;
const record = (mode: string, endpoints?: ContainerRecord['EndpointsConfig']): ContainerRecord =>
  ({ Id: 'c1', Name: '/web', HostConfig: { NetworkMode: mode }, EndpointsConfig: endpoints } as unknown as ContainerRecord);

t.test('create: the networks of NetworkMode and NetworkingConfig, by name', async (t) => {
  t.same(planEndpointsConfig({}, 'bridge', resolve), { bridge: {} });
  t.same(planEndpointsConfig({ NetworkingConfig: { EndpointsConfig: { u2: { Aliases: ['web'] } } } }, 'backend', resolve), { backend: {}, frontend: { Aliases: ['web'] } });
  t.same(planEndpointsConfig({}, 'later', resolve), { later: {} }, 'a network that does not exist yet is kept by name, as Docker');
  t.same(planEndpointsConfig({}, 'container:db', resolve), {});
  t.throws(() => planEndpointsConfig({ NetworkingConfig: { EndpointsConfig: { backend: {} } } }, 'container:db', resolve), { code: 'ENGINE_CONTAINER_INVALID_CONFIG' });
  t.throws(() => planEndpointsConfig({ NetworkingConfig: { EndpointsConfig: { backend: {} } } }, 'host', resolve), {
    code: 'ENGINE_CONTAINER_INVALID_CONFIG', message: 'conflicting options: cannot attach both user-defined and non-user-defined network-modes',
  });
});

t.test('endpoint settings: the parts the network honours', async (t) => {
  t.same(endpointRequestOf({ Aliases: ['a', ''], IPAMConfig: { IPv4Address: '10.0.0.5' }, MacAddress: '02:42:0a:00:00:05' }), {
    aliases: ['a'], ipv4Address: '10.0.0.5', macAddress: '02:42:0a:00:00:05',
  });
  t.same(endpointRequestOf(undefined), {});
  t.same(configuredNetworks(record('backend'), resolve), { backend: {} }, 'records from before EndpointsConfig: NetworkMode');
  t.same(Object.keys(restingNetworkSettings(record('bridge', { bridge: {}, backend: { Aliases: ['x'] } })).Networks), ['bridge', 'backend']);
});

t.test('connect and disconnect: recorded when stopped, plugged when running', async (t) => {
  calls.length = 0;
  const stopped = record('backend', { backend: {} });
  await connectRecord(stopped, false, network, 'u2', { Aliases: ['w'] });
  t.same(stopped.EndpointsConfig, { backend: {}, frontend: { Aliases: ['w'] } });
  t.same(Object.keys(stopped.NetworkSettings.Networks), ['backend', 'frontend']);
  t.same(calls, [], 'nothing plugged for a stopped container');
  await t.rejects(connectRecord(stopped, false, network, 'frontend', {}), { code: 'ENGINE_CONTAINER_NETWORK_CONFLICT', status: 403 });
  await disconnectRecord(stopped, false, network, 'frontend');
  t.same(stopped.EndpointsConfig, { backend: {} });
  await t.rejects(disconnectRecord(stopped, false, network, 'frontend'), { code: 'ENGINE_CONTAINER_NETWORK_CONFLICT', status: 403 });
  const running = record('backend', { backend: {} });
  await connectRecord(running, true, network, 'frontend', {});
  await disconnectRecord(running, true, network, 'frontend');
  t.same(calls, ['connect c1 frontend', 'disconnect c1 frontend']);
  await t.rejects(connectRecord(record('host', { host: {} }), true, network, 'backend', {}), {
    code: 'ENGINE_CONTAINER_INVALID_CONFIG', message: 'container cannot be disconnected from host network or connected to host network',
  });
  await t.rejects(connectRecord(record('container:db', {}), true, network, 'backend', {}), { code: 'ENGINE_CONTAINER_INVALID_CONFIG' });
  await t.rejects(connectRecord(record('bridge', { bridge: {} }), true, network, 'nosuch', {}), { code: 'ENGINE_CONTAINER_NOT_FOUND', status: 404 });
});
