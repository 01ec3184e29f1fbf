/**
 * OCI runtime spec (config.json) generation as Docker does it: a pure
 * function of the container's config, the resolved process identity and
 * host facts. No I/O; the bundle writer puts the result on disk.
 */
import type { HostConfig } from '@shoal/common';
import { computeCaps } from './capabilities.js';
import { defaultSeccompProfile, type OciSeccomp } from './seccomp-default.js';
import type { ResolvedUser } from './user-lookup.js';
import { runtimeErrors } from './errors.js';

/** An OCI mount. */
export interface OciMount { destination: string; type: string; source: string; options?: string[] }

/** The subset of the OCI spec we produce. */
export interface OciSpec {
  ociVersion: string;
  process: {
    terminal: boolean;
    user: { uid: number; gid: number; additionalGids: number[] };
    args: string[];
    env: string[];
    cwd: string;
    capabilities: { bounding: string[]; effective: string[]; permitted: string[] };
    rlimits?: Array<{ type: string; hard: number; soft: number }>;
    noNewPrivileges: boolean;
    oomScoreAdj?: number;
  };
  root: { path: string; readonly: boolean };
  /** Absent when the UTS namespace is shared (the runtime cannot set it then). */
  hostname?: string;
  mounts: OciMount[];
  linux: {
    namespaces: Array<{ type: string; path?: string }>;
    cgroupsPath: string;
    resources: OciResources;
    devices: OciDevice[];
    sysctl?: Record<string, string>;
    maskedPaths: string[];
    readonlyPaths: string[];
    seccomp?: OciSeccomp;
  };
}

/** linux.resources */
export interface OciResources {
  devices: Array<{ allow: boolean; type?: string; major?: number; minor?: number; access: string }>;
  memory?: { limit?: number; swap?: number; reservation?: number; disableOOMKiller?: boolean };
  cpu?: { shares?: number; quota?: number; period?: number; cpus?: string };
  pids?: { limit: number };
}

/** linux.devices entry */
export interface OciDevice { path: string; type: string; major: number; minor: number; fileMode: number; uid: number; gid: number }

/**
 * A bind or tmpfs mount already validated by the container layer (a volume
 * is a bind of its directory). `options`: tmpfs mount options; `propagation`
 * of a bind (default rprivate).
 */
export interface UserMount { type: 'bind' | 'tmpfs'; source: string; destination: string; readOnly: boolean; options?: string[]; propagation?: string }

/** Everything the spec depends on. */
export interface SpecInput {
  /** Container id (64 hex). */
  id: string;
  hostConfig: HostConfig;
  tty: boolean;
  openStdin: boolean;
  argv: string[];
  /** Final env (image env + defaults + user env), see {@link buildEnv}. */
  env: string[];
  user: ResolvedUser;
  cwd: string;
  rootfsPath: string;
  hostname: string;
  /** 'host': share the host's; 'new': a fresh one (network none); else a netns path to join. */
  network: { kind: 'host' } | { kind: 'new' } | { kind: 'path'; path: string };
  /**
   * pid / ipc / uts sharing (--pid, --ipc, --uts): omitted = a private
   * namespace; 'host' = the host's (no namespace); a path = join another
   * container's (/proc/<pid>/ns/<type>).
   */
  shareNs?: { pid?: 'host' | string; ipc?: 'host' | string; uts?: 'host' | string };
  /** Absolute cgroups path, e.g. `/shoal/<id>`. */
  cgroupsPath: string;
  /** Generated /etc files to bind-mount. */
  etcFiles: { hosts: string; hostname: string; resolvConf: string };
  /** Host path of a static init (tini) when HostConfig.Init. */
  initPath?: string;
  userMounts: UserMount[];
  /** The daemon's bounding capabilities ("all" for --privileged / --cap-add ALL). Default ALL_CAPS. */
  hostCaps?: readonly string[];
  /** Host devices for --privileged (path, type, major, minor, mode). */
  hostDevices?: OciDevice[];
}

/** Docker's masked paths. */
export const MASKED_PATHS: readonly string[] = [
  '/proc/asound', '/proc/acpi', '/proc/kcore', '/proc/keys', '/proc/latency_stats', '/proc/timer_list',
  '/proc/timer_stats', '/proc/sched_debug', '/proc/scsi', '/sys/firmware', '/sys/devices/virtual/powercap',
];
/** Docker's read-only paths. */
export const READONLY_PATHS: readonly string[] = ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'];

