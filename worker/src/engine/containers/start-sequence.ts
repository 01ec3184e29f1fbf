/**
 * The start sequence of a container: network attach -> rootfs mount, /etc
 * files and bundle (in parallel) -> spawnShim (crun create) -> monitor and
 * waiting attach clients -> crun start. All or nothing: on failure the steps
 * made are undone in reverse order (crun delete, monitor, unmount, detach,
 * bundle) and waiting attach connections are closed.
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import type { Logger, NetworkSettings } from '@shoal/common';
import { spawnShim, ShimClient } from '@shoal/native';
import type { AttachOptions } from './options.js';
import { endpointRequestsOf } from './network-config.js';
import {
  buildEnv, generateSpec, mountRootfs, resolveUser, unmountRootfs, readHostDevices, type CrunRuntime,
} from '../runtime/index.js';
import type { ImageSource, ContainerNetworking, ContainerVolumes } from './deps.js';
import type { ContainerRecord } from './container-record.js';
import { containerErrors } from './errors.js';
import { legacyPlan } from './mount-plan.js';
import { prepareMounts, releaseMounts } from './volume-binding.js';
import { attachStreams } from './attach-stream.js';

/** An attach connection waiting for the container to start. */
export interface PendingAttach { opts: AttachOptions; conn: Duplex; resolve: () => void }

/** Where a container's files are. */
export interface ContainerPaths { dir: string; stateDir: string; bundle: string; logPath: string; hosts: string; hostname: string; resolvConf: string }

/** The files of container `id` whose record lives in `dir` (data root), with its runtime state under `execRoot`. */
export function containerPaths(dir: string, execRoot: string, id: string): ContainerPaths {
  return {
    dir,
    stateDir: join(execRoot, 'shims', id),
    bundle: join(execRoot, 'bundles', id),
    logPath: join(dir, `${id}-json.log`),
    hosts: join(dir, 'hosts'),
    hostname: join(dir, 'hostname'),
    resolvConf: join(dir, 'resolv.conf'),
  };
}

/** What the start sequence uses. */
export interface StartDeps {
  dataRoot: string;
  images: ImageSource;
  network: ContainerNetworking;
  volumes: ContainerVolumes;
  crun: CrunRuntime;
  log: Logger;
  initPath?: string;
  hostCaps?: readonly string[];
  logMaxSize?: number;
  logMaxFiles?: number;
  /** e.g. `/shoal/<id>` */
  cgroupPath: string;
  /** Pid of a running container's init, by reference (for --pid/--ipc container:X); throws when not running. */
  containerPid: (ref: string) => number;
  paths: ContainerPaths;
}

/** A started process. */
export interface StartedRun { pid: number; monitor: ShimClient; settings: NetworkSettings }

