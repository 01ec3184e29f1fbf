/**
 * Turn a create body and the image config into a container record, with
 * every check Docker makes up front. Pure: no I/O, id/time/name come in.
 */
import type { ContainerCreateBody, ContainerUpdateBody, HostConfig, ContainerConfig } from '@shoal/common';
import type { ContainerImage } from './deps.js';
import { planMounts, type PlannedMount } from './mount-plan.js';
import { resolveCommand, computeCaps, customSeccomp, rlimitType } from '../runtime/index.js';
import { containerErrors } from './errors.js';
import { createdState, emptyNetworkSettings, type ContainerRecord } from './container-record.js';

/** Docker's minimum --memory. */
export const MIN_MEMORY = 6 * 1024 * 1024;

const PORT_KEY = /^([0-9]{1,5})(?:-([0-9]{1,5}))?(?:\/(tcp|udp|sctp))?$/;

function checkPort(n: number, what: string): void {
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw containerErrors.make('INVALID_CONFIG', `invalid port specification: "${what}"`);
}

/** Validate `80/tcp` style keys and host ports. */
export function validatePorts(body: ContainerCreateBody): void {
  for (const k of Object.keys(body.ExposedPorts ?? {})) {
    const m = PORT_KEY.exec(k);
    if (m === null) throw containerErrors.make('INVALID_CONFIG', `invalid port specification: "${k}"`);
    checkPort(Number(m[1]), k);
  }
  for (const [k, binds] of Object.entries(body.HostConfig?.PortBindings ?? {})) {
    const m = PORT_KEY.exec(k);
    if (m === null || Number(m[1]) === 0) throw containerErrors.make('INVALID_CONFIG', `invalid port specification: "${k}"`);
    checkPort(Number(m[1]), k);
    for (const b of binds ?? []) {
      const hp = b.HostPort ?? '';
      if (hp === '') continue;
      const hm = /^([0-9]{1,5})(?:-([0-9]{1,5}))?$/.exec(hp);
      if (hm === null) throw containerErrors.make('INVALID_CONFIG', `invalid port specification: "${hp}"`);
      checkPort(Number(hm[1]), hp);
      if (hm[2] !== undefined) checkPort(Number(hm[2]), hp);
    }
  }
}

/** Validate resources shared by create and update. */
export function validateResources(hc: Pick<HostConfig, 'Memory' | 'MemorySwap' | 'NanoCpus' | 'CpuQuota' | 'CpuPeriod' | 'CpuShares' | 'PidsLimit' | 'CpusetCpus' | 'MemoryReservation'>): void {
  const mem = hc.Memory ?? 0;
  if (mem < 0) throw containerErrors.make('INVALID_CONFIG', 'Memory limit cannot be negative');
  if (mem > 0 && mem < MIN_MEMORY) throw containerErrors.make('INVALID_CONFIG', 'Minimum memory limit allowed is 6MB');
  const swap = hc.MemorySwap ?? 0;
  if (swap > 0 && mem === 0) throw containerErrors.make('INVALID_CONFIG', 'You should always set the Memory limit when using Memoryswap limit');
  if (swap > 0 && swap < mem) throw containerErrors.make('INVALID_CONFIG', 'Minimum memoryswap limit should be larger than memory limit, see usage');
  if ((hc.NanoCpus ?? 0) > 0 && ((hc.CpuQuota ?? 0) > 0 || (hc.CpuPeriod ?? 0) > 0)) {
    throw containerErrors.make('INVALID_CONFIG', 'Conflicting options: Nano CPUs and CPU Period cannot both be set');
  }
  if ((hc.NanoCpus ?? 0) < 0) throw containerErrors.make('INVALID_CONFIG', 'Range of CPUs is from 0.01 to the number of CPUs available');
  if ((hc.CpuPeriod ?? 0) !== 0 && ((hc.CpuPeriod ?? 0) < 1000 || (hc.CpuPeriod ?? 0) > 1_000_000)) {
    throw containerErrors.make('INVALID_CONFIG', 'CPU cfs period can not be less than 1ms (i.e. 1000) or larger than 1s (i.e. 1000000)');
  }
  if ((hc.CpuQuota ?? 0) > 0 && (hc.CpuQuota ?? 0) < 1000) throw containerErrors.make('INVALID_CONFIG', 'CPU cfs quota can not be less than 1ms (i.e. 1000)');
  if (hc.CpusetCpus !== undefined && hc.CpusetCpus !== '' && !/^[0-9]+(-[0-9]+)?(,[0-9]+(-[0-9]+)?)*$/.test(hc.CpusetCpus)) {
    throw containerErrors.make('INVALID_CONFIG', `Invalid value ${hc.CpusetCpus} for cpuset cpus`);
  }
}