/** Where Docker puts its init in the container. */
export const INIT_PATH_IN_CONTAINER = '/sbin/docker-init';

/** Default /dev/shm size (64 MiB). */
export const DEFAULT_SHM_SIZE = 64 * 1024 * 1024;

const dev = (path: string, major: number, minor: number, fileMode = 0o666): OciDevice => ({ path, type: 'c', major, minor, fileMode, uid: 0, gid: 0 });

/** The default devices of every container. */
export const DEFAULT_DEVICES: readonly OciDevice[] = [
  dev('/dev/null', 1, 3), dev('/dev/zero', 1, 5), dev('/dev/full', 1, 7),
  dev('/dev/random', 1, 8), dev('/dev/urandom', 1, 9), dev('/dev/tty', 5, 0),
];

/** Docker's devices cgroup allow list. */
export const DEFAULT_DEVICE_RULES: OciResources['devices'] = [
  { allow: false, access: 'rwm' },
  { allow: true, type: 'c', major: 1, minor: 5, access: 'rwm' },
  { allow: true, type: 'c', major: 1, minor: 3, access: 'rwm' },
  { allow: true, type: 'c', major: 1, minor: 9, access: 'rwm' },
  { allow: true, type: 'c', major: 1, minor: 8, access: 'rwm' },
  { allow: true, type: 'c', major: 5, minor: 0, access: 'rwm' },
  { allow: true, type: 'c', major: 5, minor: 1, access: 'rwm' },
  { allow: true, type: 'c', major: 1, minor: 7, access: 'rwm' },
  { allow: true, type: 'c', major: 136, access: 'rwm' },
  { allow: true, type: 'c', major: 5, minor: 2, access: 'rwm' },
  { allow: true, type: 'c', major: 10, minor: 200, access: 'rwm' },
  { allow: true, type: 'c', access: 'm' },
  { allow: true, type: 'b', access: 'm' },
];

const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/**
 * The container env as Docker builds it: PATH default (unless the image or
 * user sets it), HOSTNAME, TERM=xterm with a tty, then image env, then user
 * env; later keys override earlier ones, order of first appearance kept.
 */
export function buildEnv(opts: { imageEnv?: string[] | null; userEnv?: string[] | null; hostname: string; tty: boolean }): string[] {
  const map = new Map<string, string>();
  const put = (kv: string): void => {
    const i = kv.indexOf('=');
    if (i < 0) return; // Docker drops `-e NAME` with no value when NAME is unset in the client
    map.set(kv.slice(0, i), kv);
  };
  put(`PATH=${DEFAULT_PATH}`);
  put(`HOSTNAME=${opts.hostname}`);
  if (opts.tty) put('TERM=xterm');
  for (const kv of opts.imageEnv ?? []) put(kv);
  for (const kv of opts.userEnv ?? []) put(kv);
  return [...map.values()];
}

/** Parse Docker's memory-ish size strings are done by clients; here we get numbers. */
function memoryResources(hc: HostConfig): OciResources['memory'] {
  const m: NonNullable<OciResources['memory']> = {};
  const mem = hc.Memory ?? 0;
  if (mem > 0) {
    m.limit = mem;
    const swap = hc.MemorySwap ?? 0;
    if (swap > 0) m.swap = swap;
    else if (swap === 0) m.swap = mem * 2;
    // swap -1: unlimited swap, leave unset
  }
  if ((hc.MemoryReservation ?? 0) > 0) m.reservation = hc.MemoryReservation;
  if (hc.OomKillDisable === true) m.disableOOMKiller = true;
  return Object.keys(m).length === 0 ? undefined : m;
}

