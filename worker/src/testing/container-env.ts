/**
 * Test environment for the kernel tests of containers/ (tests only; not
 * exported): a ContainerManager over fresh dirs, a busybox image, a fake
 * none/host network, a unique cgroup parent, and a teardown that removes
 * every container and the cgroup parent.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, rmdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeBusyboxRootfs } from '@shoal/testkit';
import { silentLogger, systemClock, type EngineEventInput, type ContainerCreateBody } from '@shoal/common';
import { ContainerManager } from '../engine/containers/container-manager.js';
import { VolumeManager } from '../engine/volumes/index.js';
import { FakeImageSource, FakeNetwork } from './container-fakes.js';
import { allCgroupDirs } from '../engine/runtime/index.js';
import type { ContainerManagerOptions } from '../engine/containers/deps.js';

/** The parts of a tap Test the env needs. */
export interface TestLike { testdir(): string; teardown(fn: () => Promise<void> | void): void }

/** What setup() gives. */
export interface Env {
  mgr: ContainerManager;
  events: EngineEventInput[];
  net: FakeNetwork;
  dataRoot: string;
  execRoot: string;
  parent: string;
  images: FakeImageSource;
  /** The real volume store under dataRoot (opened again by a `reuse` setup, as a daemon restart). */
  volumes: VolumeManager;
  /** Resolves with the first event (from now on, or already seen when `past`) matching `pred`. */
  nextEvent(pred: (e: EngineEventInput) => boolean, past?: boolean): Promise<EngineEventInput>;
  /** The test's private directory (removed in teardown). */
  dir: string;
  /** Set when the test shut the manager down itself (teardown then leaves it alone). */
  closed: boolean;
}

/**
 * A manager over fresh dirs; `extra` overrides options. With `reuse`, a
 * second manager over the same dirs, image and cgroup parent (a daemon
 * restart).
 */
export async function setup(t: TestLike, extra: Partial<ContainerManagerOptions> = {}, reuse?: Env): Promise<Env> {
  // A private temporary directory rather than t.testdir(): tap's fixture
  // path is the same for two concurrent runs of this file, and tap removes
  // it without knowing about our mounts. We remove it after our cleanup.
  const holder: { env?: Env } = {};
  const dir = reuse === undefined ? await mkdtemp(join(tmpdir(), 'shoal-ctr-')) : '';
  t.teardown(async () => {
    const env = holder.env;
    if (env !== undefined && !env.closed) {
      const { mgr } = env;
      for (const c of await mgr.list({ all: true })) await mgr.remove(c.Id, { force: true }).catch(() => undefined);
      await mgr.close();
      for (const d of allCgroupDirs(mgr.cgroupLayout, `/${env.parent}`)) await rmdir(d).catch(() => undefined);
    }
    if (dir !== '' && env?.closed !== true) await rm(dir, { recursive: true, force: true });
  });
  let images: FakeImageSource;
  if (reuse !== undefined) images = reuse.images;
  else {
    const rootfs = await makeBusyboxRootfs(join(dir, 'busybox'));
    images = new FakeImageSource();
    images.add('busybox', rootfs);
  }
  const net = reuse?.net ?? new FakeNetwork();
  const events: EngineEventInput[] = [];
  const watchers: Array<{ pred: (e: EngineEventInput) => boolean; resolve: (e: EngineEventInput) => void }> = [];
  const parent = reuse?.parent ?? `shoaltest-${randomBytes(4).toString('hex')}`;
  const dataRoot = reuse?.dataRoot ?? join(dir, 'data');
  const execRoot = reuse?.execRoot ?? join(dir, 'exec');
  const onEvent = (e: EngineEventInput): void => {
    events.push(e);
    for (const w of [...watchers]) {
      if (w.pred(e)) { watchers.splice(watchers.indexOf(w), 1); w.resolve(e); }
    }
  };
  const volumes = await VolumeManager.open({ dataRoot, events: onEvent, clock: systemClock, log: silentLogger() });
  const mgr = new ContainerManager({
    dataRoot, execRoot, cgroupParent: parent, images, network: net, volumes, events: onEvent,
    clock: systemClock, log: silentLogger(), ...extra,
  });
  const env: Env = {
    mgr, events, net, dataRoot, execRoot, parent, images, volumes, closed: false, dir: reuse?.dir ?? dir,
    nextEvent: (pred, past = false) => {
      const seen = past ? events.find(pred) : undefined;
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise((resolve) => watchers.push({ pred, resolve }));
    },
  };
  holder.env = env;
  await mgr.open();
  return env;
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

