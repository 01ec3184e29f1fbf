// Volumes of containers across a daemon restart (a new manager and volume
// store over the same directories): references and device mounts survive.
import t from 'tap';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setup, logText } from '../../testing/container-env.js';

const TRAP = ['sh', '-c', 'trap "exit 0" TERM; echo ready; sleep 1d & wait'];
const mounted = async (path: string): Promise<boolean> => (await readFile('/proc/self/mountinfo', 'utf8')).includes(` ${path} `);

t.test('after a restart, volumes stay referenced (not removable) and a running container keeps its tmpfs volume', async (t) => {
  const env1 = await setup(t);
  await env1.volumes.create({ Name: 'tv', DriverOpts: { type: 'tmpfs', device: 'tmpfs', o: 'size=1m' } });
  const held = await env1.mgr.create('held', { Image: 'busybox', Cmd: ['true'], HostConfig: { NetworkMode: 'none', Binds: ['named:/n'] } });
  const runner = await env1.mgr.create('runner', { Image: 'busybox', Cmd: TRAP, HostConfig: { NetworkMode: 'none', Binds: ['tv:/t'] } });
  await env1.mgr.start(runner.Id);
  const tvDir = join(env1.dataRoot, 'volumes/tv/_data');
  t.ok(await mounted(tvDir));
  await env1.mgr.close();
  env1.closed = true;

  const env2 = await setup(t, {}, env1);
  env1.mgr = env2.mgr;
  env1.closed = false;
  env2.closed = true;
  await t.rejects(env2.volumes.remove('named'), { status: 409, message: `remove named: volume is in use - [${held.Id}]` });
  await t.rejects(env2.volumes.remove('tv'), { status: 409, message: `remove tv: volume is in use - [${runner.Id}]` });
  t.ok(await mounted(tvDir), 'the running container still has its volume mounted');
  t.same(env2.events.filter((e) => e.Type === 'volume').map((e) => e.Action), [], 'nothing mounted or announced again by the restart');
  await env2.mgr.stop(runner.Id, { timeoutS: 5 });
  t.match(await logText(env2, runner.Id), /ready/);
  t.notOk(await mounted(tvDir), 'its last user stopped: unmounted');
  await env2.mgr.remove(held.Id, { volumes: true });
  await env2.mgr.remove(runner.Id, {});
  t.same((await env2.volumes.list()).Volumes.map((v) => v.Name).sort(), ['named', 'tv'], 'rm -v keeps named volumes');
  await env2.volumes.remove('named');
  await env2.volumes.remove('tv');
});

t.test('a record written before volumes existed (no MountSpecs) still starts with its binds', async (t) => {
  const env = await setup(t);
  const c = await env.mgr.create('old', { Image: 'busybox', Cmd: ['sh', '-c', 'ls /h'], HostConfig: { NetworkMode: 'none', Binds: [`${env.dir}:/h:ro`] } });
  const path = join(env.dataRoot, 'containers', c.Id, 'config.v2.json');
  const rec = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
  t.ok(Array.isArray(rec.MountSpecs));
  delete rec.MountSpecs;
  await writeFile(path, JSON.stringify(rec));
  await env.mgr.close();
  env.closed = true;
  const env2 = await setup(t, {}, env);
  env.mgr = env2.mgr;
  env.closed = false;
  env2.closed = true;
  const exited = env2.mgr.wait(c.Id, 'next-exit');
  await env2.mgr.start(c.Id);
  t.equal((await exited).StatusCode, 0);
  t.match(await logText(env2, c.Id), /^busybox$/m, 'the bind of the old record is there');
});

t.test('two running containers share one mount of a tmpfs volume; it stays until the last stops', async (t) => {
  const env = await setup(t);
  await env.volumes.create({ Name: 'shared-tmp', DriverOpts: { type: 'tmpfs', device: 'tmpfs', o: 'size=1m' } });
  const body = { Image: 'busybox', Cmd: TRAP, HostConfig: { NetworkMode: 'none', Binds: ['shared-tmp:/t'] } };
  const a = await env.mgr.create('ta', body);
  const b = await env.mgr.create('tb', body);
  await Promise.all([env.mgr.start(a.Id), env.mgr.start(b.Id)]);
  const dir = join(env.dataRoot, 'volumes/shared-tmp/_data');
  const count = (await readFile('/proc/self/mountinfo', 'utf8')).split('\n').filter((l) => l.split(' ')[4] === dir).length;
  t.equal(count, 1, 'mounted once on the host');
  await env.mgr.stop(a.Id, { timeoutS: 5 });
  t.ok(await mounted(dir), 'still mounted for the other user');
  await env.mgr.stop(b.Id, { timeoutS: 5 });
  t.notOk(await mounted(dir), 'unmounted after the last one');
  await env.mgr.remove(a.Id, {});
  await env.mgr.remove(b.Id, {});
  await env.volumes.remove('shared-tmp');
});
