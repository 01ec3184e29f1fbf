import t from 'tap';
import { silentLogger } from '@shoal/common';
import { buildApp } from './build-app.js';
import { fakeDeps } from '../../testing/fake-engines.js';
import { parseFilters } from './filters-param.js';

async function app() {
  const deps = fakeDeps();
  const a = await buildApp({ ...deps, log: silentLogger() });
  t.teardown(() => a.close());
  return { app: a, deps };
}

t.test('parseFilters accepts both of Docker\'s forms and rejects the rest', async (t) => {
  t.same(parseFilters(undefined), {});
  t.same(parseFilters(''), {});
  t.same(parseFilters('{"status":["running","paused"]}'), { status: ['running', 'paused'] });
  t.same(parseFilters('{"label":{"a=b":true,"c":false}}'), { label: ['a=b'] });
  t.same(Object.keys(parseFilters('{"__proto__":["x"]}')), ['__proto__'], 'a __proto__ key stays a key');
  t.throws(() => parseFilters('{"status":'), { code: 'API_BAD_FILTERS', status: 400 });
  t.throws(() => parseFilters('["x"]'), { code: 'API_BAD_FILTERS' });
  t.throws(() => parseFilters('{"status":"running"}'), { code: 'API_BAD_FILTERS' });
  t.throws(() => parseFilters('{"status":[1]}'), { code: 'API_BAD_FILTERS' });
});

// The docker CLI sends "Cmd": null (and other nulls) for what the user did not set:
// Docker reads null as absent, so the image's CMD and ENTRYPOINT apply.
t.test('create: JSON null means "not set", at any depth', async (t) => {
  const { app: a, deps } = await app();
  const created = await a.inject({
    method: 'POST', url: '/v1.44/containers/create',
    payload: { Image: 'busybox', Cmd: null, Entrypoint: null, WorkingDir: null, Env: null, Healthcheck: null, HostConfig: { Memory: null, Binds: null, RestartPolicy: { Name: 'always', MaximumRetryCount: null } } },
  });
  t.equal(created.statusCode, 201, created.body);
  const body = deps.containers.calls[0]?.[2] as Record<string, unknown>;
  t.notOk('Cmd' in body && body.Cmd !== undefined, 'no Cmd: the image\'s applies');
  t.notOk('Entrypoint' in body && body.Entrypoint !== undefined, 'no Entrypoint: the image\'s applies');
  t.notOk('WorkingDir' in body || 'Env' in body || 'Healthcheck' in body);
  t.same(body.HostConfig, { RestartPolicy: { Name: 'always' } });
});

t.test('create, list with Docker booleans and filters, inspect', async (t) => {
  const { app: a, deps } = await app();
  const created = await a.inject({ method: 'POST', url: '/v1.44/containers/create?name=web', payload: { Image: 'busybox', Cmd: 'sh', Labels: { a: 'b' } } });
  t.equal(created.statusCode, 201);
  const { Id } = created.json() as { Id: string };
  t.equal(Id.length, 64);
  t.same(deps.containers.calls[0]?.[2], { Image: 'busybox', Cmd: ['sh'], Entrypoint: undefined, Labels: { a: 'b' } }, 'strslice Cmd became a list');

  t.same((await a.inject({ url: '/containers/json' })).json(), [], 'not running, not listed without all');
  for (const all of ['1', 'true', 'True']) {
    const r = await a.inject({ url: `/containers/json?all=${all}` });
    t.equal(r.json().length, 1, `all=${all}`);
  }
  t.equal((await a.inject({ url: '/containers/json?all=0' })).json().length, 0);
  const badBool = await a.inject({ url: '/containers/json?all=maybe' });
  t.equal(badBool.statusCode, 400);
  t.match(badBool.json().message, /querystring\/all must be boolean/);
  const legacy = encodeURIComponent('{"status":{"created":true}}');
  t.equal((await a.inject({ url: `/containers/json?all=1&filters=${legacy}` })).json().length, 1);
  const modern = encodeURIComponent('{"status":["exited"]}');
  t.equal((await a.inject({ url: `/containers/json?all=1&filters=${modern}` })).json().length, 0);
  const badJson = await a.inject({ url: '/containers/json?filters=%7B' });
  t.equal(badJson.statusCode, 400);
  t.match(badJson.json().message, /invalid filters parameter/);
  const badLimit = await a.inject({ url: '/containers/json?limit=abc' });
  t.equal(badLimit.statusCode, 400);

  const insp = await a.inject({ url: '/containers/web/json' });
  t.equal(insp.statusCode, 200);
  t.equal(insp.json().Name, '/web');
});

