// shoald for real: the composed daemon on a unix socket, driven by dockerode
// (import, create, start, attach with stdin half-close, logs, wait, events),
// then stopped and started again over the same directories (live-restore).
import t from 'tap';
import { randomBytes, randomInt } from 'node:crypto';
import { createReadStream, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import Docker from 'dockerode';
import { makeBusyboxRootfsTar, removeCgroupTree } from '@shoal/testkit';
import { mergeDaemonConfig, runTool, silentLogger, type EngineEvent } from '@shoal/common';
import { startDaemon, type Daemon } from './start-daemon.js';

const hex = randomBytes(3).toString('hex');
const BRIDGE = `shd${hex}`;
const TABLE = `shoal_d${hex}`;
const PARENT = `shoaltest-d${hex}`;
const BIP = `10.${randomInt(100, 250)}.${randomInt(0, 250)}.1/24`;

const daemons: Daemon[] = [];
const sockDir = mkdtempSync(join(tmpdir(), 'shoald-'));
const socketPath = join(sockDir, 'shoal.sock');

async function bestEffort(steps: Array<() => Promise<unknown>>): Promise<void> {
  for (const step of steps) await step().catch((e: unknown) => t.comment(`cleanup: ${String(e)}`));
}

// Registered before t.testdir() so that mounts are gone when tap removes the directory.
t.teardown(async () => {
  await bestEffort([
    async () => {
      const live = daemons.at(-1);
      if (live === undefined) return;
      const docker = new Docker({ socketPath });
      for (const c of await docker.listContainers({ all: true })) await docker.getContainer(c.Id).remove({ force: true });
    },
    async () => { for (const d of daemons) await d.close(); },
    async () => {
      const netnsDir = join(root, 'exec', 'netns');
      if (!existsSync(netnsDir)) return;
      for (const f of readdirSync(netnsDir)) await runTool(['umount', join(netnsDir, f)], { okCodes: [0, 32] });
      await runTool(['umount', netnsDir], { okCodes: [0, 32] });
    },
    () => runTool(['ip', 'link', 'del', BRIDGE], { okCodes: [0, 1, 2] }),
    () => runTool(['nft', 'delete', 'table', 'ip', TABLE], { okCodes: [0, 1] }),
    // Every mounted hierarchy, whatever their names: a fixed list ('cpu,cpuacct') missed the
    // separate cpu and cpuacct hierarchies of this host and left a cgroup behind.
    () => removeCgroupTree(PARENT),
    async () => { rmSync(sockDir, { recursive: true, force: true }); },
  ]);
});

const root = t.testdir({ data: {}, exec: {}, work: {} });

function config() {
  return mergeDaemonConfig({
    'data-root': join(root, 'data'), 'exec-root': join(root, 'exec'), hosts: [`unix://${socketPath}`],
    pidfile: join(root, 'exec', 'shoald.pid'), bridge: BRIDGE, bip: BIP, 'nft-table': TABLE, 'cgroup-parent': PARENT,
  }, {});
}

function collect(stream: NodeJS.ReadableStream): Promise<string> {
  return new Promise((resolve, reject) => {
    let s = '';
    stream.on('data', (c: Buffer) => { s += c.toString(); });
    stream.on('end', () => { resolve(s); });
    stream.on('error', reject);
  });
}

t.test('shoald serves dockerode: import, run, attach, logs, events; restarts with containers alive', async (t) => {
  const started = Date.now() / 1000;
  const d1 = await startDaemon(config(), { log: silentLogger() });
  daemons.push(d1);
  t.same(d1.addresses, [`unix://${socketPath}`]);
  t.ok(existsSync(join(root, 'exec', 'shoald.pid')));
  const docker = new Docker({ socketPath });

  t.equal(String(await docker.ping()), 'OK');
  const info = await docker.info() as { Driver: string; DockerRootDir: string; DefaultRuntime: string; LiveRestoreEnabled: boolean };
  t.equal(info.DockerRootDir, join(root, 'data'));
  t.equal(info.DefaultRuntime, 'crun');
  t.equal(info.LiveRestoreEnabled, true);

  // A second daemon on the same pid file and socket is refused.
  await t.rejects(startDaemon(config(), { log: silentLogger() }), { code: 'DAEMON_ALREADY_RUNNING' });
  // ...and so is one with its own pid file and socket over the same data root.
  const other = { ...config(), pidfile: join(root, 'work', 'other.pid'), hosts: [`unix://${join(sockDir, 'other.sock')}`] };
  await t.rejects(startDaemon(other, { log: silentLogger() }), { code: 'DAEMON_ALREADY_RUNNING', message: /shoald\.lock/ });
  t.notOk(existsSync(join(root, 'work', 'other.pid')), 'the refused daemon released its pid file');

  const tar = await makeBusyboxRootfsTar(join(root, 'work'), join(root, 'work', 'busybox.tar'));
  const importStream = await docker.importImage(createReadStream(tar), { repo: 'busybox', tag: 'latest' }) as NodeJS.ReadableStream;
  const imported = JSON.parse((await collect(importStream)).trim()) as { status: string };
  t.match(imported.status, /^sha256:[0-9a-f]{64}$/);
  const images = await docker.listImages();
  t.same(images.map((i) => i.RepoTags), [['busybox:latest']]);

  // run -i: attach before start, stdin then half-close, output back, exit code.
  const c = await docker.createContainer({
    Image: 'busybox', Cmd: ['sh', '-c', 'read x; echo "got $x"; echo oops >&2; exit 3'],
    OpenStdin: true, StdinOnce: true, AttachStdin: true, AttachStdout: true, AttachStderr: true, HostConfig: { NetworkMode: 'none' },
  });
  const conn = await c.attach({ stream: true, stdin: true, stdout: true, stderr: true, hijack: true }) as Duplex;
  const out = collect(conn);
  const exited = c.wait({ condition: 'next-exit' });
  await c.start();
  conn.end('hello\n');
  const raw = await out;
  t.match(raw, /got hello\n/);
  t.match(raw, /oops\n/);
  t.same(await exited, { StatusCode: 3, Error: null });
  const logs = await c.logs({ stdout: true, stderr: true }) as unknown as Buffer;
  t.match(logs.toString(), /got hello/);

  const events = await docker.getEvents({ since: Math.floor(started), until: Math.ceil(Date.now() / 1000) + 1, filters: { container: [c.id] } }) as NodeJS.ReadableStream;
  const actions = (await collect(events)).trim().split('\n').map((l) => (JSON.parse(l) as EngineEvent).Action);
  for (const a of ['create', 'attach', 'start', 'die']) t.ok(actions.includes(a), `event ${a} in ${actions.join(',')}`);

  // rmi of an image a container uses is refused (409) until the container is gone.
  const rmi = await docker.getImage('busybox').remove().then(() => 'removed', (e: { statusCode?: number }) => e.statusCode);
  t.equal(rmi, 409);

  // live-restore: a running container survives a daemon restart.
  const long = await docker.createContainer({ Image: 'busybox', Cmd: ['sh', '-c', 'trap "exit 0" TERM; sleep 1d & wait'], HostConfig: { NetworkMode: 'none' } });
  await long.start();
  await d1.close();
  t.notOk(existsSync(socketPath), 'socket removed');
  t.notOk(existsSync(join(root, 'exec', 'shoald.pid')), 'pid file removed');
  const d2 = await startDaemon(config(), { log: silentLogger() });
  daemons.push(d2);
  const again = new Docker({ socketPath });
  const state = (await again.getContainer(long.id).inspect()).State;
  t.equal(state.Running, true, 'still running after the restart');
  // SIGHUP reload: live settings applied and reported, others left for a restart.
  const reloaded = d2.reload({ ...config(), logLevel: 'debug', labels: ['zone=a'], bridge: 'otherbr0' });
  t.same(reloaded, { applied: ['log-level', 'labels'], restartNeeded: ['bridge'] });
  t.same((await again.info() as { Labels: string[] }).Labels, ['zone=a']);
  t.same(d2.events.recent().filter((e) => e.Type === 'daemon').map((e) => [e.Action, e.Actor.Attributes.labels]), [['reload', '["zone=a"]']]);

  await again.getContainer(long.id).stop({ t: 5 });
  t.equal((await again.getContainer(long.id).inspect()).State.Running, false);
  await again.getContainer(long.id).remove();
  await again.getContainer(c.id).remove();
  const removed = await again.getImage('busybox').remove() as Array<{ Untagged?: string; Deleted?: string }>;
  t.ok(removed.some((r) => r.Untagged !== undefined), 'untagged once unused');
});
