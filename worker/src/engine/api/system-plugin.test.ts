import t from 'tap';
import { ManualClock, silentLogger, type EngineEvent } from '@shoal/common';
import { buildApp } from './build-app.js';
import { SwarmSwitch, swarmRouteKey } from './swarm-role.js';
import type { SwarmRole, SwarmRouteHandler } from './swarm-role.js';
import { fakeDeps, FakeEventSource } from '../../testing/fake-engines.js';

async function app(events: EngineEvent[] = []) {
  const deps = fakeDeps();
  const a = await buildApp({ ...deps, events: new FakeEventSource(events), log: silentLogger(), clock: new ManualClock(1_700_000_000_000) });
  t.teardown(() => a.close());
  return { app: a, deps };
}

t.test('_ping answers OK with Docker headers on GET and HEAD', async (t) => {
  const { app: a } = await app();
  const get = await a.inject({ method: 'GET', url: '/_ping' });
  t.equal(get.statusCode, 200);
  t.equal(get.body, 'OK');
  t.equal(get.headers['api-version'], '1.44');
  t.equal(get.headers['docker-experimental'], 'false');
  t.equal(get.headers.ostype, 'linux');
  t.equal(get.headers.server, 'shoal/0.1.0 (linux)');
  t.equal(get.headers.swarm, 'inactive');
  t.match(get.headers['cache-control'], /no-cache/);
  const head = await a.inject({ method: 'HEAD', url: '/v1.41/_ping' });
  t.equal(head.statusCode, 200);
  t.equal(head.body, '');
  t.equal(head.headers['api-version'], '1.44');
  t.equal(head.headers['content-length'], '0');
});

t.test('versioned paths route to the same handlers; out of range versions are a 400 as Docker', async (t) => {
  const { app: a } = await app();
  for (const v of ['1.24', '1.41', '1.44']) {
    const r = await a.inject({ url: `/v${v}/version` });
    t.equal(r.statusCode, 200, v);
    t.equal(r.json().ApiVersion, '1.44');
  }
  const tooNew = await a.inject({ url: '/v1.45/version' });
  t.equal(tooNew.statusCode, 400);
  t.same(tooNew.json(), { message: 'client version 1.45 is too new. Maximum supported API version is 1.44' });
  const tooOld = await a.inject({ url: '/v1.23/containers/json' });
  t.equal(tooOld.statusCode, 400);
  t.match(tooOld.json().message, /client version 1.23 is too old. Minimum supported API version is 1.24/);
  const ping = await a.inject({ url: '/v1.44/_ping' });
  t.equal(ping.body, 'OK');
});

t.test('unknown routes answer Docker\'s 404 page not found', async (t) => {
  const { app: a } = await app();
  const r = await a.inject({ url: '/v1.44/nothing/here' });
  t.equal(r.statusCode, 404);
  t.same(r.json(), { message: 'page not found' });
  const r2 = await a.inject({ method: 'PATCH', url: '/containers/json' });
  t.equal(r2.statusCode, 404);
});

