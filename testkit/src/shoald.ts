import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile, readFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runTool } from '@shoal/common';
import { removeCgroupTree } from './cgroups.js';
import { makeBusyboxRootfsTar } from './busybox.js';

const repo = resolve(import.meta.dirname, '../..');

/** A shoald started for a test, with paths, bridge, subnet and nft table of its own. */
export interface TestDaemon {
  /** `unix:///...` for DOCKER_HOST / `docker -H`. */
  host: string;
  socketPath: string;
  /** The daemon's own directory (data and exec roots, socket, log; removed by cleanup). */
  dir: string;
  dataRoot: string;
  execRoot: string;
  bridge: string;
  /** The bridge's address (--bip), e.g. 10.219.7.1/24. */
  bip: string;
  nftTable: string;
  cgroupParent: string;
  /** The running daemon process (changes after restart). */
  proc(): ChildProcess;
  /** SIGTERM and wait; containers keep running (live-restore). */
  stop(): Promise<void>;
  /** SIGKILL and wait. */
  kill9(): Promise<void>;
  /** Start again over the same directories. */
  start(): Promise<void>;
  /** Remove every container, stop the daemon, delete bridges (user-defined networks' too), table, cgroups and dirs. */
  cleanup(): Promise<void>;
  /** A busybox rootfs tar (for `docker import`), made once. */
  busyboxTar(): Promise<string>;
  /** Run the docker CLI against this daemon. */
  docker(args: string[], opts?: { input?: string; okCodes?: number[]; timeoutMs?: number }): Promise<{ stdout: string; stderr: string; code: number }>;
}

function ping(socketPath: string): Promise<boolean> {
  return new Promise((res) => {
    const req = request({ socketPath, path: '/_ping', method: 'GET', timeout: 1000 }, (r) => {
      r.resume();
      res(r.statusCode === 200);
    });
    req.on('error', () => res(false));
    req.on('timeout', () => { req.destroy(); res(false); });
    req.end();
  });
}

/** Options of {@link startTestDaemon}. */
export interface TestDaemonOptions {
  /**
   * Run the daemon inside this network namespace (a name under /run/netns).
   * Only the network namespace is entered (nsenter --net), so the daemon
   * still sees the host's /sys/fs/cgroup and mounts.
   */
  netns?: string;
  /** Settings in daemon.json's shape (`{"default-ulimits": ...}`), written to the daemon's config file. */
  config?: Record<string, unknown>;
}

/**
 * Start a real shoald from the TypeScript sources (tsx) for a test. Every
 * name is unique so test files can run in parallel. Call `cleanup()` in
 * teardown.
 */