/** linux.resources from a HostConfig (also used by update). */
export function buildResources(hc: HostConfig, privileged = false): OciResources {
  const r: OciResources = { devices: privileged ? [{ allow: true, access: 'rwm' }] : DEFAULT_DEVICE_RULES.map((d) => ({ ...d })) };
  const mem = memoryResources(hc);
  if (mem !== undefined) r.memory = mem;
  const cpu: NonNullable<OciResources['cpu']> = {};
  if ((hc.CpuShares ?? 0) > 0) cpu.shares = hc.CpuShares;
  if ((hc.NanoCpus ?? 0) > 0) {
    cpu.period = 100_000;
    cpu.quota = Math.round(((hc.NanoCpus ?? 0) * 100_000) / 1e9);
  } else {
    if ((hc.CpuPeriod ?? 0) > 0) cpu.period = hc.CpuPeriod;
    if ((hc.CpuQuota ?? 0) > 0) cpu.quota = hc.CpuQuota;
  }
  if (hc.CpusetCpus !== undefined && hc.CpusetCpus !== '') cpu.cpus = hc.CpusetCpus;
  if (Object.keys(cpu).length > 0) r.cpu = cpu;
  if (hc.PidsLimit != null && hc.PidsLimit > 0) r.pids = { limit: hc.PidsLimit };
  return r;
}

const RLIMITS: Record<string, string> = {
  core: 'RLIMIT_CORE', cpu: 'RLIMIT_CPU', data: 'RLIMIT_DATA', fsize: 'RLIMIT_FSIZE', locks: 'RLIMIT_LOCKS',
  memlock: 'RLIMIT_MEMLOCK', msgqueue: 'RLIMIT_MSGQUEUE', nice: 'RLIMIT_NICE', nofile: 'RLIMIT_NOFILE',
  nproc: 'RLIMIT_NPROC', rss: 'RLIMIT_RSS', rtprio: 'RLIMIT_RTPRIO', rttime: 'RLIMIT_RTTIME',
  sigpending: 'RLIMIT_SIGPENDING', stack: 'RLIMIT_STACK', as: 'RLIMIT_AS',
};

/** `nofile` -> `RLIMIT_NOFILE`; throws on unknown names. */
export function rlimitType(name: string): string {
  const t = RLIMITS[name.toLowerCase()];
  if (t === undefined) throw runtimeErrors.make('INVALID_SPEC', `invalid ulimit type: ${name}`);
  return t;
}