t.test('unimplemented endpoints answer 501 naming the endpoint; swarm ones 503 as an inactive node', async (t) => {
  const { app: a } = await app();
  const build = await a.inject({ method: 'POST', url: '/v1.44/build' });
  t.equal(build.statusCode, 501);
  t.same(build.json(), { message: 'shoal does not implement POST /build yet' });
  const vol = await a.inject({ method: 'PUT', url: '/volumes/data', payload: {} });
  t.equal(vol.statusCode, 501);
  t.match(vol.json().message, 'PUT /volumes/{name} (cluster volumes)');
  const exp = await a.inject({ method: 'GET', url: '/containers/abc/export' });
  t.equal(exp.statusCode, 501);
  t.match(exp.json().message, 'GET /containers/{id}/export');
  const nodes = await a.inject({ method: 'GET', url: '/v1.44/nodes' });
  t.equal(nodes.statusCode, 503);
  t.equal(nodes.json().message, 'This node is not a swarm manager. Use "docker swarm init" or "docker swarm join" to connect this node to swarm and try again.');
  const svc = await a.inject({ method: 'GET', url: '/services?filters=%7B%7D' });
  t.equal(svc.statusCode, 503);
  const leave = await a.inject({ method: 'POST', url: '/swarm/leave' });
  t.equal(leave.statusCode, 503);
  t.equal(leave.json().message, 'This node is not part of a swarm');
  const init = await a.inject({ method: 'POST', url: '/swarm/init', payload: {} });
  t.equal(init.statusCode, 501);
  const plugin = await a.inject({ method: 'GET', url: '/plugins/foo/json' });
  t.equal(plugin.statusCode, 404, 'no plugin can exist: docker inspect needs a 404 to try the next type');
  t.equal(plugin.json().message, 'plugin "foo" not found');
  const vol1 = await a.inject({ method: 'GET', url: '/volumes/data' });
  t.equal(vol1.statusCode, 404);
  t.equal(vol1.json().message, 'get data: no such volume');
  t.equal((await a.inject({ method: 'POST', url: '/plugins/pull' })).statusCode, 501);
});

t.test('/system/df sums images, containers and volumes; `type` picks what to compute', async (t) => {
  const { app: a, deps } = await app();
  await deps.volumes.create({ Name: 'data' });
  const all = (await a.inject({ url: '/system/df' })).json();
  t.match(all, { LayersSize: deps.images.images.size * 1000, BuildCache: [] });
  t.same(all.Volumes.map((v: { Name: string; UsageData: unknown }) => [v.Name, v.UsageData]), [['data', { Size: 0, RefCount: 0 }]]);
  t.equal(all.Images.length, (await deps.images.list()).length);
  t.ok(all.Images.every((i: { Containers: number; SharedSize: number }) => i.Containers >= 0 && i.SharedSize >= 0), 'images count their containers and shared bytes');
  const vols = (await a.inject({ url: '/system/df?type=volume' })).json();
  t.same(Object.keys(vols), ['Volumes'], 'only what was asked');
});

t.test('/version and /info report the facts', async (t) => {
  const { app: a, deps } = await app();
  await deps.containers.create('one', { Image: 'busybox' });
  await deps.containers.start('one');
  await deps.containers.create('two', { Image: 'busybox' });
  const v = (await a.inject({ url: '/version' })).json();
  t.equal(v.Version, '0.1.0');
  t.equal(v.MinAPIVersion, '1.24');
  t.equal(v.Os, 'linux');
  t.equal(v.Arch, 'amd64');
  t.equal(v.Components[0].Name, 'Engine');
  const info = (await a.inject({ url: '/v1.44/info' })).json();
  t.equal(info.Containers, 2);
  t.equal(info.ContainersRunning, 1);
  t.equal(info.ContainersStopped, 1);
  t.equal(info.Images, 0);
  t.equal(info.Driver, 'overlay2');
  t.equal(info.CgroupDriver, 'cgroupfs');
  t.equal(info.CgroupVersion, '1');
  t.equal(info.NCPU, 2);
  t.equal(info.DefaultRuntime, 'crun');
  t.same(info.Runtimes, { crun: { path: '/usr/bin/crun' } });
  t.equal(info.LiveRestoreEnabled, true);
  t.equal(info.Swarm.LocalNodeState, 'inactive');
  t.equal(info.SystemTime, '2023-11-14T22:13:20.000Z');
  t.equal(info.NFd, 7);
  t.same(info.RegistryConfig.InsecureRegistryCIDRs, ['127.0.0.0/8']);
});