/** Validate a restart policy (and its combination with AutoRemove). */
export function validateRestartPolicy(hc: HostConfig): void {
  const p = hc.RestartPolicy;
  const name = p?.Name ?? '';
  if (!['', 'no', 'always', 'unless-stopped', 'on-failure'].includes(name)) {
    throw containerErrors.make('INVALID_CONFIG', `invalid restart policy '${name}'`);
  }
  if ((p?.MaximumRetryCount ?? 0) < 0) throw containerErrors.make('INVALID_CONFIG', 'invalid restart policy: maximum retry count cannot be negative');
  if ((p?.MaximumRetryCount ?? 0) > 0 && name !== 'on-failure') {
    throw containerErrors.make('INVALID_CONFIG', `invalid restart policy: maximum retry count can only be used with 'on-failure'`);
  }
  if (hc.AutoRemove === true && name !== '' && name !== 'no') {
    throw containerErrors.make('INVALID_CONFIG', "can't create 'AutoRemove' container with restart policy");
  }
}

/** Merge the image config under the create body, as Docker (body wins; Env/Labels/ExposedPorts merged). */
export function mergeConfig(body: ContainerCreateBody, image: ContainerImage): ContainerConfig {
  const ic = image.config;
  const { HostConfig: _hc, NetworkingConfig: _nc, ...c } = body;
  const merged: ContainerConfig = { ...c };
  const env = new Map<string, string>();
  for (const kv of [...(ic.Env ?? []), ...(c.Env ?? [])]) {
    const i = kv.indexOf('=');
    env.set(i < 0 ? kv : kv.slice(0, i), kv);
  }
  merged.Env = [...env.values()];
  merged.Labels = { ...(ic.Labels ?? {}), ...(c.Labels ?? {}) };
  merged.ExposedPorts = { ...(ic.ExposedPorts ?? {}), ...(c.ExposedPorts ?? {}) };
  merged.Volumes = { ...(ic.Volumes ?? {}), ...(c.Volumes ?? {}) };
  if (merged.WorkingDir === undefined || merged.WorkingDir === '') merged.WorkingDir = ic.WorkingDir ?? '';
  if (merged.User === undefined || merged.User === '') merged.User = ic.User ?? '';
  if (merged.StopSignal === undefined || merged.StopSignal === '') { if (ic.StopSignal !== undefined) merged.StopSignal = ic.StopSignal; }
  if (merged.Healthcheck === undefined && ic.Healthcheck !== undefined) merged.Healthcheck = ic.Healthcheck;
  if (merged.Shell == null && ic.Shell != null) merged.Shell = ic.Shell;
  const cmd = resolveCommand({ entrypoint: c.Entrypoint, cmd: c.Cmd, imageEntrypoint: ic.Entrypoint, imageCmd: ic.Cmd });
  merged.Entrypoint = cmd.entrypoint.length > 0 ? cmd.entrypoint : null;
  merged.Cmd = cmd.cmd.length > 0 ? cmd.cmd : null;
  merged.Image = c.Image ?? '';
  return merged;
}

/**
 * Build the record of a new container. Throws 400s for bad input before
 * anything is made. Its volumes are still unnamed and its `Mounts` empty:
 * the manager binds them (volume-binding.ts). `hostname` defaults to the first 12 of the id.
 */
