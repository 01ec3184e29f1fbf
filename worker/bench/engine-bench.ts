/**
 * npm run bench:engine — shoald against Docker Engine 20.10 (Debian docker.io),
 * side by side in one run, driven by the same `docker` CLI.
 *
 * Each daemon gets its own data-root, exec-root and socket; dockerd runs in a
 * network namespace of its own so that its bridge and iptables rules never
 * touch the host. Prints medians and the ratios shoal/docker; the last line is
 *   engine: run-latency ratio R1, 50-containers ratio R2, idle-rss ratio R3
 * This is a benchmark, not a test: it asserts nothing and cleans up after itself.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { runTool } from '@shoal/common';
import { removeCgroupTree } from '@shoal/testkit';

const repo = resolve(import.meta.dirname, '../..');
const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const BATCH = Number(process.env.BENCH_BATCH ?? 50);
const BATCH_REPEATS = Number(process.env.BENCH_BATCH_REPEATS ?? 3);
const IMAGE = 'bench/busybox:latest';
const LONG_RUNNING = ['sh', '-c', 'trap "exit 0" TERM; sleep 1d & wait'];

interface Daemon {
  name: string;
  host: string;
  proc: ChildProcess;
  /** Process-name patterns whose RSS counts for this daemon, filtered by a marker in their cmdline. */
  rssPids(): Promise<number[]>;
  stop(): Promise<void>;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

async function docker(host: string, args: string[], timeoutMs = 120_000): Promise<string> {
  const { stdout } = await runTool(['docker', '-H', host, ...args], { timeoutMs });
  return stdout.trim();
}

async function waitPing(host: string, proc: ChildProcess, name: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`${name} exited with ${proc.exitCode}`);
    try {
      await docker(host, ['version', '--format', '{{.Server.Version}}'], 5_000);
      return;
    } catch {
      await delay(100);
    }
  }
  throw new Error(`${name} did not answer on ${host}`);
}

async function pidsWhere(match: (cmdline: string) => boolean): Promise<number[]> {
  const pids: number[] = [];
  for (const ent of await readdir('/proc')) {
    if (!/^\d+$/.test(ent)) continue;
    try {
      const cmd = (await readFile(`/proc/${ent}/cmdline`, 'utf8')).replace(/\0/g, ' ');
      if (match(cmd)) pids.push(Number(ent));
    } catch { /* process ended */ }
  }
  return pids;
}

async function rssKiB(pids: number[]): Promise<number> {
  let sum = 0;
  for (const pid of pids) {
    try {
      const status = await readFile(`/proc/${pid}/status`, 'utf8');
      const m = /VmRSS:\s+(\d+) kB/.exec(status);
      if (m) sum += Number(m[1]);
    } catch { /* gone */ }
  }
  return sum;
}

async function stopProc(proc: ChildProcess, timeoutMs = 20_000): Promise<void> {
  if (proc.exitCode !== null || proc.pid === undefined) return;
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  proc.kill('SIGTERM');
  const t = setTimeout(() => proc.kill('SIGKILL'), timeoutMs);
  await exited;
  clearTimeout(t);
}

async function startShoald(work: string): Promise<Daemon> {
  const sock = join(work, 'shoal.sock');
  const exec = join(work, 'exec');
  const args = [
    join(repo, 'node_modules/.bin/shoald'),
    '--data-root', join(work, 'data'), '--exec-root', exec,
    '-H', `unix://${sock}`, '--pidfile', join(work, 'shoald.pid'),
    '--bridge', 'shbench0', '--bip', '10.231.0.1/16', '--nft-table', 'shoalbench',
    '--cgroup-parent', 'shoalbench', '--config-file', join(work, 'none.json'), '--log-level', 'warn',
  ];
  await writeFile(join(work, 'none.json'), '{}\n');
  const proc = spawn('node', args, { stdio: ['ignore', 'inherit', 'inherit'] });
  const host = `unix://${sock}`;
  await waitPing(host, proc, 'shoald');
  return {
    name: 'shoal', host, proc,
    rssPids: async () => [proc.pid!, ...(await pidsWhere((c) => c.includes('shoal-shim') && c.includes(exec)))],
    stop: async () => {
      await docker(host, ['rm', '-f', ...(await docker(host, ['ps', '-aq'])).split('\n').filter(Boolean)]).catch(() => '');
      await stopProc(proc);
      await runTool(['ip', 'link', 'del', 'shbench0']).catch(() => undefined);
      await runTool(['nft', 'delete', 'table', 'ip', 'shoalbench']).catch(() => undefined);
    },
  };
}