t.test('/events replays the source as JSON lines and validates parameters', async (t) => {
  const ev: EngineEvent = { Type: 'container', Action: 'start', Actor: { ID: 'abc', Attributes: { name: 'x' } }, scope: 'local', time: 1, timeNano: 1e9 };
  const { app: a } = await app([ev, { ...ev, Action: 'die' }]);
  const r = await a.inject({ url: '/events?since=0&until=1700000000.5' });
  t.equal(r.statusCode, 200);
  t.equal(r.headers['content-type'], 'application/json');
  const lines = r.body.trim().split('\n').map((l) => JSON.parse(l) as EngineEvent);
  t.same(lines.map((e) => e.Action), ['start', 'die']);
  const bad = await a.inject({ url: '/events?filters=%7Bnot-json' });
  t.equal(bad.statusCode, 400);
  t.match(bad.json().message, /invalid filters parameter/);
  const badTime = await a.inject({ url: '/events?since=yesterday' });
  t.equal(badTime.statusCode, 400);
  t.match(badTime.json().message, /since/);
  const badKey = await a.inject({ url: `/events?filters=${encodeURIComponent('{"bogus":["x"]}')}` });
  t.equal(badKey.statusCode, 400);
  t.equal(badKey.json().message, "invalid filter 'bogus'");
});

t.test('swarm roles swap while the daemon runs: init installs a manager role, leave goes back to inactive', async (t) => {
  const deps = fakeDeps();
  const managerInfo = { NodeID: 'node1', NodeAddr: '10.0.0.1', LocalNodeState: 'active' as const, ControlAvailable: true, Error: '', RemoteManagers: [{ NodeID: 'node1', Addr: '10.0.0.1:2377' }] };
  const routes = new Map<string, SwarmRouteHandler>([
    [swarmRouteKey('GET', '/nodes'), async () => [{ ID: 'node1' }]],
    [swarmRouteKey('GET', '/nodes/:id'), async (request) => ({ ID: (request.params as { id: string }).id })],
    [swarmRouteKey('POST', '/swarm/leave'), async (_request, reply) => {
      swarm.leave();
      return reply.code(200).send();
    }],
  ]);
  const manager: SwarmRole = { info: () => managerInfo, handler: (key) => routes.get(key) };
  let initBody: unknown;
  const swarm: SwarmSwitch = new SwarmSwitch({
    init: async (request) => {
      initBody = request.body;
      swarm.install(manager);
      return 'node1';
    },
    join: async () => {
      throw new Error('not in this test');
    },
  });
  const a = await buildApp({ ...deps, swarm, log: silentLogger() });
  t.teardown(() => a.close());

  // Inactive: Docker's answers.
  t.equal((await a.inject({ url: '/v1.44/nodes' })).statusCode, 503);
  t.equal((await a.inject({ url: '/_ping' })).headers.swarm, 'inactive');

  // swarm init on the running app installs the manager role.
  const init = await a.inject({ method: 'POST', url: '/v1.44/swarm/init', payload: { ListenAddr: '0.0.0.0:2377' } });
  t.equal(init.statusCode, 200);
  t.equal(init.json(), 'node1', 'init answers the node id, as Docker does');
  t.same(initBody, { ListenAddr: '0.0.0.0:2377' });
  t.same((await a.inject({ url: '/v1.44/nodes' })).json(), [{ ID: 'node1' }]);
  t.same((await a.inject({ url: '/nodes/abc' })).json(), { ID: 'abc' });
  t.equal((await a.inject({ url: '/_ping' })).headers.swarm, 'active/manager');
  t.equal((await a.inject({ url: '/info' })).json().Swarm.NodeID, 'node1');
  const services = await a.inject({ url: '/services' });
  t.equal(services.statusCode, 501, 'what the role does not serve is a 501 naming the endpoint');
  t.match(services.json().message, /GET \/services/);
  t.equal((await a.inject({ method: 'POST', url: '/build' })).statusCode, 501);

  // leave: back to inactive.
  t.equal((await a.inject({ method: 'POST', url: '/swarm/leave' })).statusCode, 200);
  t.equal((await a.inject({ url: '/nodes' })).statusCode, 503);
  t.equal((await a.inject({ url: '/info' })).json().Swarm.LocalNodeState, 'inactive');
  t.equal((await a.inject({ method: 'POST', url: '/swarm/leave' })).statusCode, 503, 'leaving twice: not part of a swarm');
});