export async function startTestDaemon(opts: TestDaemonOptions = {}): Promise<TestDaemon> {
  const suffix = randomBytes(3).toString('hex');
  const work = await mkdtemp(join(tmpdir(), 'shoald-test-'));
  const dataRoot = join(work, 'data');
  const execRoot = join(work, 'exec');
  const socketPath = join(work, 'shoal.sock');
  const bridge = `shtd${suffix}`;
  const nftTable = `shoaltest_${suffix}`;
  const cgroupParent = `shoaltest-${suffix}`;
  const third = parseInt(suffix.slice(0, 2), 16);
  const bip = `10.219.${third}.1/24`;
  const configFile = join(work, 'daemon.json');
  await writeFile(configFile, `${JSON.stringify(opts.config ?? {})}\n`);
  const logFile = join(work, 'shoald.log');
  let child: ChildProcess | undefined;

  const start = async (): Promise<void> => {
    const { openSync } = await import('node:fs');
    const fd = openSync(logFile, 'a');
    // setpriv --pdeathsig: if the test process dies (tap's timeout), so does its daemon.
    const enter = opts.netns === undefined ? [] : ['nsenter', `--net=/run/netns/${opts.netns}`];
    child = spawn('setpriv', ['--pdeathsig', 'SIGKILL', ...enter, process.execPath,
      '--import', 'tsx', '--conditions=shoal-source', join(repo, 'worker/src/daemon/main.ts'),
      '--data-root', dataRoot, '--exec-root', execRoot, '-H', `unix://${socketPath}`,
      '--pidfile', join(work, 'shoald.pid'), '--config-file', configFile,
      '--bridge', bridge, '--bip', bip, '--nft-table', nftTable, '--cgroup-parent', cgroupParent,
      '--log-level', 'debug',
    ], { stdio: ['ignore', fd, fd], cwd: repo });
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) break;
      if (await ping(socketPath)) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    const log = await readFile(logFile, 'utf8').catch(() => '');
    throw new Error(`shoald did not start (exit ${child.exitCode}); log:\n${log.slice(-4000)}`);
  };

  const waitExit = (sig: NodeJS.Signals): Promise<void> => new Promise((res) => {
    const c = child;
    if (c === undefined || c.exitCode !== null || c.signalCode !== null) { res(); return; }
    c.once('exit', () => res());
    c.kill(sig);
  });

  const docker: TestDaemon['docker'] = (args, opts = {}) =>
    runTool(['docker', '-H', `unix://${socketPath}`, ...args], {
      input: opts.input, okCodes: opts.okCodes, timeoutMs: opts.timeoutMs ?? 60_000,
      env: { ...process.env, DOCKER_CONFIG: join(work, 'docker-config') },
    });

  await start();
  let tar: Promise<string> | undefined;
  return {
    host: `unix://${socketPath}`, socketPath, dir: work, dataRoot, execRoot, bridge, bip, nftTable, cgroupParent,
    busyboxTar: () => (tar ??= makeBusyboxRootfsTar(join(work, 'busybox-rootfs'), join(work, 'busybox.tar'))),
    proc: () => child!,
    stop: () => waitExit('SIGTERM'),
    kill9: () => waitExit('SIGKILL'),
    start,
    docker,
    cleanup: async () => {
      if (child !== undefined && child.exitCode === null && child.signalCode === null) {
        const ids = (await docker(['ps', '-aq']).catch(() => ({ stdout: '' }))).stdout.split('\n').filter(Boolean);
        if (ids.length > 0) await docker(['rm', '-f', ...ids], { timeoutMs: 60_000 }).catch(() => undefined);
        await waitExit('SIGTERM');
      }
      // Whatever the daemon could not clean (it was killed, or failed): shims, mounts, links, tables, cgroups.
      const { stdout: ps } = await runTool(['ps', '-eo', 'pid=,args=']);
      for (const line of ps.split('\n')) {
        const m = /^\s*(\d+)\s+(.*)$/.exec(line);
        if (m && m[2]!.includes('shoal-shim') && m[2]!.includes(execRoot)) {
          try { process.kill(Number(m[1]), 'SIGKILL'); } catch { /* gone */ }
        }
      }
      const mounts = await readFile('/proc/self/mounts', 'utf8');
      const ours = mounts.split('\n').map((l) => l.split(' ')[1] ?? '').filter((p) => p.startsWith(work)).reverse();
      for (const p of ours) await runTool(['umount', '-l', p]).catch(() => undefined);
      const inNs = opts.netns === undefined ? [] : ['nsenter', `--net=/run/netns/${opts.netns}`];
      await runTool([...inNs, 'ip', 'link', 'del', bridge]).catch(() => undefined);
      // The bridges of user-defined networks a failed test left (named in the daemon's own records).
      const nets = await readFile(join(dataRoot, 'network', 'networks.json'), 'utf8').then((t) => JSON.parse(t) as Array<{ builtin?: boolean; bridgeName?: string }>, () => []);
      for (const n of nets) {
        if (n.builtin === false && n.bridgeName !== undefined) await runTool([...inNs, 'ip', 'link', 'del', n.bridgeName]).catch(() => undefined);
      }
      await runTool([...inNs, 'nft', 'delete', 'table', 'ip', nftTable]).catch(() => undefined);
      await removeCgroupTree(cgroupParent).catch(() => undefined);
      await rm(work, { recursive: true, force: true }).catch(() => undefined);
    },
  };
}

/** The daemon's log, for failure messages. */
export async function daemonLog(d: TestDaemon): Promise<string> {
  return readFile(join(d.dataRoot, '..', 'shoald.log'), 'utf8').catch(() => '');
}
