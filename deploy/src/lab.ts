/**
 * A lab of shoald hosts on one machine: each host is a network namespace
 * plugged into a lab bridge (a /24 of its own), running a real shoald with
 * its own data-root, exec-root, socket, cgroup parent, container bridge
 * and nftables table; the first host inits a swarm and the others join as
 * managers or workers. `labDown` leaves nothing behind: task containers
 * removed through each daemon, daemons stopped by their pids, namespaces,
 * links, cgroups and directories removed. The cluster tests and `shoal lab`
 * use it.
 *
 * State: `<root>/lab.json` (hosts, pids, names), each host's files under
 * `<root>/<host>/` (data, exec, socket, log).
 */
import { spawn } from 'node:child_process';
import { mkdir, open, readFile, readdir, rm, rmdir, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { runTool } from '@shoal/common';

/** One host of a lab. */
export interface LabHost {
  name: string;
  role: 'manager' | 'worker';
  /** Its address on the lab bridge. */
  addr: string;
  netns: string;
  socket: string;
  dir: string;
  pid: number;
}

/** A lab as `lab.json` keeps it. */
export interface Lab {
  name: string;
  root: string;
  bridge: string;
  /** The lab network's first three octets (`10.231.7`): hosts are .1, .2...; the machine is .254. */
  net: string;
  hosts: LabHost[];
}

/** What `labUp` makes. */
export interface LabOptions {
  /** A short name (letters, digits; at most 6): it prefixes every namespace, link, table and cgroup. */
  name: string;
  managers: number;
  workers: number;
  /** Where the lab keeps its files (`/var/lib/shoal-lab/<name>`). */
  root: string;
  /** The lab network's first three octets; default 10.231.0. */
  net?: string;
  /** How to start shoald: argv before its flags (the built binary, or node with tsx on the sources). */
  shoald: string[];
  /** Each host's container bridge gets 10.<this>.<host>.1/24; default 232. */
  containerNet?: number;
  log?: (line: string) => void;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** One Engine API call over a unix socket: status and parsed body. */
export function api(socket: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : JSON.stringify(body);
    const req = request({ socketPath: socket, method, path, headers: data === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => { text += c; });
      res.on('end', () => {
        let parsed: unknown = text;
        try { parsed = text === '' ? undefined : JSON.parse(text); } catch { /* plain text */ }
        resolve({ status: res.statusCode ?? 0, body: parsed });
      });
    });
    req.setTimeout(120_000, () => req.destroy(new Error(`${method} ${path}: no answer`)));
    req.on('error', reject);
    req.end(data);
  });
}

async function ok(socket: string, method: string, path: string, body?: unknown): Promise<unknown> {
  const r = await api(socket, method, path, body);
  if (r.status >= 300) throw new Error(`${method} ${path} on ${socket}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

async function ip(...args: string[]): Promise<void> {
  await runTool(['ip', ...args]);
}

function names(name: string, i: number): { netns: string; veth: string; bridge: string; table: string; cgroup: string } {
  return { netns: `${name}-h${i}`, veth: `${name}v${i}`, bridge: `${name}c${i}`, table: `${name}_h${i}`, cgroup: `${name}-h${i}` };
}

/** Starts shoald for host `h` in its namespace; resolves once it answers. */
async function startDaemon(o: LabOptions, h: LabHost, i: number): Promise<number> {
  const n = names(o.name, i);
  await mkdir(h.dir, { recursive: true });
  const log = await open(join(h.dir, 'shoald.log'), 'a');
  const child = spawn('nsenter', [`--net=/run/netns/${h.netns}`, ...o.shoald,
    '--data-root', join(h.dir, 'data'), '--exec-root', join(h.dir, 'exec'), '-H', `unix://${h.socket}`,
    '--pidfile', join(h.dir, 'shoald.pid'), '--bridge', n.bridge, '--bip', `10.${o.containerNet ?? 232}.${i}.1/24`,
    '--nft-table', n.table, '--cgroup-parent', n.cgroup,
  ], { stdio: ['ignore', log.fd, log.fd], detached: true });
  child.unref();
  await log.close();
  for (let k = 0; k < 600; k++) {
    const alive = await api(h.socket, 'GET', '/_ping').then((r) => r.status === 200, () => false);
    if (alive) return child.pid ?? 0;
    if (child.exitCode !== null) break;
    await sleep(100);
  }
  throw new Error(`shoald of ${h.name} did not start; see ${join(h.dir, 'shoald.log')}`);
}

