/**
 * A real shoald for kernel tests (tests only; not exported): fresh data and
 * exec roots, a socket in a short temporary path, and a unique bridge, bip,
 * nft table and cgroup parent so that parallel test files never collide.
 * The teardown removes containers, stops the daemon and deletes every
 * kernel object it made.
 */
import { randomBytes, randomInt } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import { makeBusyboxRootfsTar, removeCgroupTree } from '@shoal/testkit';
import { mergeDaemonConfig, runTool, silentLogger, type DaemonConfig } from '@shoal/common';
import { startDaemon, type Daemon } from '../daemon/start-daemon.js';

/** The parts of a tap Test this needs. */
export interface TestLike {
  testdir(): string;
  teardown(fn: () => unknown): void;
  comment(...args: unknown[]): void;
}

/** A started test daemon. */
export interface TestDaemon {
  daemon: Daemon;
  config: DaemonConfig;
  socketPath: string;
  /** The test's directory (t.testdir() must not be called again: tap would wipe it, mounts and all). */
  dir: string;
  docker: Docker;
  /** A busybox rootfs tar (for `docker import`). */
  busyboxTar(): Promise<string>;
}

/** Start a daemon for `t` (`extra`: more settings in daemon.json's shape); everything is undone in `t`'s teardown. */
export async function startTestDaemon(t: TestLike, extra: Record<string, unknown> = {}): Promise<TestDaemon> {
  const hex = randomBytes(3).toString('hex');
  const bridge = `shd${hex}`;
  const table = `shoal_d${hex}`;
  const parent = `shoaltest-d${hex}`;
  const bip = `10.${randomInt(100, 250)}.${randomInt(0, 250)}.1/24`;
  const sockDir = mkdtempSync(join(tmpdir(), 'shoald-'));
  const socketPath = join(sockDir, 'shoal.sock');
  const holder: { daemon?: Daemon } = {};
  const step = async (fn: () => Promise<unknown>): Promise<void> => { await fn().catch((e: unknown) => { t.comment(`cleanup: ${String(e)}`); }); };
  // Registered before t.testdir() so that mounts are gone when tap removes the directory.
  t.teardown(async () => {
    const docker = new Docker({ socketPath });
    await step(async () => {
      if (holder.daemon === undefined) return;
      for (const c of await docker.listContainers({ all: true })) await docker.getContainer(c.Id).remove({ force: true });
    });
    await step(async () => holder.daemon?.close());
    await step(async () => {
      const netnsDir = join(root, 'exec', 'netns');
      if (!existsSync(netnsDir)) return;
      for (const f of readdirSync(netnsDir)) await runTool(['umount', join(netnsDir, f)], { okCodes: [0, 32] });
      await runTool(['umount', netnsDir], { okCodes: [0, 32] });
    });
    await step(async () => {
      // Volume devices (tmpfs, binds) a failed test may have left mounted under the data root.
      const mounted = readFileSync('/proc/self/mountinfo', 'utf8').split('\n').map((l) => l.split(' ')[4] ?? '')
        .filter((p) => p.startsWith(join(root, 'data', 'volumes') + '/')).sort().reverse();
      for (const p of mounted) await runTool(['umount', '-l', p], { okCodes: [0, 32] });
    });
    await step(() => runTool(['ip', 'link', 'del', bridge], { okCodes: [0, 1, 2] }));
    await step(() => runTool(['nft', 'delete', 'table', 'ip', table], { okCodes: [0, 1] }));
    await step(() => removeCgroupTree(parent));
    rmSync(sockDir, { recursive: true, force: true });
  });
  const root = t.testdir();
  const config = mergeDaemonConfig({
    'data-root': join(root, 'data'), 'exec-root': join(root, 'exec'), hosts: [`unix://${socketPath}`],
    pidfile: join(root, 'exec', 'shoald.pid'), bridge, bip, 'nft-table': table, 'cgroup-parent': parent, ...extra,
  }, {});
  const daemon = await startDaemon(config, { log: silentLogger() });
  holder.daemon = daemon;
  return {
    daemon, config, socketPath, dir: root, docker: new Docker({ socketPath }),
    busyboxTar: () => makeBusyboxRootfsTar(join(root, 'work'), join(root, 'busybox.tar')),
  };
}