t.test('create rejects bad bodies and reports conflicts', async (t) => {
  const { app: a } = await app();
  const wrongType = await a.inject({ method: 'POST', url: '/containers/create', payload: { Image: 'busybox', Env: [{ x: 1 }] } });
  t.equal(wrongType.statusCode, 400);
  t.match(wrongType.json().message, /body\/Env/);
  const wrongHost = await a.inject({ method: 'POST', url: '/containers/create', payload: { Image: 'busybox', HostConfig: { Memory: 'lots' } } });
  t.equal(wrongHost.statusCode, 400);
  t.match(wrongHost.json().message, /HostConfig\/Memory/);
  const badJson = await a.inject({ method: 'POST', url: '/containers/create', headers: { 'content-type': 'application/json' }, payload: '{"Image":' });
  t.equal(badJson.statusCode, 400);
  t.match(badJson.json().message, /^invalid JSON body: /);
  const noBody = await a.inject({ method: 'POST', url: '/containers/create' });
  t.equal(noBody.statusCode, 400);
  t.equal((await a.inject({ method: 'POST', url: '/containers/create?name=x', payload: { Image: 'busybox' } })).statusCode, 201);
  const conflict = await a.inject({ method: 'POST', url: '/containers/create?name=x', payload: { Image: 'busybox' } });
  t.equal(conflict.statusCode, 409);
  t.match(conflict.json().message, /already in use/);
});

t.test('lifecycle statuses: 204, 304, 404, 409', async (t) => {
  const { app: a, deps } = await app();
  await deps.containers.create('c', { Image: 'busybox' });
  const emptyJson = await a.inject({ method: 'POST', url: '/containers/c/start', headers: { 'content-type': 'application/json' }, payload: '' });
  t.equal(emptyJson.statusCode, 204, 'an empty JSON body is no body, as Docker');
  await deps.containers.stop('c', {});
  const emptyText = await a.inject({ method: 'POST', url: '/containers/c/start', headers: { 'content-type': 'text/plain' }, payload: '' });
  t.equal(emptyText.statusCode, 204, 'Go clients send text/plain with no body');
  await deps.containers.stop('c', {});
  t.equal((await a.inject({ method: 'POST', url: '/containers/c/start' })).statusCode, 204);
  const again = await a.inject({ method: 'POST', url: '/containers/c/start' });
  t.equal(again.statusCode, 304);
  t.equal(again.body, '');
  const rm = await a.inject({ method: 'DELETE', url: '/containers/c' });
  t.equal(rm.statusCode, 409);
  t.match(rm.json().message, /cannot remove a running container/);
  t.equal((await a.inject({ method: 'POST', url: '/containers/c/stop?t=3&signal=SIGINT' })).statusCode, 204);
  t.same(deps.containers.calls.findLast((c) => c[0] === 'stop'), ['stop', 'c', { timeoutS: 3, signal: 'SIGINT' }]);
  t.equal((await a.inject({ method: 'POST', url: '/containers/c/stop?t=soon' })).statusCode, 400);
  const missing = await a.inject({ method: 'POST', url: '/v1.41/containers/nope/start' });
  t.equal(missing.statusCode, 404);
  t.same(missing.json(), { message: 'No such container: nope' });
  t.equal(missing.headers['content-type'], 'application/json', 'exactly, or the docker CLI prints the raw body');
  t.equal((await a.inject({ method: 'POST', url: '/containers/c/rename?name=d' })).statusCode, 204);
  t.equal((await a.inject({ method: 'POST', url: '/containers/c/rename' })).statusCode, 400);
  t.equal((await a.inject({ method: 'DELETE', url: '/containers/d?force=1&v=1' })).statusCode, 204);
  t.same(deps.containers.calls.findLast((c) => c[0] === 'remove'), ['remove', 'd', { force: true, volumes: true }]);
  t.equal((await a.inject({ method: 'DELETE', url: '/containers/d' })).statusCode, 404);
  t.equal((await a.inject({ method: 'POST', url: '/containers/x/resize?h=a&w=1' })).statusCode, 400);
  const prune = await a.inject({ method: 'POST', url: '/containers/prune' });
  t.equal(prune.statusCode, 200);
  t.same(prune.json(), { ContainersDeleted: null, SpaceReclaimed: 0 });
});

