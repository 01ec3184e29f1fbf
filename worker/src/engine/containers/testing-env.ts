/**
 * Test environment for the kernel tests of containers/ (tests only; not
 * exported): a ContainerManager over fresh dirs, a busybox image, a fake
 * none/host network, a unique cgroup parent, and a teardown that removes
 * every container and the cgroup parent.
 */
import { randomBytes } from 'node:crypto';
import { readFile, rmdir } from 'node:fs/promises';
import { join } from 'node:path';
import { makeBusyboxRootfs } from '@shoal/testkit';
import { silentLogger, systemClock, type EngineEvent, type ContainerCreateBody } from '@shoal/common';
import { ContainerManager } from './container-manager.js';
import { FakeImageSource, FakeNetwork } from './testing-fakes.js';
import { containerCgroupDirs } from '../runtime/index.js';
import type { ContainerManagerOptions } from './deps.js';

/** The parts of a tap Test the env needs. */
export interface TestLike { testdir(): string; teardown(fn: () => Promise<void> | void): void }

/** What setup() gives. */
export interface Env { mgr: ContainerManager; events: EngineEvent[]; net: FakeNetwork; dataRoot: string; execRoot: string; parent: string; images: FakeImageSource }

/** A manager over fresh dirs; `extra` overrides options. */
export async function setup(t: TestLike, extra: Partial<ContainerManagerOptions> = {}): Promise<Env> {
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

/** The container's json-file log as text. */
export async function logText(env: Env, id: string): Promise<string> {
  const text = await readFile(join(env.dataRoot, 'containers', id, `${id}-json.log`), 'utf8');
  return text.split('\n').filter((l) => l !== '').map((l) => (JSON.parse(l) as { log: string }).log).join('');
}

/** Create and start, resolve with the exit code. */
export async function run(env: Env, body: Partial<ContainerCreateBody>, name?: string): Promise<{ id: string; code: number }> {
  const { Id } = await env.mgr.create(name, { Image: 'busybox', HostConfig: { NetworkMode: 'none' }, ...body } as ContainerCreateBody);
  const exited = env.mgr.wait(Id, 'next-exit');
  await env.mgr.start(Id);
  const r = await exited;
  return { id: Id, code: r.StatusCode };
}