async function startDockerd(work: string): Promise<Daemon> {
  const ns = `shoalbench-docker-${process.pid}`;
  await runTool(['ip', 'netns', 'add', ns]);
  await runTool(['ip', '-n', ns, 'link', 'set', 'lo', 'up']);
  const sock = join(work, 'docker.sock');
  const exec = join(work, 'exec');
  await writeFile(join(work, 'daemon.json'), '{}\n');
  const proc = spawn('nsenter', [
    `--net=/run/netns/${ns}`, 'dockerd', '--data-root', join(work, 'data'), '--exec-root', exec,
    '-H', `unix://${sock}`, '--pidfile', join(work, 'dockerd.pid'), '--config-file', join(work, 'daemon.json'),
    '--log-level', 'warn', '--storage-driver', 'overlay2', '--cgroup-parent', 'shoalbench-docker',
  ], { stdio: ['ignore', 'ignore', 'inherit'] });
  const host = `unix://${sock}`;
  await waitPing(host, proc, 'dockerd');
  return {
    name: 'docker', host, proc,
    rssPids: async () => pidsWhere((c) =>
      (/^dockerd /.test(c) && c.includes(exec)) ||
      (/^containerd /.test(c) && c.includes(exec)) ||
      (c.includes('containerd-shim') && c.includes(exec))),
    stop: async () => {
      await docker(host, ['rm', '-f', ...(await docker(host, ['ps', '-aq'])).split('\n').filter(Boolean)]).catch(() => '');
      await stopProc(proc, 30_000);
      await runTool(['ip', 'netns', 'del', ns]).catch(() => undefined);
    },
  };
}

async function loadImage(d: Daemon, tar: string): Promise<void> {
  await docker(d.host, ['import', '--change', 'CMD ["/bin/sh"]', tar, IMAGE]);
}

async function timeMs(fn: () => Promise<unknown>): Promise<number> {
  const t0 = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

async function runLatency(d: Daemon): Promise<number> {
  await docker(d.host, ['run', '--rm', IMAGE, 'true']); // warm up
  const xs: number[] = [];
  for (let i = 0; i < RUNS; i++) xs.push(await timeMs(() => docker(d.host, ['run', '--rm', IMAGE, 'true'])));
  return median(xs);
}

async function batch(d: Daemon): Promise<number> {
  const xs: number[] = [];
  for (let r = 0; r < BATCH_REPEATS; r++) {
    xs.push(await timeMs(async () => {
      const ids: string[] = [];
      for (let i = 0; i < BATCH; i++) ids.push(await docker(d.host, ['run', '-d', IMAGE, ...LONG_RUNNING]));
      await docker(d.host, ['rm', '-f', ...ids]);
    }));
  }
  return median(xs);
}

async function rssWith(d: Daemon, n: number): Promise<{ idle: number; loaded: number }> {
  await delay(2_000);
  const idle = await rssKiB(await d.rssPids());
  const ids: string[] = [];
  for (let i = 0; i < n; i++) ids.push(await docker(d.host, ['run', '-d', IMAGE, ...LONG_RUNNING]));
  await delay(2_000);
  const loaded = await rssKiB(await d.rssPids());
  await docker(d.host, ['rm', '-f', ...ids]);
  return { idle, loaded };
}

async function main(): Promise<void> {
  const work = await mkdtemp(join(tmpdir(), 'shoal-bench-'));
  const daemons: Daemon[] = [];
  try {
    const tar = join(work, 'busybox.tar');
    await runTool(['bash', join(repo, 'scripts/make-busybox-image.sh'), tar]);
    const shoalWork = await mkdtemp(join(work, 'shoal-'));
    const dockerWork = await mkdtemp(join(work, 'docker-'));
    const shoal = await startShoald(shoalWork);
    daemons.push(shoal);
    const dockerd = await startDockerd(dockerWork);
    daemons.push(dockerd);
    for (const d of daemons) await loadImage(d, tar);

    const res: Record<string, { run: number; batch: number; idle: number; loaded: number }> = {};
    for (const d of daemons) {
      const mem = await rssWith(d, BATCH);
      const run = await runLatency(d);
      const b = await batch(d);
      res[d.name] = { run, batch: b, ...mem };
      console.log(`${d.name.padEnd(6)} run --rm true: median ${run.toFixed(1)} ms; start+remove ${BATCH} detached: median ${b.toFixed(0)} ms; RSS idle ${(mem.idle / 1024).toFixed(1)} MiB, with ${BATCH} running ${(mem.loaded / 1024).toFixed(1)} MiB`);
    }
    const s = res.shoal!, k = res.docker!;
    const r1 = s.run / k.run, r2 = s.batch / k.batch, r3 = s.idle / k.idle, r4 = s.loaded / k.loaded;
    console.log(`ratios shoal/docker: run-latency ${r1.toFixed(2)}, ${BATCH}-containers ${r2.toFixed(2)}, idle-rss ${r3.toFixed(2)}, rss-with-${BATCH} ${r4.toFixed(2)}`);
    console.log(`engine: run-latency ratio ${r1.toFixed(2)}, 50-containers ratio ${r2.toFixed(2)}, idle-rss ratio ${r3.toFixed(2)}`);
  } finally {
    for (const d of daemons.reverse()) await d.stop().catch((e: unknown) => console.error(`stopping ${d.name}:`, e));
    // The daemons' exec-roots hold mount points (netns dirs, overlay and shm mounts of dockerd).
    const mounts = (await readFile('/proc/self/mounts', 'utf8')).split('\n').map((l) => l.split(' ')[1] ?? '');
    for (const m of mounts.filter((p) => p.startsWith(work)).reverse()) await runTool(['umount', '-l', m]).catch(() => undefined);
    await rm(work, { recursive: true, force: true });
    for (const parent of ['shoalbench', 'shoalbench-docker']) await removeCgroupTree(parent).catch(() => undefined);
  }
}

await main();