t.test('wait: 404 before the response starts, the exit code after', async (t) => {
  const { app: a, deps } = await app();
  const missing = await a.inject({ method: 'POST', url: '/containers/nope/wait' });
  t.equal(missing.statusCode, 404);
  const bad = await a.inject({ method: 'POST', url: '/containers/nope/wait?condition=whenever' });
  t.equal(bad.statusCode, 400);
  await deps.containers.create('w', { Image: 'busybox' });
  const pending = a.inject({ method: 'POST', url: '/containers/w/wait?condition=next-exit' });
  // The waiter is registered before start, so the exit is seen.
  while (!deps.containers.calls.some((c) => c[0] === 'wait' && c[1] === 'w')) await new Promise((r) => setImmediate(r));
  await deps.containers.start('w');
  await deps.containers.kill('w');
  const r = await pending;
  t.equal(r.statusCode, 200);
  t.same(JSON.parse(r.body), { StatusCode: 137, Error: null });
  const done = await a.inject({ method: 'POST', url: '/containers/w/wait' });
  t.same(JSON.parse(done.body), { StatusCode: 137, Error: null }, 'not-running resolves at once for a stopped container');
});

t.test('logs: content type by tty and version; parameters checked', async (t) => {
  const { app: a, deps } = await app();
  await deps.containers.create('l', { Image: 'busybox' });
  await deps.containers.create('tty', { Image: 'busybox', Tty: true });
  const none = await a.inject({ url: '/containers/l/logs' });
  t.equal(none.statusCode, 400);
  t.match(none.json().message, /at least one stream/);
  const mux = await a.inject({ url: '/containers/l/logs?stdout=1&stderr=1&tail=10&since=1700000000.5' });
  t.equal(mux.statusCode, 200);
  t.equal(mux.headers['content-type'], 'application/vnd.docker.multiplexed-stream');
  t.equal(mux.rawPayload[0], 1);
  t.match(mux.rawPayload.toString(), /hello\n/);
  t.same(deps.containers.calls.find((c) => c[0] === 'logs')?.[2], { follow: undefined, stdout: true, stderr: true, timestamps: undefined, tail: 10, since: 1700000000.5, until: undefined });
  const old = await a.inject({ url: '/v1.41/containers/l/logs?stdout=1' });
  t.equal(old.headers['content-type'], 'application/vnd.docker.raw-stream');
  const tty = await a.inject({ url: '/containers/tty/logs?stdout=true' });
  t.equal(tty.headers['content-type'], 'application/vnd.docker.raw-stream');
  t.equal(tty.body, 'hello\noops\n');
  t.equal((await a.inject({ url: '/containers/l/logs?stdout=1&tail=many' })).statusCode, 400);
  t.equal((await a.inject({ url: '/containers/nope/logs?stdout=1' })).statusCode, 404);
});

