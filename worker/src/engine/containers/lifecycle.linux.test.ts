import t from 'tap';
import type { Test } from 'tap';
import { randomBytes } from 'node:crypto';
import { readFile, rmdir } from 'node:fs/promises';
import { join } from 'node:path';
import { makeBusyboxRootfs } from '@shoal/testkit';
import { silentLogger, systemClock, type EngineEvent, type ContainerCreateBody } from '@shoal/common';
import { ContainerManager } from './container-manager.js';
import { FakeImageSource, FakeNetwork } from './testing-fakes.js';
import { containerCgroupDirs, isMounted, overlayPaths } from '../runtime/index.js';

interface Env { mgr: ContainerManager; events: EngineEvent[]; net: FakeNetwork; dataRoot: string; execRoot: string; parent: string; images: FakeImageSource }

async function setup(t: Test, extra: Partial<ConstructorParameters<typeof ContainerManager>[0]> = {}): Promise<Env> {
  const dir = t.testdir();
  const rootfs = await makeBusyboxRootfs(join(dir, 'busybox'));
  const images = new FakeImageSource();
  images.add('busybox', rootfs);
  const net = new FakeNetwork();
  const events: EngineEvent[] = [];
  const parent = `shoaltest-${randomBytes(4).toString('hex')}`;
  const dataRoot = join(dir, 'data');
  const execRoot = join(dir, 'exec');
  const mgr = new ContainerManager({
    dataRoot, execRoot, cgroupParent: parent, images, network: net, events: (e) => events.push(e),
    clock: systemClock, log: silentLogger(), ...extra,
  });
  await mgr.open();
  t.teardown(async () => {
    for (const c of await mgr.list({ all: true })) await mgr.remove(c.Id, { force: true }).catch(() => undefined);
    await mgr.shutdown();
    for (const d of Object.values(containerCgroupDirs(mgr.cgroupLayout, `/${parent}`))) await rmdir(d).catch(() => undefined);
  });
  return { mgr, events, net, dataRoot, execRoot, parent, images };
}

async function logText(env: Env, id: string): Promise<string> {
  const text = await readFile(join(env.dataRoot, 'containers', id, `${id}-json.log`), 'utf8');
  return text.split('\n').filter((l) => l !== '').map((l) => (JSON.parse(l) as { log: string }).log).join('');
}

async function run(env: Env, body: Partial<ContainerCreateBody>, name?: string): Promise<{ id: string; code: number }> {
  const { Id } = await env.mgr.create(name, { Image: 'busybox', HostConfig: { NetworkMode: 'none' }, ...body } as ContainerCreateBody);
  const exited = env.mgr.wait(Id, 'next-exit');
  await env.mgr.start(Id);
  const r = await exited;
  return { id: Id, code: r.StatusCode };
}

t.test('echo hi: output in the log, exit code, events', async (t) => {
  const env = await setup(t);
  const { id, code } = await run(env, { Cmd: ['echo', 'hi'] }, 'hello');
  t.equal(code, 0);
  t.equal(await logText(env, id), 'hi\n');
  const ins = await env.mgr.inspect('hello');
  t.equal(ins.State.Status, 'exited');
  t.equal(ins.State.ExitCode, 0);
  t.equal(ins.Name, '/hello');
  t.same(env.events.map((e) => e.Action), ['create', 'start', 'die']);
  t.equal(env.events[2]?.Actor.Attributes.exitCode, '0');
  t.notOk(await isMounted(overlayPaths(env.dataRoot, id).merged), 'rootfs unmounted after exit');
  t.same(await env.mgr.crun.list(), [], 'crun deleted it');
  t.equal(env.net.attached.size, 0, 'network detached');
});

t.test('exit code, pid 1, isolation from host processes', async (t) => {
  const env = await setup(t);
  t.equal((await run(env, { Cmd: ['sh', '-c', 'exit 7'] })).code, 7);
  const r = await run(env, { Cmd: ['sh', '-c', 'echo $$; exec ps -o pid,comm'] });
  const lines = (await logText(env, r.id)).trim().split('\n').map((l) => l.trim().split(/\s+/));
  t.same(lines, [['1'], ['PID', 'COMMAND'], ['1', 'ps']], 'PID 1 is the command; no host process is visible');
});