/** Makes the lab: bridge, hosts, daemons, the swarm. Refuses a lab that exists. */
export async function labUp(o: LabOptions): Promise<Lab> {
  if (!/^[a-z][a-z0-9]{0,5}$/.test(o.name)) throw new Error('a lab name is 1 to 6 lower-case letters and digits, starting with a letter');
  const total = o.managers + o.workers;
  if (o.managers < 1 || total > 50) throw new Error('a lab has 1 to 50 hosts, at least one of them a manager');
  const existing = await readFile(join(o.root, 'lab.json'), 'utf8').catch(() => undefined);
  if (existing !== undefined) throw new Error(`lab ${o.name} exists (${o.root}); take it down first`);
  const log = o.log ?? (() => undefined);
  const net = o.net ?? '10.231.0';
  const lab: Lab = { name: o.name, root: o.root, bridge: `${o.name}br`, net, hosts: [] };
  await mkdir(o.root, { recursive: true });
  const save = (): Promise<void> => writeFile(join(o.root, 'lab.json'), `${JSON.stringify(lab, null, 2)}\n`);
  await save();
  try {
    await ip('link', 'add', lab.bridge, 'type', 'bridge');
    await ip('addr', 'add', `${net}.254/24`, 'dev', lab.bridge);
    await ip('link', 'set', lab.bridge, 'up');
    for (let i = 1; i <= total; i++) {
      const n = names(o.name, i);
      const h: LabHost = { name: `host${i}`, role: i <= o.managers ? 'manager' : 'worker', addr: `${net}.${i}`, netns: n.netns, socket: join(o.root, `host${i}`, 'shoal.sock'), dir: join(o.root, `host${i}`), pid: 0 };
      lab.hosts.push(h);
      await save();
      await ip('netns', 'add', n.netns);
      await ip('link', 'add', n.veth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', n.netns);
      await ip('link', 'set', n.veth, 'master', lab.bridge, 'up');
      await ip('-n', n.netns, 'link', 'set', 'lo', 'up');
      await ip('-n', n.netns, 'addr', 'add', `${h.addr}/24`, 'dev', 'eth0');
      await ip('-n', n.netns, 'link', 'set', 'eth0', 'up');
      await ip('-n', n.netns, 'route', 'add', 'default', 'via', `${net}.254`);
      h.pid = await startDaemon(o, h, i);
      await save();
      log(`${h.name}: shoald up (${h.addr}, socket ${h.socket})`);
    }
    const [first, ...rest] = lab.hosts as [LabHost, ...LabHost[]];
    await ok(first.socket, 'POST', '/swarm/init', { ListenAddr: `${first.addr}:2377`, AdvertiseAddr: `${first.addr}:2377` });
    const swarm = await ok(first.socket, 'GET', '/swarm') as { JoinTokens: { Worker: string; Manager: string } };
    for (const h of rest) {
      await ok(h.socket, 'POST', '/swarm/join', {
        ListenAddr: `${h.addr}:2377`, AdvertiseAddr: `${h.addr}:2377`, RemoteAddrs: [`${first.addr}:2377`],
        JoinToken: h.role === 'manager' ? swarm.JoinTokens.Manager : swarm.JoinTokens.Worker,
      });
      log(`${h.name}: joined as a ${h.role}`);
    }
    return lab;
  } catch (e) {
    await labDown(o.root).catch(() => undefined);
    throw e;
  }
}

/** The lab at `root`, if any. */
export async function readLab(root: string): Promise<Lab | undefined> {
  const text = await readFile(join(root, 'lab.json'), 'utf8').catch(() => undefined);
  return text === undefined ? undefined : JSON.parse(text) as Lab;
}

function alive(pid: number): boolean {
  if (pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Container shims of this lab still running (a daemon killed before it
 * removed them): found by the lab's directory in their arguments, ended by
 * pid with their containers' processes (their children).
 */
async function killStrays(root: string): Promise<void> {
  const procs: Array<{ pid: number; ppid: number; cmd: string }> = [];
  for (const d of await readdir('/proc').catch(() => [] as string[])) {
    if (!/^\d+$/.test(d)) continue;
    const cmd = await readFile(`/proc/${d}/cmdline`, 'utf8').catch(() => '');
    const stat = await readFile(`/proc/${d}/stat`, 'utf8').catch(() => '');
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1] ?? 0);
    procs.push({ pid: Number(d), ppid, cmd });
  }
  const shims = procs.filter((p) => p.cmd.includes('shoal-shim') && p.cmd.includes(`${root}/`));
  for (const shim of shims) {
    for (const child of procs.filter((p) => p.ppid === shim.pid)) {
      try { process.kill(child.pid, 'SIGKILL'); } catch { /* gone */ }
    }
    try { process.kill(shim.pid, 'SIGKILL'); } catch { /* gone */ }
  }
  if (shims.length > 0) await sleep(200);
}

/** Removes empty cgroup directories named `name` under every hierarchy, deepest first. */
async function removeCgroups(name: string): Promise<void> {
  const roots = ['/sys/fs/cgroup', ...(await readdir('/sys/fs/cgroup').catch(() => [] as string[])).map((d) => join('/sys/fs/cgroup', d))];
  for (const r of roots) {
    const dir = join(r, name);
    const walk = async (d: string): Promise<void> => {
      for (const e of await readdir(d, { withFileTypes: true }).catch(() => [])) if (e.isDirectory()) await walk(join(d, e.name));
      await rmdir(d).catch(() => undefined);
    };
    await walk(dir);
  }
}

/** Takes the lab at `root` down and leaves nothing of it. A lab that is not there: nothing to do. */
export async function labDown(root: string): Promise<void> {
  const lab = await readLab(root);
  if (lab === undefined) return;
  const up = lab.hosts.filter((h) => alive(h.pid));
  // Every host leaves the swarm first: its agent stops and removes its task containers, so no
  // manager places a replacement on a host that is being taken down.
  await Promise.all(up.map((h) => api(h.socket, 'POST', '/swarm/leave?force=1').catch(() => undefined)));
  // Then the daemons remove what else runs (containers outlive a daemon on purpose).
  for (const h of up) {
    const list = await api(h.socket, 'GET', '/containers/json?all=1').catch(() => undefined);
    for (const c of (list?.body as Array<{ Id: string }> | undefined) ?? []) await api(h.socket, 'DELETE', `/containers/${c.Id}?force=1`).catch(() => undefined);
  }
  for (const h of up) {
    process.kill(h.pid, 'SIGTERM');
    for (let k = 0; k < 100 && alive(h.pid); k++) await sleep(100);
    if (alive(h.pid)) process.kill(h.pid, 'SIGKILL');
  }
  await killStrays(root);
  for (let i = 1; i <= lab.hosts.length; i++) {
    const n = names(lab.name, i);
    await runTool(['ip', 'netns', 'del', n.netns]).catch(() => undefined);
    await runTool(['ip', 'link', 'del', n.veth]).catch(() => undefined);
    await removeCgroups(n.cgroup);
  }
  await runTool(['ip', 'link', 'del', lab.bridge]).catch(() => undefined);
  // Mounts a daemon left under its directories (a killed daemon's overlay rootfs): unmounted before the files go.
  const mounts = (await readFile('/proc/self/mountinfo', 'utf8')).split('\n').map((l) => l.split(' ')[4] ?? '').filter((m) => m.startsWith(`${root}/`)).sort().reverse();
  for (const m of mounts) await runTool(['umount', '-l', m]).catch(() => undefined);
  await rm(root, { recursive: true, force: true });
}