/** Generate config.json. */
export function generateSpec(input: SpecInput): OciSpec {
  const hc = input.hostConfig;
  const privileged = hc.Privileged === true;
  const caps = computeCaps({ privileged, add: hc.CapAdd, drop: hc.CapDrop, available: input.hostCaps });
  const shmSize = hc.ShmSize !== undefined && hc.ShmSize > 0 ? hc.ShmSize : DEFAULT_SHM_SIZE;
  const ro = hc.ReadonlyRootfs === true;

  const mounts: OciMount[] = [
    { destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid', 'noexec', 'nodev'] },
    { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
    { destination: '/dev/pts', type: 'devpts', source: 'devpts', options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'] },
    { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', privileged ? 'rw' : 'ro'] },
    { destination: '/sys/fs/cgroup', type: 'cgroup', source: 'cgroup', options: ['nosuid', 'noexec', 'nodev', 'relatime', privileged ? 'rw' : 'ro'] },
    { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
    { destination: '/dev/shm', type: 'tmpfs', source: 'shm', options: ['nosuid', 'noexec', 'nodev', 'mode=1777', `size=${shmSize}`] },
  ];
  const etcOpts = ['rbind', 'rprivate', ro ? 'ro' : 'rw'];
  const userDests = new Set(input.userMounts.map((m) => m.destination));
  if (!userDests.has('/etc/resolv.conf')) mounts.push({ destination: '/etc/resolv.conf', type: 'bind', source: input.etcFiles.resolvConf, options: etcOpts });
  if (!userDests.has('/etc/hostname')) mounts.push({ destination: '/etc/hostname', type: 'bind', source: input.etcFiles.hostname, options: etcOpts });
  if (!userDests.has('/etc/hosts')) mounts.push({ destination: '/etc/hosts', type: 'bind', source: input.etcFiles.hosts, options: etcOpts });
  for (const m of input.userMounts) {
    if (m.type === 'bind') {
      mounts.push({ destination: m.destination, type: 'bind', source: m.source, options: ['rbind', m.propagation ?? 'rprivate', m.readOnly ? 'ro' : 'rw'] });
    } else {
      mounts.push({ destination: m.destination, type: 'tmpfs', source: 'tmpfs', options: [...(m.options ?? ['noexec', 'nosuid', 'nodev']), ...(m.readOnly ? ['ro'] : [])] });
    }
  }
  let args = input.argv;
  if (input.initPath !== undefined) {
    mounts.push({ destination: INIT_PATH_IN_CONTAINER, type: 'bind', source: input.initPath, options: ['bind', 'ro'] });
    args = [INIT_PATH_IN_CONTAINER, '--', ...input.argv];
  }

  const namespaces: Array<{ type: string; path?: string }> = [];
  for (const type of ['pid', 'ipc', 'uts'] as const) {
    const share = input.shareNs?.[type];
    if (share === undefined) namespaces.push({ type });
    else if (share !== 'host') namespaces.push({ type, path: share });
  }
  namespaces.push({ type: 'mount' }, { type: 'cgroup' });
  if (input.network.kind === 'new') namespaces.push({ type: 'network' });
  else if (input.network.kind === 'path') namespaces.push({ type: 'network', path: input.network.path });

  const rlimits = (hc.Ulimits ?? []).map((u) => ({ type: rlimitType(u.Name), hard: u.Hard, soft: u.Soft }));
  const devices = [...DEFAULT_DEVICES];
  if (privileged) for (const d of input.hostDevices ?? []) if (!devices.some((x) => x.path === d.path)) devices.push(d);

  const spec: OciSpec = {
    ociVersion: '1.0.2',
    process: {
      terminal: input.tty,
      user: { uid: input.user.uid, gid: input.user.gid, additionalGids: input.user.additionalGids },
      args,
      env: input.env,
      cwd: input.cwd,
      capabilities: { bounding: caps, effective: caps, permitted: caps },
      noNewPrivileges: (hc.SecurityOpt ?? []).some((o) => o === 'no-new-privileges' || o === 'no-new-privileges:true' || o === 'no-new-privileges=true'),
    },
    root: { path: input.rootfsPath, readonly: ro },
    hostname: input.hostname,
    mounts,
    linux: {
      namespaces,
      cgroupsPath: input.cgroupsPath,
      resources: buildResources(hc, privileged),
      devices,
      maskedPaths: privileged ? [] : [...(hc.MaskedPaths ?? MASKED_PATHS)],
      readonlyPaths: privileged ? [] : [...(hc.ReadonlyPaths ?? READONLY_PATHS)],
    },
  };
  if (input.shareNs?.uts !== undefined) delete spec.hostname;
  if (rlimits.length > 0) spec.process.rlimits = rlimits;
  if (hc.OomScoreAdj !== undefined && hc.OomScoreAdj !== 0) spec.process.oomScoreAdj = hc.OomScoreAdj;
  if (hc.Sysctls != null && Object.keys(hc.Sysctls).length > 0) spec.linux.sysctl = { ...hc.Sysctls };
  const seccompOpt = (hc.SecurityOpt ?? []).find((o) => o.startsWith('seccomp=') || o.startsWith('seccomp:'))?.slice('seccomp='.length);
  if (!privileged && seccompOpt !== 'unconfined') {
    spec.linux.seccomp = seccompOpt === undefined ? defaultSeccompProfile(caps) : customSeccomp(seccompOpt);
  }
  return spec;
}

/**
 * A --security-opt seccomp=<profile> (the docker CLI sends the file's JSON
 * content) in Docker's profile format, as an OCI seccomp section.
 */
export function customSeccomp(json: string): OciSeccomp {
  let p: { defaultAction?: string; defaultErrnoRet?: number; architectures?: string[]; archMap?: Array<{ architecture: string; subArchitectures?: string[] }>; syscalls?: OciSeccomp['syscalls'] };
  try {
    p = JSON.parse(json) as typeof p;
  } catch (e) {
    throw runtimeErrors.make('INVALID_SPEC', `invalid seccomp profile: ${(e as Error).message}`, { cause: e });
  }
  if (typeof p.defaultAction !== 'string') throw runtimeErrors.make('INVALID_SPEC', 'invalid seccomp profile: defaultAction is required');
  const arches = p.architectures ?? (p.archMap ?? []).flatMap((a) => [a.architecture, ...(a.subArchitectures ?? [])]);
  const out: OciSeccomp = { defaultAction: p.defaultAction, architectures: arches, syscalls: (p.syscalls ?? []).map((r) => ({ ...r })) };
  if (p.defaultErrnoRet !== undefined) out.defaultErrnoRet = p.defaultErrnoRet;
  return out;
}
