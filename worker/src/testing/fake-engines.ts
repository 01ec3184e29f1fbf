/**
 * In-memory fakes of the engine contracts for the API tests (not exported
 * from the package). They keep just enough state to answer like the real
 * engine: codes and statuses of errors, waiters, an echoing attach/exec.
 */
import { Readable, type Duplex, type Writable } from 'node:stream';
import { containerErrors } from '../engine/containers/errors.js';
import { nameConflict } from '../engine/containers/container-index.js';
import { imageErrors } from '../engine/images/image-errors.js';
import { encodeFrame } from '@shoal/common';
import type {
  ContainerCreateBody, ContainerInspect, ContainerStats, ContainerSummary, ContainerWaitResponse, EngineEvent,
  ExecCreateBody, ExecInspect, Filters, ImageInspect, ImageSummary, NetworkResource, Volume, VolumeCreateBody,
} from '@shoal/common';
import type {
  AttachOptions, ContainerEngine, EventSource, ImageEngine, LogsOptions, NetworkEngine, VolumeEngine,
} from '../engine/api/engine-deps.js';
import { ANONYMOUS_LABEL, checkVolumeName, volumeErrors } from '../engine/volumes/index.js';
import type { SystemFacts, SystemInfo } from '../engine/api/system-facts.js';

// The fake answers with the real engines' error codes (their registries), never codes of its own.

/** A Docker stdcopy frame (@shoal/common's codec). */
export function frame(stream: 1 | 2, payload: Buffer | string): Buffer {
  return encodeFrame(stream, payload);
}

interface FakeContainer {
  id: string;
  name: string;
  body: ContainerCreateBody;
  status: 'created' | 'running' | 'exited' | 'paused';
  exitCode: number;
  waiters: Array<(r: ContainerWaitResponse) => void>;
}

/** The containers fake: echoing attach and exec. */
export class FakeContainerEngine implements ContainerEngine {
  readonly containers = new Map<string, FakeContainer>();
  readonly execs = new Map<string, { id: string; containerId: string; body: ExecCreateBody; running: boolean; exitCode: number | null }>();
  /** Calls seen, for assertions: [method, ...args]. */
  readonly calls: unknown[][] = [];
  /** Bytes written to stdin by attached clients, per container, and whether stdin ended. */
  readonly stdin = new Map<string, { data: string; ended: boolean }>();
  #seq = 0;