export function buildRecord(opts: { id: string; name: string; created: string; body: ContainerCreateBody; image: ContainerImage; inheritedMounts?: PlannedMount[] }): { rec: ContainerRecord; warnings: string[] } {
  const { id, body, image } = opts;
  const hc: HostConfig = { ...(body.HostConfig ?? {}) };
  hc.NetworkMode = hc.NetworkMode === undefined || hc.NetworkMode === '' || hc.NetworkMode === 'default' ? 'bridge' : hc.NetworkMode;
  hc.RestartPolicy = { Name: hc.RestartPolicy?.Name ?? 'no', MaximumRetryCount: hc.RestartPolicy?.MaximumRetryCount ?? 0 };
  if (hc.RestartPolicy.Name === '') hc.RestartPolicy.Name = 'no';
  hc.LogConfig = { Type: hc.LogConfig?.Type ?? 'json-file', Config: hc.LogConfig?.Config ?? {} };
  validateResources(hc);
  validateRestartPolicy(hc);
  validatePorts(body);
  if ((hc.ShmSize ?? 0) < 0) throw containerErrors.make('INVALID_CONFIG', 'SHM size can not be less than 0');
  if (hc.LogConfig.Type !== 'json-file' && hc.LogConfig.Type !== '') throw containerErrors.make('NOT_SUPPORTED', `logging driver "${hc.LogConfig.Type}" is not supported (only json-file)`);
  for (const [flag, mode] of [['pid', hc.PidMode], ['ipc', hc.IpcMode], ['uts', hc.UTSMode]] as const) {
    if (mode === undefined || mode === '' || mode === 'host' || mode.startsWith('container:') && mode.length > 'container:'.length) continue;
    if (flag === 'ipc' && (mode === 'private' || mode === 'shareable')) continue;
    if (flag === 'uts' && mode.startsWith('container:')) throw containerErrors.make('INVALID_CONFIG', `invalid UTS mode: ${mode}`);
    throw containerErrors.make('INVALID_CONFIG', `invalid ${flag === 'pid' ? 'PID' : 'IPC'} mode: ${mode}`);
  }
  try {
    computeCaps({ privileged: hc.Privileged, add: hc.CapAdd, drop: hc.CapDrop });
    for (const u of hc.Ulimits ?? []) rlimitType(u.Name);
    const seccomp = (hc.SecurityOpt ?? []).find((o) => o.startsWith('seccomp=') || o.startsWith('seccomp:'))?.slice('seccomp='.length);
    if (seccomp !== undefined && seccomp !== 'unconfined') customSeccomp(seccomp);
  } catch (e) {
    throw containerErrors.make('INVALID_CONFIG', (e as Error).message, { cause: e });
  }
  const config = mergeConfig(body, image);
  const mounts = planMounts(hc, Object.keys(config.Volumes ?? {}), opts.inheritedMounts);
  if (config.Hostname === undefined || config.Hostname === '') config.Hostname = hc.NetworkMode === 'host' ? '' : id.slice(0, 12);
  const argv = [...(config.Entrypoint ?? []), ...(config.Cmd ?? [])];
  if (argv.length === 0) throw containerErrors.make('INVALID_CONFIG', 'no command specified');
  const [path = '', ...args] = argv;
  const warnings: string[] = [];
  if ((hc.Memory ?? 0) > 0 && hc.MemorySwap === undefined) { /* Docker: swap = 2x memory, no warning */ }
  const rec: ContainerRecord = {
    Id: id, Created: opts.created, Name: opts.name, Path: path, Args: args, Config: config, HostConfig: hc,
    Image: image.id, State: createdState(), RestartCount: 0, NetworkSettings: emptyNetworkSettings(),
    Mounts: [], MountSpecs: mounts, ManuallyStopped: false, ExposedPorts: Object.keys(config.ExposedPorts ?? {}),
  };
  return { rec, warnings };
}

/**
 * `docker update`: the new HostConfig. As Docker's update, zero and empty
 * fields mean "leave as is" (the CLI sends them all); a memory raised above
 * a set swap limit doubles the swap. Throws INVALID_CONFIG (400) like create.
 */
export function planUpdate(hc: HostConfig, body: ContainerUpdateBody): HostConfig {
  const { RestartPolicy: rp, ...res } = body;
  const next: HostConfig = { ...hc };
  for (const [k, v] of Object.entries(res)) {
    if (v === undefined || v === null || v === 0 || v === '' || (Array.isArray(v) && v.length === 0)) continue;
    (next as Record<string, unknown>)[k] = v;
  }
  if ((res.Memory ?? 0) > 0 && res.MemorySwap === undefined && (hc.MemorySwap ?? 0) > 0 && (hc.MemorySwap ?? 0) < (res.Memory ?? 0)) {
    next.MemorySwap = (res.Memory ?? 0) * 2;
  }
  if (rp?.Name !== undefined && rp.Name !== '') next.RestartPolicy = { Name: rp.Name, MaximumRetryCount: rp.MaximumRetryCount ?? 0 };
  validateResources(next);
  validateRestartPolicy(next);
  return next;
}
