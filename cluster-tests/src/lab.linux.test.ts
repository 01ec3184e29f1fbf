// A lab of five real shoalds, each in its own network namespace on a lab
// bridge (3 managers, 2 workers), through the real docker CLI: the swarm
// forms, a service with a host-mode published port puts one task on every
// host and each answers on its host's address, kill -9 of a worker moves
// its task, and `labDown` leaves no namespace, link, daemon or file.
import t from 'tap';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { runTool } from '@shoal/common';
import { labDown, labUp, type LabHost } from '@shoal/deploy';
import { makeBusyboxRootfsTar } from '@shoal/testkit';

const run = promisify(execFile);
const repo = resolve(import.meta.dirname, '../..');
const IMAGE = 'lab/busybox:latest';

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

t.test('a five-host lab: swarm, spread service, a dead worker, nothing left behind', async (t) => {
  const root = await mkdtemp(join(tmpdir(), 'lab-'));
  t.teardown(() => labDown(root));
  const lab = await labUp({
    name: 'tlab', managers: 3, workers: 2, root, net: '10.231.9',
    shoald: [process.execPath, '--import', 'tsx', '--conditions=shoal-source', join(repo, 'worker/src/daemon/main.ts')],
  });
  const docker = (h: LabHost, args: string[], okCodes = [0]) => runTool(['docker', '-H', `unix://${h.socket}`, ...args], { okCodes, timeoutMs: 120_000, env: { ...process.env, DOCKER_CONFIG: join(root, 'docker-config') } });
  const [m1, m2, , w1] = lab.hosts as [LabHost, LabHost, LabHost, LabHost, LabHost];

  const work = await mkdtemp(join(tmpdir(), 'lab-img-'));
  t.teardown(() => rm(work, { recursive: true, force: true }));
  const tar = await makeBusyboxRootfsTar(work, join(work, 'rootfs.tar'));
  for (const h of lab.hosts) await docker(h, ['import', tar, IMAGE]);

  const rows = await until('five ready nodes, three managers', async () => {
    const out = (await docker(m2, ['node', 'ls', '--format', '{{.Status}} {{.ManagerStatus}}'])).stdout.trim().split('\n').map((r) => r.trimEnd()).sort();
    return out.length === 5 && out.every((r) => r.startsWith('Ready')) ? out : undefined;
  });
  t.same(rows, ['Ready', 'Ready', 'Ready Leader', 'Ready Reachable', 'Ready Reachable']);

  // One task per host (the host-mode port allows no more), each answering on its host's address.
  await docker(m1, ['service', 'create', '--name', 'web', '--replicas', '5', '--publish', 'published=8080,target=80,mode=host', IMAGE, 'httpd', '-f', '-p', '80', '-h', '/var/www']);
  for (const h of lab.hosts) {
    const body = await until(`${h.name} answering`, async () => (await run('curl', ['-fsS', '--max-time', '2', `http://${h.addr}:8080/index.html`])).stdout);
    t.equal(body, 'hello from shoal\n', `${h.name} (${h.addr}) answers`);
  }

  // kill -9 of a worker: its task goes elsewhere... but every other host holds the port: it waits, with the reason.
  process.kill(w1.pid, 'SIGKILL');
  await until('the worker down', async () => (/Down/.test((await docker(m1, ['node', 'ls', '--filter', 'role=worker', '--format', '{{.Status}}'])).stdout) ? true : undefined));
  const why = await until('the replacement pending', async () => {
    const out = (await docker(m1, ['service', 'ps', 'web', '--no-trunc', '--filter', 'desired-state=running', '--format', '{{.Error}}'])).stdout;
    return /host-mode port already in use on 4 nodes/.test(out) ? out : undefined;
  });
  t.match(why, 'no suitable node (');

  await labDown(root);
  await t.rejects(stat(root), { code: 'ENOENT' }, 'the lab directory is gone');
  const netns = (await runTool(['ip', 'netns', 'list'])).stdout;
  t.notMatch(netns, /tlab-/, 'no namespace left');
  const links = (await runTool(['ip', '-o', 'link'])).stdout;
  t.notMatch(links, /tlab/, 'no link left');
});