/** Run the start sequence (see the file comment). */
export async function startSequence(d: StartDeps, rec: ContainerRecord, waiting: PendingAttach[]): Promise<StartedRun> {
  const id = rec.Id;
  const p = d.paths;
  const hc = rec.HostConfig;
  const undo: Array<() => Promise<unknown>> = [];
  try {
    const plan = rec.MountSpecs ?? legacyPlan(hc);
    // The rootfs and the bundle do not need the network: prepare them while
    // the network attaches. Both undo steps are idempotent, so they are
    // registered before the work and run only after both settled.
    undo.push(() => unmountRootfs(d.dataRoot, id));
    // allSettled: a failing step must not leave a mount finishing after the undo.
    const local = Promise.allSettled([
      d.images.layerPaths(rec.Image).then((layers) => mountRootfs(d.dataRoot, id, layers)),
      mkdir(p.bundle, { recursive: true }),
      rm(p.stateDir, { recursive: true, force: true }),
    ]);
    const attaching = d.network.attach({
      containerId: id, name: rec.Name.slice(1), hostname: rec.Config.Hostname ?? id.slice(0, 12), domainname: rec.Config.Domainname,
      networkMode: hc.NetworkMode ?? 'bridge', endpoints: endpointRequestsOf(rec), portBindings: hc.PortBindings ?? {}, publishAllPorts: hc.PublishAllPorts === true,
      exposedPorts: rec.ExposedPorts, macAddress: rec.Config.MacAddress, dns: hc.Dns ?? undefined, dnsSearch: hc.DnsSearch ?? undefined,
      dnsOptions: hc.DnsOptions ?? undefined, extraHosts: hc.ExtraHosts ?? undefined,
    });
    const [localR, netR] = await Promise.allSettled([local, attaching]);
    if (netR.status === 'fulfilled') undo.push(() => d.network.detach(id));
    const localFailed = localR.status === 'fulfilled' ? localR.value.find((r) => r.status === 'rejected') : localR;
    if (localFailed !== undefined) throw (localFailed as PromiseRejectedResult).reason;
    if (netR.status === 'rejected') throw netR.reason;
    const net = netR.value;
    const first = localR.status === 'fulfilled' ? localR.value[0] : undefined;
    const rootfs = first?.status === 'fulfilled' ? first.value as string : '';
    // Volumes after the rootfs: an empty volume gets the image's content on the first start.
    const userMounts = await prepareMounts(d.volumes, id, plan, rootfs, rec.State.StartedAt.startsWith('0001'));
    undo.push(() => releaseMounts(d.volumes, id, plan));
    await Promise.all([writeFile(p.hosts, net.hosts), writeFile(p.hostname, net.hostnameFile), writeFile(p.resolvConf, net.resolvConf)]);
    const [passwd, group] = await Promise.all([
      readFile(join(rootfs, 'etc/passwd'), 'utf8').catch(() => null),
      readFile(join(rootfs, 'etc/group'), 'utf8').catch(() => null),
    ]);
    let user;
    try {
      user = resolveUser(rec.Config.User ?? '', passwd, group, hc.GroupAdd ?? []);
    } catch (e) {
      throw containerErrors.make('START_FAILED', `unable to find user ${rec.Config.User ?? ''}: ${(e as Error).message}`, { cause: e });
    }
    const cwd = rec.Config.WorkingDir !== undefined && rec.Config.WorkingDir !== '' ? rec.Config.WorkingDir : '/';
    if (cwd !== '/') await mkdir(join(rootfs, cwd), { recursive: true });
    const hostname = rec.Config.Hostname ?? id.slice(0, 12);
    const spec = generateSpec({
      id, hostConfig: hc, tty: rec.Config.Tty === true, openStdin: rec.Config.OpenStdin === true,
      argv: [rec.Path, ...rec.Args],
      env: buildEnv({ imageEnv: [], userEnv: rec.Config.Env, hostname, tty: rec.Config.Tty === true }),
      user, cwd, rootfsPath: rootfs, hostname,
      network: net.netnsPath === null ? (hc.NetworkMode === 'host' ? { kind: 'host' } : { kind: 'new' }) : { kind: 'path', path: net.netnsPath },
      cgroupsPath: d.cgroupPath,
      etcFiles: { hosts: p.hosts, hostname: p.hostname, resolvConf: p.resolvConf },
      initPath: hc.Init === true ? (d.initPath ?? '/usr/bin/tini-static') : undefined,
      userMounts,
      hostDevices: hc.Privileged === true ? await readHostDevices() : undefined,
      hostCaps: d.hostCaps,
      shareNs: shareNamespaces(hc, d.containerPid),
    });
    await writeFile(join(p.bundle, 'config.json'), JSON.stringify(spec));
    undo.push(() => d.crun.delete(id));
    const logOpts = hc.LogConfig?.Config ?? {};
    let created;
    try {
      created = await spawnShim({
        id, bundle: p.bundle, runtime: d.crun.bin, runtimeRoot: d.crun.root, stateDir: p.stateDir,
        logPath: p.logPath, logMaxSize: parseSize(logOpts['max-size']) ?? d.logMaxSize ?? 0,
        logMaxFiles: Number(logOpts['max-file'] ?? d.logMaxFiles ?? 1),
        tty: rec.Config.Tty === true, stdin: rec.Config.OpenStdin === true, stdinOnce: rec.Config.StdinOnce === true,
      });
    } catch (e) {
      throw mapCreateError(e);
    }
    const monitor = await ShimClient.connect(p.stateDir);
    monitor.hello({ stdin: false, stdout: false, stderr: false });
    undo.push(async () => { monitor.close(); });
    // Connect waiting attach clients before the process runs, so they see all output.
    await Promise.all(waiting.map(async (w) => {
      try {
        await attachStreams({ stateDir: p.stateDir, tty: rec.Config.Tty === true, opts: w.opts, conn: w.conn, stdinOnce: rec.Config.StdinOnce === true });
      } catch (e) {
        d.log.warn({ err: e, id }, 'attach before start failed');
        w.conn.destroy();
      }
      w.resolve();
    }));
    try {
      await d.crun.start(id);
    } catch (e) {
      throw containerErrors.make('START_FAILED', `failed to start container ${id}: ${(e as Error).message}`, { cause: e });
    }
    return { pid: created.pid, monitor, settings: net.settings };
  } catch (e) {
    for (const u of undo.reverse()) {
      await u().catch((err: unknown) => d.log.warn({ err, id }, 'undo after failed start'));
    }
    await rm(p.bundle, { recursive: true, force: true }).catch(() => undefined);
    for (const w of waiting) { w.conn.destroy(); w.resolve(); }
    throw e;
  }
}