t.test('stats: one JSON document without stream, JSON lines with it', async (t) => {
  const { app: a, deps } = await app();
  await deps.containers.create('s', { Image: 'busybox' });
  const one = await a.inject({ url: '/containers/s/stats?stream=false' });
  t.equal(one.statusCode, 200);
  t.equal(one.json().id.length, 64);
  const many = await a.inject({ url: '/containers/s/stats' });
  const lines = many.body.trim().split('\n').map((l) => JSON.parse(l) as { cpu_stats: { cpu_usage: { total_usage: number } } });
  t.same(lines.map((l) => l.cpu_stats.cpu_usage.total_usage), [0, 1, 2]);
  t.equal((await a.inject({ url: '/containers/nope/stats?stream=0' })).statusCode, 404);
  t.equal((await a.inject({ url: '/containers/nope/stats' })).statusCode, 404);
});

t.test('exec create, inspect, detached start', async (t) => {
  const { app: a, deps } = await app();
  await deps.containers.create('e', { Image: 'busybox' });
  const noCmd = await a.inject({ method: 'POST', url: '/containers/e/exec', payload: {} });
  t.equal(noCmd.statusCode, 400);
  t.match(noCmd.json().message, /Cmd/);
  const created = await a.inject({ method: 'POST', url: '/containers/e/exec', payload: { Cmd: ['ls', '-l'], Tty: true } });
  t.equal(created.statusCode, 201);
  const id = created.json().Id as string;
  const insp = await a.inject({ url: `/exec/${id}/json` });
  t.equal(insp.json().ProcessConfig.entrypoint, 'ls');
  const start = await a.inject({ method: 'POST', url: `/exec/${id}/start`, payload: { Detach: true } });
  t.equal(start.statusCode, 200);
  t.same(deps.containers.calls.find((c) => c[0] === 'execStart'), ['execStart', id, { detach: true, tty: true }]);
  t.equal((await a.inject({ method: 'POST', url: '/exec/nope/start', payload: { Detach: true } })).statusCode, 404);
  t.equal((await a.inject({ method: 'POST', url: '/containers/nope/exec', payload: { Cmd: ['ls'] } })).statusCode, 404);
});

t.test('networks: list, inspect, create, connect, prune (API shapes and statuses)', async (t) => {
  const { app: a } = await app();
  const list = await a.inject({ url: `/networks?filters=${encodeURIComponent('{"name":{"bridge":true}}')}` });
  t.same(list.json().map((n: { Name: string }) => n.Name), ['bridge']);
  t.equal((await a.inject({ url: '/networks/host' })).json().Driver, 'host');
  t.equal((await a.inject({ url: '/networks/nope' })).statusCode, 404);
  const created = await a.inject({ method: 'POST', url: '/networks/create', payload: { Name: 'x', Labels: { a: 'b' } } });
  t.equal(created.statusCode, 201, 'create answers 201 Created');
  t.match(created.json(), { Id: /^\w{64}$/, Warning: '' });
  t.equal((await a.inject({ method: 'POST', url: '/networks/create', payload: { Name: 'x' } })).statusCode, 409);
  t.equal((await a.inject({ method: 'POST', url: '/networks/create', payload: { Driver: 'bridge' } })).statusCode, 400, 'a name is required');
  t.equal((await a.inject({ method: 'POST', url: '/networks/x/connect', payload: {} })).statusCode, 400, 'connect needs a Container');
  t.equal((await a.inject({ method: 'POST', url: '/networks/x/connect', payload: { Container: 'nosuch' } })).statusCode, 404);
  t.same((await a.inject({ method: 'POST', url: '/networks/prune' })).json(), { NetworksDeleted: ['x'] });
  t.same((await a.inject({ method: 'POST', url: '/networks/prune' })).json(), { NetworksDeleted: null }, 'nothing left: null, as Docker');
  t.equal((await a.inject({ method: 'DELETE', url: '/networks/bridge' })).statusCode, 400);
});