  #get(idOrName: string): FakeContainer {
    for (const c of this.containers.values()) {
      if (c.id === idOrName || c.name === idOrName || c.id.startsWith(idOrName)) return c;
    }
    throw containerErrors.make('NOT_FOUND', `No such container: ${idOrName}`);
  }

  #finish(c: FakeContainer, code: number): void {
    c.status = 'exited';
    c.exitCode = code;
    const ws = c.waiters;
    c.waiters = [];
    for (const w of ws) w({ StatusCode: code, Error: null });
  }

  async create(name: string | undefined, body: ContainerCreateBody): Promise<{ Id: string; Warnings: string[] }> {
    this.calls.push(['create', name, body]);
    const n = name ?? `fake_${this.#seq + 1}`;
    for (const c of this.containers.values()) {
      if (c.name === n) throw nameConflict(`/${n}`, c.id);
    }
    const id = (++this.#seq).toString(16).padStart(64, 'c');
    this.containers.set(id, { id, name: n, body, status: 'created', exitCode: 0, waiters: [] });
    return { Id: id, Warnings: [] };
  }

  async start(idOrName: string): Promise<void> {
    const c = this.#get(idOrName);
    if (c.status === 'running') throw containerErrors.make('ALREADY_STARTED', 'container already started');
    c.status = 'running';
  }

  async stop(idOrName: string, opts: { timeoutS?: number; signal?: string }): Promise<void> {
    this.calls.push(['stop', idOrName, opts]);
    const c = this.#get(idOrName);
    if (c.status !== 'running') throw containerErrors.make('ALREADY_STOPPED', 'container already stopped');
    this.#finish(c, 143);
  }

  async restart(idOrName: string, opts: { timeoutS?: number; signal?: string }): Promise<void> {
    this.calls.push(['restart', idOrName, opts]);
    this.#get(idOrName).status = 'running';
  }

  async kill(idOrName: string, signal?: string): Promise<void> {
    this.calls.push(['kill', idOrName, signal]);
    const c = this.#get(idOrName);
    if (c.status !== 'running') throw containerErrors.make('NOT_RUNNING', `Container ${c.id} is not running`);
    this.#finish(c, 137);
  }

  async pause(idOrName: string): Promise<void> {
    const c = this.#get(idOrName);
    if (c.status === 'paused') throw containerErrors.make('PAUSED', `Container ${c.id} is already paused`);
    if (c.status !== 'running') throw containerErrors.make('NOT_RUNNING', `Container ${c.id} is not running`);
    c.status = 'paused';
  }

  async unpause(idOrName: string): Promise<void> {
    const c = this.#get(idOrName);
    if (c.status !== 'paused') throw containerErrors.make('NOT_PAUSED', `Container ${c.id} is not paused`);
    c.status = 'running';
  }

  async remove(idOrName: string, opts: { force?: boolean; volumes?: boolean }): Promise<void> {
    this.calls.push(['remove', idOrName, opts]);
    const c = this.#get(idOrName);
    if (c.status === 'running' && opts.force !== true) {
      throw containerErrors.make('IS_RUNNING', `You cannot remove a running container ${c.id}. Stop the container before attempting removal or force remove`);
    }
    this.containers.delete(c.id);
  }

  async wait(idOrName: string, condition: 'not-running' | 'next-exit' | 'removed', signal?: AbortSignal): Promise<ContainerWaitResponse> {
    this.calls.push(['wait', idOrName, condition]);
    const c = this.#get(idOrName);
    if (condition === 'not-running' && c.status !== 'running') return { StatusCode: c.exitCode, Error: null };
    return new Promise((resolve, reject) => {
      c.waiters.push(resolve);
      signal?.addEventListener('abort', () => { reject(new Error('wait aborted')); }, { once: true });
    });
  }

  async rename(idOrName: string, newName: string): Promise<void> {
    const c = this.#get(idOrName);
    const n = newName.replace(/^\//, '');
    for (const o of this.containers.values()) if (o.name === n && o !== c) throw nameConflict(`/${n}`, o.id);
    c.name = n;
  }
  async update(idOrName: string): Promise<{ Warnings: string[] }> { this.#get(idOrName); return { Warnings: [] }; }

  /** Networks each container was connected to with `network connect` (no network is checked). */
  readonly connected = new Map<string, Set<string>>();

  async connectNetwork(idOrName: string, network: string): Promise<void> {
    const c = this.#get(idOrName);
    const nets = this.connected.get(c.id) ?? new Set<string>();
    if (nets.has(network)) throw containerErrors.make('NETWORK_CONFLICT', `endpoint with name ${c.name} already exists in network ${network}`);
    this.connected.set(c.id, nets.add(network));
  }

  async disconnectNetwork(idOrName: string, network: string): Promise<void> {
    const c = this.#get(idOrName);
    if (this.connected.get(c.id)?.delete(network) !== true) throw containerErrors.make('NETWORK_CONFLICT', `container ${c.id} is not connected to network ${network}`);
  }

  async inspect(idOrName: string): Promise<ContainerInspect> {
    const c = this.#get(idOrName);
    return {
      Id: c.id, Created: '2026-01-01T00:00:00Z', Path: c.body.Cmd?.[0] ?? '', Args: c.body.Cmd?.slice(1) ?? [],
      State: {
        Status: c.status, Running: c.status === 'running', Paused: c.status === 'paused', Restarting: false, OOMKilled: false,
        Dead: false, Pid: 0, ExitCode: c.exitCode, Error: '', StartedAt: '', FinishedAt: '',
      },
      Image: c.body.Image ?? '', ResolvConfPath: '', HostnamePath: '', HostsPath: '', LogPath: '', Name: `/${c.name}`,
      RestartCount: 0, Driver: 'overlay2', Platform: 'linux', MountLabel: '', ProcessLabel: '', AppArmorProfile: '',
      ExecIDs: null, HostConfig: c.body.HostConfig ?? {}, GraphDriver: { Name: 'overlay2', Data: {} }, Mounts: [],
      Config: { ...c.body, Tty: c.body.Tty ?? false },
      NetworkSettings: { Bridge: '', SandboxID: '', SandboxKey: '', Ports: {}, Gateway: '', IPAddress: '', IPPrefixLen: 0, MacAddress: '', Networks: {} },
    };
  }

  async list(opts: { all?: boolean; limit?: number; size?: boolean; filters?: Filters }): Promise<ContainerSummary[]> {
    this.calls.push(['list', opts]);
    const out: ContainerSummary[] = [];
    for (const c of this.containers.values()) {
      if (opts.all !== true && c.status !== 'running') continue;
      const status = opts.filters?.status;
      if (status !== undefined && !status.includes(c.status)) continue;
      out.push({
        Id: c.id, Names: [`/${c.name}`], Image: c.body.Image ?? '', ImageID: '', Command: (c.body.Cmd ?? []).join(' '),
        Created: 1_700_000_000, Ports: [], Labels: c.body.Labels ?? {}, State: c.status, Status: c.status,
        HostConfig: { NetworkMode: 'bridge' }, NetworkSettings: { Networks: {} }, Mounts: [],
      });
    }
    return opts.limit !== undefined ? out.slice(0, opts.limit) : out;
  }

  async top(idOrName: string): Promise<{ Titles: string[]; Processes: string[][] }> {
    this.#get(idOrName);
    return { Titles: ['PID', 'CMD'], Processes: [['1', 'sh']] };
  }

  async *stats(idOrName: string, opts: { stream: boolean }, signal?: AbortSignal): AsyncIterable<ContainerStats> {
    const c = this.#get(idOrName);
    for (let i = 0; ; i++) {
      yield {
        name: `/${c.name}`, id: c.id, read: `2026-01-01T00:00:0${i % 10}Z`, preread: '', pids_stats: { current: 1 }, num_procs: 0,
        cpu_stats: { cpu_usage: { total_usage: i, usage_in_kernelmode: 0, usage_in_usermode: 0 }, throttling_data: { periods: 0, throttled_periods: 0, throttled_time: 0 } },
        precpu_stats: { cpu_usage: { total_usage: 0, usage_in_kernelmode: 0, usage_in_usermode: 0 }, throttling_data: { periods: 0, throttled_periods: 0, throttled_time: 0 } },
        memory_stats: { usage: 1024 }, blkio_stats: {}, storage_stats: {},
      };
      if (!opts.stream || signal?.aborted === true || i >= 2) return;
    }
  }

  async logs(idOrName: string, opts: LogsOptions): Promise<{ tty: boolean; stream: Readable }> {
    this.calls.push(['logs', idOrName, opts]);
    const c = this.#get(idOrName);
    const tty = c.body.Tty === true;
    const chunks = [tty ? Buffer.from('hello\n') : frame(1, 'hello\n'), tty ? Buffer.from('oops\n') : frame(2, 'oops\n')];
    return { tty, stream: Readable.from(chunks) };
  }

  /** Echo: every stdin chunk comes back on stdout (framed unless tty/raw); stdin end -> "bye" and close. */
  #echo(conn: Duplex, key: string, framed: boolean): void {
    const seen = { data: '', ended: false };
    this.stdin.set(key, seen);
    conn.on('data', (b: Buffer) => {
      seen.data += b.toString();
      conn.write(framed ? frame(1, b) : b);
    });
    conn.on('end', () => {
      seen.ended = true;
      conn.end(framed ? frame(2, 'bye\n') : 'bye\n');
    });
    conn.on('error', () => { /* client went away */ });
  }

  async attach(idOrName: string, opts: AttachOptions, conn: Duplex): Promise<void> {
    this.calls.push(['attach', idOrName, opts]);
    const c = this.#get(idOrName);
    if (c.status === 'paused') throw containerErrors.make('PAUSED', 'You cannot attach to a paused container, unpause it first');
    this.#echo(conn, c.id, c.body.Tty !== true && opts.raw !== true);
  }

  async resize(idOrName: string, h: number, w: number): Promise<void> { this.calls.push(['resize', idOrName, h, w]); this.#get(idOrName); }

  async prune(): Promise<{ ContainersDeleted: string[] | null; SpaceReclaimed: number }> {
    const deleted = [...this.containers.values()].filter((c) => c.status === 'exited').map((c) => c.id);
    for (const id of deleted) this.containers.delete(id);
    return { ContainersDeleted: deleted.length > 0 ? deleted : null, SpaceReclaimed: 0 };
  }

  async execCreate(idOrName: string, body: ExecCreateBody): Promise<{ Id: string }> {
    const c = this.#get(idOrName);
    const id = (++this.#seq).toString(16).padStart(64, 'e');
    this.execs.set(id, { id, containerId: c.id, body, running: false, exitCode: null });
    return { Id: id };
  }

  async execStart(execId: string, opts: { detach?: boolean; tty?: boolean }, conn?: Duplex): Promise<void> {
    this.calls.push(['execStart', execId, opts]);
    const e = this.execs.get(execId);
    if (e === undefined) throw containerErrors.make('EXEC_NOT_FOUND', `No such exec instance: ${execId}`);
    e.running = true;
    if (conn !== undefined) this.#echo(conn, execId, opts.tty !== true);
  }

  async execResize(execId: string): Promise<void> {
    if (!this.execs.has(execId)) throw containerErrors.make('EXEC_NOT_FOUND', `No such exec instance: ${execId}`);
  }

  async execInspect(execId: string): Promise<ExecInspect> {
    const e = this.execs.get(execId);
    if (e === undefined) throw containerErrors.make('EXEC_NOT_FOUND', `No such exec instance: ${execId}`);
    return {
      CanRemove: false, DetachKeys: '', ID: e.id, Running: e.running, ExitCode: e.exitCode,
      ProcessConfig: { privileged: false, user: '', tty: e.body.Tty === true, entrypoint: e.body.Cmd[0] ?? '', arguments: e.body.Cmd.slice(1) },
      OpenStdin: e.body.AttachStdin === true, OpenStderr: true, OpenStdout: true, ContainerID: e.containerId, Pid: 0,
    };
  }

  counts(): { total: number; running: number; paused: number; stopped: number } {
    const all = [...this.containers.values()];
    return {
      total: all.length,
      running: all.filter((c) => c.status === 'running').length,
      paused: all.filter((c) => c.status === 'paused').length,
      stopped: all.filter((c) => c.status === 'exited' || c.status === 'created').length,
    };
  }
}

/** The images fake: images are records keyed by reference. */
export class FakeImageEngine implements ImageEngine {
  readonly images = new Map<string, { id: string; tags: string[] }>();
  readonly imported: Array<{ bytes: number; opts: unknown }> = [];

  #find(ref: string): { id: string; tags: string[] } {
    for (const img of this.images.values()) {
      if (img.id === ref || img.tags.includes(ref) || img.tags.includes(`${ref}:latest`)) return img;
    }
    throw imageErrors.make('NOT_FOUND', `No such image: ${ref}`);
  }

  async list(): Promise<ImageSummary[]> {
    return [...this.images.values()].map((i) => ({
      Id: i.id, ParentId: '', RepoTags: i.tags, RepoDigests: [], Created: 1_700_000_000, Size: 1000, SharedSize: -1, Labels: {}, Containers: -1,
    }));
  }

  async inspect(ref: string): Promise<ImageInspect> {
    const i = this.#find(ref);
    return {
      Id: i.id, RepoTags: i.tags, RepoDigests: [], Parent: '', Comment: '', Created: '2026-01-01T00:00:00Z', DockerVersion: '',
      Author: '', Config: {}, Architecture: 'amd64', Os: 'linux', Size: 1000, GraphDriver: { Name: 'overlay2', Data: null },
      RootFS: { Type: 'layers', Layers: [] }, Metadata: { LastTagTime: '' },
    };
  }

  async history(ref: string): Promise<Array<{ Id: string; Created: number; CreatedBy: string; Tags: string[] | null; Size: number; Comment: string }>> {
    const i = this.#find(ref);
    return [{ Id: i.id, Created: 0, CreatedBy: 'import', Tags: i.tags, Size: 1000, Comment: '' }];
  }

  async tag(ref: string, repo: string, tag?: string): Promise<void> {
    this.#find(ref).tags.push(`${repo}:${tag ?? 'latest'}`);
  }

  async remove(ref: string): Promise<Array<{ Untagged?: string; Deleted?: string }>> {
    const i = this.#find(ref);
    this.images.delete(i.id);
    return [...i.tags.map((t) => ({ Untagged: t })), { Deleted: i.id }];
  }

  async prune(): Promise<{ ImagesDeleted: null; SpaceReclaimed: number }> { return { ImagesDeleted: null, SpaceReclaimed: 0 }; }

  async importRootfs(tar: Readable, opts: { repo?: string; tag?: string }): Promise<string> {
    let bytes = 0;
    for await (const chunk of tar) bytes += (chunk as Buffer).length;
    const id = `sha256:${bytes.toString(16).padStart(64, '0')}`;
    this.imported.push({ bytes, opts });
    this.images.set(id, { id, tags: opts.repo !== undefined ? [`${opts.repo}:${opts.tag ?? 'latest'}`] : [] });
    return id;
  }

  async load(tar: Readable): Promise<Array<{ stream?: string; error?: string }>> {
    let bytes = 0;
    for await (const chunk of tar) bytes += (chunk as Buffer).length;
    return [{ stream: `Loaded image: fake:${bytes}\n` }];
  }

  async save(refs: string[], out: Writable): Promise<void> {
    const found = refs.map((r) => this.#find(r));
    for (const i of found) out.write(Buffer.from(`TAR:${i.id}\n`));
    out.end();
  }

  counts(): { images: number } { return { images: this.images.size }; }

  /** Every image counts 1,000 bytes of layers, none shared. */
  diskUsage(): { layersSize: number; sharedSize: Record<string, number> } {
    return { layersSize: this.images.size * 1000, sharedSize: Object.fromEntries([...this.images.keys()].map((id) => [id, 0])) };
  }
}

/** The networks fake: bridge, host and none, plus created ones (no kernel, no addresses). */
export class FakeNetworkEngine implements NetworkEngine {
  readonly networks: NetworkResource[] = ['bridge', 'host', 'none'].map((name, i) => ({
    Name: name, Id: String(i + 1).padStart(64, 'n'), Created: '2026-01-01T00:00:00Z', Scope: 'local', Driver: name === 'none' ? 'null' : name,
    EnableIPv6: false, IPAM: { Driver: 'default', Options: null, Config: [] }, Internal: false, Attachable: false, Ingress: false,
    ConfigFrom: { Network: '' }, ConfigOnly: false, Containers: {}, Options: {}, Labels: {},
  }));

  async list(filters?: Filters): Promise<NetworkResource[]> {
    const names = filters?.name;
    return names === undefined ? this.networks : this.networks.filter((n) => names.includes(n.Name));
  }

  async inspect(idOrName: string): Promise<NetworkResource> {
    const n = this.networks.find((x) => x.Name === idOrName || x.Id.startsWith(idOrName));
    if (n === undefined) throw containerErrors.make('NOT_FOUND', `network ${idOrName} not found`);
    return n;
  }

  async create(body: { Name: string; Driver?: string; Labels?: Record<string, string> | null }): Promise<{ Id: string; Warning: string }> {
    if (this.networks.some((n) => n.Name === body.Name)) throw containerErrors.make('NAME_CONFLICT', `network with name ${body.Name} already exists`);
    const base = this.networks[0];
    if (base === undefined) throw new Error('the fake lost its bridge');
    const id = String(this.networks.length + 1).padStart(64, 'u');
    this.networks.push({ ...base, Name: body.Name, Id: id, Driver: body.Driver ?? 'bridge', Labels: { ...(body.Labels ?? {}) }, Containers: {} });
    return { Id: id, Warning: '' };
  }

  async remove(idOrName: string): Promise<void> {
    const n = await this.inspect(idOrName);
    if (['bridge', 'host', 'none'].includes(n.Name)) throw containerErrors.make('INVALID_CONFIG', `${n.Name} is a pre-defined network and cannot be removed`);
    this.networks.splice(this.networks.indexOf(n), 1);
  }

  async prune(): Promise<{ NetworksDeleted: string[] }> {
    const gone = this.networks.filter((n) => !['bridge', 'host', 'none'].includes(n.Name) && Object.keys(n.Containers).length === 0);
    for (const n of gone) this.networks.splice(this.networks.indexOf(n), 1);
    return { NetworksDeleted: gone.map((n) => n.Name) };
  }
}

/** The volumes fake: an in-memory store with the real names rule and errors; `inUse` marks referenced volumes. */
export class FakeVolumeEngine implements VolumeEngine {
  readonly volumes = new Map<string, Volume>();
  readonly inUse = new Set<string>();

  async create(req: VolumeCreateBody): Promise<Volume> {
    const name = req.Name ?? `${this.volumes.size + 1}`.padStart(64, 'v');
    checkVolumeName(name);
    const v: Volume = {
      Name: name, Driver: req.Driver ?? 'local', Mountpoint: `/var/lib/shoal/volumes/${name}/_data`, CreatedAt: '2026-01-01T00:00:00Z',
      Labels: req.Labels ?? {}, Scope: 'local', Options: req.DriverOpts ?? null,
    };
    this.volumes.set(name, this.volumes.get(name) ?? v);
    return this.volumes.get(name) ?? v;
  }

  async inspect(name: string): Promise<Volume> {
    const v = this.volumes.get(name);
    if (v === undefined) throw volumeErrors.make('NOT_FOUND', `get ${name}: no such volume`);
    return v;
  }

  async usage(): Promise<Volume[]> {
    return [...this.volumes.values()].map((v) => ({ ...v, UsageData: { Size: 0, RefCount: this.inUse.has(v.Name) ? 1 : 0 } }));
  }

  async list(): Promise<{ Volumes: Volume[]; Warnings: string[] }> {
    return { Volumes: [...this.volumes.values()], Warnings: [] };
  }

  async remove(name: string, opts: { force?: boolean } = {}): Promise<void> {
    if (!this.volumes.has(name)) {
      if (opts.force === true) return;
      throw volumeErrors.make('NOT_FOUND', `get ${name}: no such volume`);
    }
    if (this.inUse.has(name)) throw volumeErrors.make('IN_USE', `remove ${name}: volume is in use - [c1]`);
    this.volumes.delete(name);
  }

  async prune(_filters?: Filters, prunesAll = false): Promise<{ VolumesDeleted: string[]; SpaceReclaimed: number }> {
    const gone = [...this.volumes.keys()].filter((n) => !this.inUse.has(n) && (prunesAll || Object.hasOwn(this.volumes.get(n)?.Labels ?? {}, ANONYMOUS_LABEL)));
    for (const n of gone) this.volumes.delete(n);
    return { VolumesDeleted: gone, SpaceReclaimed: 0 };
  }
}

/** An event source that replays a fixed list (live: nothing), for plugin tests. */
export class FakeEventSource implements EventSource {
  constructor(readonly events: EngineEvent[] = []) {}

  subscribe(opts: { since?: number; until?: number; filters?: Filters }): AsyncIterable<EngineEvent> {
    if (opts.filters !== undefined && Object.keys(opts.filters).some((k) => k === 'bogus')) {
      throw containerErrors.make('INVALID_FILTER', "invalid filter 'bogus'");
    }
    const list = this.events;
    return (async function* () { yield* list; })();
  }
}

/** Fixed host facts. */
export const fakeFacts: SystemFacts = {
  id: 'FAKE:ID', name: 'fakehost', version: '0.1.0', gitCommit: 'abcdef0', buildTime: '2026-01-01T00:00:00Z',
  kernelVersion: '6.1.0-test', operatingSystem: 'Debian GNU/Linux 12 (bookworm)', osVersion: '12', architecture: 'x86_64', arch: 'amd64',
  runtimeVersion: 'node v20', ncpu: 2, memTotal: 4 * 1024 ** 3, dockerRootDir: '/var/lib/shoal', driverStatus: [['Backing Filesystem', 'extfs']], cgroupDriver: 'cgroupfs', cgroupVersion: '1',
  runtimes: { crun: { path: '/usr/bin/crun' } }, defaultRuntime: 'crun', liveRestore: true, securityOptions: ['name=seccomp,profile=builtin'],
  loggingDriver: 'json-file', labels: [], experimental: false, debug: false, httpProxy: '', httpsProxy: '', noProxy: '',
  insecureRegistries: ['127.0.0.0/8'], defaultAddressPools: [], memoryLimit: true, swapLimit: false, cpuCfsPeriod: true, cpuCfsQuota: true,
  cpuShares: true, cpuSet: true, pidsLimit: true, oomKillDisable: true, ipv4Forwarding: true, bridgeNfIptables: false, bridgeNfIp6tables: false,
  warnings: [],
};

/** Fakes wired together, ready for buildApp. */
export function fakeDeps(): {
  containers: FakeContainerEngine; images: FakeImageEngine; networks: FakeNetworkEngine; volumes: FakeVolumeEngine; events: FakeEventSource; system: SystemInfo;
} {
  return {
    containers: new FakeContainerEngine(),
    images: new FakeImageEngine(),
    networks: new FakeNetworkEngine(),
    volumes: new FakeVolumeEngine(),
    events: new FakeEventSource(),
    system: { facts: fakeFacts, openFds: () => 7 },
  };
}
