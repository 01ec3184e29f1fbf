import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import { silentLogger } from '@shoal/common';
import { buildApp } from './build-app.js';
import { fakeDeps } from '../../testing/fake-engines.js';

// A real Docker client against the API: proves the shapes, paths and statuses it relies on.
t.test('dockerode speaks to buildApp on a unix socket', async (t) => {
  const deps = fakeDeps();
  const app = await buildApp({ ...deps, log: silentLogger() });
  const dir = mkdtempSync(join(tmpdir(), 'shoal-dockerode-'));
  const socketPath = join(dir, 'api.sock');
  await app.listen({ path: socketPath });
  t.teardown(async () => { await app.close(); rmSync(dir, { recursive: true, force: true }); });
  const docker = new Docker({ socketPath, version: 'v1.44' });

  t.equal(String(await docker.ping()), 'OK');
  const version = await docker.version();
  t.equal(version.ApiVersion, '1.44');
  t.equal(version.Os, 'linux');
  const info = await docker.info() as { Name: string; Swarm: { LocalNodeState: string } };
  t.equal(info.Name, 'fakehost');
  t.equal(info.Swarm.LocalNodeState, 'inactive');

  const container = await docker.createContainer({ name: 'dc', Image: 'busybox', Cmd: ['sh'], Labels: { team: 'a' } });
  t.equal(container.id.length, 64);
  await container.start();
  const list = await docker.listContainers({ filters: { status: ['running'] } });
  t.equal(list.length, 1);
  t.same(list[0]?.Names, ['/dc']);
  t.same(list[0]?.Labels, { team: 'a' });
  const inspected = await container.inspect();
  t.equal(inspected.State.Running, true);

  const failure = (p: Promise<unknown>): Promise<unknown> => p.then(() => 'resolved', (e: unknown) => e);
  t.match(await failure(docker.getContainer('missing').inspect()), { statusCode: 404, json: { message: 'No such container: missing' } });
  t.match(await failure(docker.createContainer({ name: 'dc', Image: 'busybox' })), { statusCode: 409 });
  t.match(await failure(docker.listNodes()), { statusCode: 503 });

  const exitP = container.wait();
  await container.stop();
  t.same(await exitP, { StatusCode: 143, Error: null });

  const nets = await docker.listNetworks();
  t.same(nets.map((n) => n.Name), ['bridge', 'host', 'none']);
  await container.remove();
  t.same(await docker.listContainers({ all: true }), []);
});