/** Docker's log-opt sizes: `10m`, `1g`, `500k`, bytes. */
function parseSize(s: string | undefined): number | undefined {
  if (s === undefined || s === '') return undefined;
  const m = /^([0-9]+(?:\.[0-9]+)?)\s*([kmg]?)b?$/i.exec(s.trim());
  if (m === null) return undefined;
  const mult = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[(m[2] ?? '').toLowerCase() as '' | 'k' | 'm' | 'g'];
  return Math.floor(Number(m[1]) * mult);
}

/** crun create failures: "executable not found" maps to Docker's 400 so `docker run` exits 127 (126 for permission). */
function mapCreateError(e: unknown): Error {
  const msg = (e as Error).message ?? String(e);
  const low = msg.toLowerCase();
  if (low.includes('executable file') && low.includes('not found') || low.includes('no such file or directory') && low.includes('exec')) {
    const m = /`([^`]+)`/.exec(msg);
    const cmd = m?.[1] ?? '';
    return containerErrors.make('CMD_NOT_FOUND',
      `failed to create task for container: OCI runtime create failed: exec: "${cmd}": executable file not found in $PATH: unknown`, { cause: e, details: { crunError: msg } });
  }
  if (low.includes('permission denied')) {
    return containerErrors.make('CMD_NOT_FOUND', `failed to create task for container: OCI runtime create failed: ${msg}: permission denied: unknown`, { cause: e });
  }
  return containerErrors.make('START_FAILED', `failed to create task for container: OCI runtime create failed: ${msg}: unknown`, { cause: e });
}

/** --pid / --ipc / --uts as spec input: 'host', a /proc/<pid>/ns path of another container, or private. */
function shareNamespaces(hc: ContainerRecord['HostConfig'], containerPid: (ref: string) => number): { pid?: string; ipc?: string; uts?: string } {
  const out: { pid?: string; ipc?: string; uts?: string } = {};
  for (const [type, mode] of [['pid', hc.PidMode], ['ipc', hc.IpcMode], ['uts', hc.UTSMode]] as const) {
    if (mode === 'host') out[type] = 'host';
    else if (mode?.startsWith('container:') === true) out[type] = `/proc/${containerPid(mode.slice('container:'.length))}/ns/${type}`;
  }
  return out;
}
