import type { ContainerCreateBody, HostConfig } from '@shoal/common';
import { parseImageRef } from '@shoal/common';
import { parseGoDuration } from '@shoal/common';
import { isShoalError } from '@shoal/common';
import { cliErrors } from './cli-errors.js';
import { parseDetachKeys } from './detach-keys.js';
import { newCommand } from './flags.js';
import { addRunFlags } from './run-flags.js';
import type { RunFlags } from './run-flags.js';
import {
  parseEnvFile, resolveEnvVar, parseExpose, parseKeyValues, parseMemorySwap, parseMountFlag,
  parsePortSpecs, parseRamBytes, parseRestartPolicy, parseTmpfsFlags, parseUlimit, parseVolumeFlags,
} from './parse/index.js';
import type { EnvLookup } from './parse/index.js';

/** What building the create request needs from outside (all optional: the function stays pure). */
export interface RunArgsDeps {
  /** The caller's environment, for `-e KEY` and bare keys in env files. */
  env?: EnvLookup;
  /** Working directory, for relative bind sources. */
  cwd?: string;
  /** Read a file given to --env-file / --label-file. */
  readFile?: (path: string) => string;
  /** Terminal size [height, width] for -t (HostConfig.ConsoleSize). */
  consoleSize?: [number, number];
}

/** How `run` behaves besides the create request. */
export interface RunBehaviour {
  detach: boolean;
  autoRemove: boolean;
  tty: boolean;
  interactive: boolean;
  sigProxy: boolean;
  detachKeys?: string;
  attach: { stdin: boolean; stdout: boolean; stderr: boolean };
  /** --pull: when to pull the image (docker's default is missing; shoal's is never for now). */
  pull: 'always' | 'missing' | 'never';
}

/** POST /containers/create?name=&platform= and its body, plus how run goes on. */
export interface CreateRequest {
  name?: string;
  platform?: string;
  body: ContainerCreateBody;
  behaviour: RunBehaviour;
}

const bad = (msg: string) => cliErrors.make('INVALID_FLAG', msg);

function readLines(deps: RunArgsDeps, path: string): string {
  if (deps.readFile === undefined) throw bad(`cannot read ${path}: no file access`);
  try {
    return deps.readFile(path);
  } catch (e) {
    if (isShoalError(e)) throw e;
    throw bad(`open ${path}: ${(e as Error).message}`);
  }
}

/** Docker's capability normalisation: upper case, `CAP_` prefix, de-duplicated, sorted; ALL wins. */
export function normalizeCaps(caps: readonly string[] | undefined): string[] | null {
  if (caps === undefined || caps.length === 0) return null;
  const out = new Set<string>();
  for (const c of caps) {
    const u = c.trim().toUpperCase();
    out.add(u === 'ALL' || u.startsWith('CAP_') ? u : `CAP_${u}`);
  }
  if (out.has('ALL')) return ['ALL'];
  return [...out].sort();
}

/** `--cpus 1.5` -> 1500000000 NanoCpus (at most 9 decimals, as docker). */
export function parseNanoCpus(v: string): number {
  const m = /^(\d+)(?:\.(\d+))?$/.exec(v.trim());
  if (m === null) throw bad(`invalid argument "${v}" for "--cpus" flag: failed to parse ${v} as a rational number`);
  const frac = m[2] ?? '';
  if (frac.length > 9) throw bad(`invalid argument "${v}" for "--cpus" flag: value is too precise`);
  return Number(m[1]) * 1e9 + Number(frac.padEnd(9, '0') || '0');
}

function durationNs(flag: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  let ns: number;
  try {
    ns = parseGoDuration(v);
  } catch (e) {
    throw bad(`invalid argument "${v}" for "--${flag}" flag: ${(e as Error).message}`);
  }
  if (ns < 0) throw bad(`--${flag} cannot be negative`);
  return ns;
}

/**
 * Build the create request from parsed run/create flags, the image and the
 * container's command, as the docker CLI does (its parse.go). Throws
 * CLI_INVALID_FLAG with docker's wording on a bad value or a conflict.
 */
export function buildCreateRequest(f: RunFlags, image: string, args: readonly string[], deps: RunArgsDeps = {}): CreateRequest {
  const lookup = deps.env ?? (() => undefined);
  const cwd = deps.cwd ?? '/';
  try {
    parseImageRef(image);
  } catch {
    throw bad(`invalid reference format: ${image}`);
  }
  // attach
  const attach = { stdin: false, stdout: false, stderr: false };
  for (const s of f.attach ?? []) {
    const k = s.toLowerCase();
    if (k !== 'stdin' && k !== 'stdout' && k !== 'stderr') throw bad(`invalid argument "${s}" for "-a, --attach" flag: valid streams are STDIN, STDOUT and STDERR`);
    attach[k] = true;
  }
  if (f.interactive === true) attach.stdin = true;
  if ((f.attach ?? []).length === 0) { attach.stdout = true; attach.stderr = true; }
  const pull = f.pull ?? 'never';
  if (pull !== 'always' && pull !== 'missing' && pull !== 'never') throw bad(`invalid pull option: '${pull}': must be one of "always", "missing" or "never"`);
  const detach = f.detach === true;
  if (f.detachKeys !== undefined && f.detachKeys !== '') parseDetachKeys(f.detachKeys);
  if (detach) {
    if ((f.attach ?? []).length > 0) throw bad('Conflicting options: -a and -d');
    attach.stdin = false; attach.stdout = false; attach.stderr = false;
  }
  // env and labels: files first, then flags
  const env: string[] = [];
  for (const file of f.envFile ?? []) env.push(...parseEnvFile(readLines(deps, file), lookup, file));
  for (const e of f.env ?? []) env.push(resolveEnvVar(e, lookup));
  const labelItems: string[] = [];
  for (const file of f.labelFile ?? []) {
    for (const line of readLines(deps, file).split(/\r?\n/)) {
      const l = line.trim();
      if (l !== '' && !l.startsWith('#')) labelItems.push(l);
    }
  }
  labelItems.push(...(f.label ?? []));
  const labels = parseKeyValues(labelItems, '--label');
  // ports
  const { exposedPorts, portBindings } = parsePortSpecs(f.publish ?? []);
  for (const e of f.expose ?? []) for (const p of parseExpose(e)) exposedPorts[p] ??= {};
  // storage
  const { binds, volumes } = parseVolumeFlags(f.volume ?? [], cwd);
  const mounts = (f.mount ?? []).map((m) => parseMountFlag(m, cwd, parseRamBytes));
  const tmpfs = parseTmpfsFlags(f.tmpfs ?? []);
  // restart
  const restart = parseRestartPolicy(f.restart ?? 'no');
  if (f.rm === true && restart.Name !== 'no') throw bad('Conflicting options: cannot specify both --restart and --rm');
  // logging
  const logConfig = parseKeyValues(f.logOpt ?? [], '--log-opt', true);
  if (f.logDriver === 'none' && Object.keys(logConfig).length > 0) throw bad('invalid logging opts for driver none');
  // network
  if (f.network !== undefined && f.net !== undefined && f.network !== f.net) throw bad('conflicting options: cannot specify both --network and --net');
  const network = f.network ?? f.net ?? 'default';
  const endpoints: Record<string, { Aliases?: string[] }> = {};
  if (network !== 'default' && !['host', 'none', 'bridge'].includes(network) && !network.startsWith('container:')) {
    endpoints[network] = (f.networkAlias ?? []).length > 0 ? { Aliases: [...(f.networkAlias ?? [])] } : {};
  } else if ((f.networkAlias ?? []).length > 0) {
    throw bad('network-scoped aliases are only supported for user-defined networks');
  }
  // entrypoint and command
  let entrypoint: string[] | null = null;
  if (f.entrypoint !== undefined) entrypoint = [f.entrypoint];
  const cmd = args.length > 0 ? [...args] : null;
  // health
  let healthcheck: ContainerCreateBody['Healthcheck'] | undefined;
  const healthSet = f.healthCmd !== undefined || f.healthInterval !== undefined || f.healthTimeout !== undefined
    || f.healthStartPeriod !== undefined || f.healthRetries !== undefined;
  if (f.healthcheck === false) {
    if (healthSet) throw bad('--no-healthcheck conflicts with --health-* options');
    healthcheck = { Test: ['NONE'] };
  } else if (healthSet) {
    if (f.healthRetries !== undefined && f.healthRetries < 0) throw bad('--health-retries cannot be negative');
    healthcheck = {
      ...(f.healthCmd !== undefined ? { Test: ['CMD-SHELL', f.healthCmd] } : {}),
      Interval: durationNs('health-interval', f.healthInterval) ?? 0,
      Timeout: durationNs('health-timeout', f.healthTimeout) ?? 0,
      StartPeriod: durationNs('health-start-period', f.healthStartPeriod) ?? 0,
      Retries: f.healthRetries ?? 0,
    };
  }
  const ulimits = (f.ulimit ?? []).map(parseUlimit);
  const sysctls = parseKeyValues(f.sysctl ?? [], '--sysctl', true);

  const host: HostConfig & Record<string, unknown> = {
    Binds: binds.length > 0 ? binds : null,
    LogConfig: { Type: f.logDriver ?? '', Config: logConfig },
    NetworkMode: network,
    PortBindings: portBindings,
    RestartPolicy: restart,
    AutoRemove: f.rm === true,
    VolumesFrom: (f.volumesFrom ?? []).length > 0 ? [...(f.volumesFrom ?? [])] : null,
    CapAdd: normalizeCaps(f.capAdd),
    CapDrop: normalizeCaps(f.capDrop),
    Dns: [...(f.dns ?? [])],
    DnsOptions: [...(f.dnsOption ?? [])],
    DnsSearch: [...(f.dnsSearch ?? [])],
    ExtraHosts: (f.addHost ?? []).length > 0 ? [...(f.addHost ?? [])] : null,
    GroupAdd: (f.groupAdd ?? []).length > 0 ? [...(f.groupAdd ?? [])] : null,
    IpcMode: f.ipc ?? '',
    OomScoreAdj: f.oomScoreAdj ?? 0,
    PidMode: f.pid ?? '',
    Privileged: f.privileged === true,
    PublishAllPorts: f.publishAll === true,
    ReadonlyRootfs: f.readOnly === true,
    SecurityOpt: (f.securityOpt ?? []).length > 0 ? [...(f.securityOpt ?? [])] : null,
    UTSMode: f.uts ?? '',
    ShmSize: f.shmSize === undefined ? 0 : parseRamBytes(f.shmSize),
    ConsoleSize: f.tty === true && deps.consoleSize !== undefined ? deps.consoleSize : [0, 0],
    CgroupParent: f.cgroupParent ?? '',
    CpuShares: f.cpuShares ?? 0,
    Memory: f.memory === undefined ? 0 : parseRamBytes(f.memory),
    NanoCpus: f.cpus === undefined ? 0 : parseNanoCpus(f.cpus),
    CpuPeriod: f.cpuPeriod ?? 0,
    CpuQuota: f.cpuQuota ?? 0,
    CpusetCpus: f.cpusetCpus ?? '',
    CpusetMems: f.cpusetMems ?? '',
    MemoryReservation: f.memoryReservation === undefined ? 0 : parseRamBytes(f.memoryReservation),
    MemorySwap: f.memorySwap === undefined ? 0 : parseMemorySwap(f.memorySwap),
    Ulimits: ulimits.length > 0 ? ulimits : null,
  };
  if (f.pidsLimit !== undefined) host.PidsLimit = f.pidsLimit;
  if (f.init !== undefined) host.Init = f.init;
  if (f.oomKillDisable !== undefined) host.OomKillDisable = f.oomKillDisable;
  if (Object.keys(sysctls).length > 0) host.Sysctls = sysctls;
  if (Object.keys(tmpfs).length > 0) host.Tmpfs = tmpfs;
  if (mounts.length > 0) host.Mounts = mounts;
  if (f.cpus !== undefined && (f.cpuPeriod !== undefined || f.cpuQuota !== undefined)) {
    throw bad('Conflicting options: Nano CPUs and CPU Period cannot both be set');
  }

  const openStdin = f.interactive === true;
  const body: ContainerCreateBody & Record<string, unknown> = {
    Hostname: f.hostname ?? '',
    Domainname: f.domainname ?? '',
    User: f.user ?? '',
    AttachStdin: attach.stdin,
    AttachStdout: attach.stdout,
    AttachStderr: attach.stderr,
    Tty: f.tty === true,
    OpenStdin: openStdin,
    StdinOnce: openStdin && attach.stdin && !detach,
    Env: env,
    Cmd: cmd,
    Image: image,
    Volumes: volumes,
    WorkingDir: f.workdir ?? '',
    Entrypoint: entrypoint,
    OnBuild: null,
    Labels: labels,
    HostConfig: host,
    NetworkingConfig: { EndpointsConfig: endpoints },
  };
  if (Object.keys(exposedPorts).length > 0) body.ExposedPorts = exposedPorts;
  if (f.stopSignal !== undefined) body.StopSignal = f.stopSignal;
  if (f.stopTimeout !== undefined) body.StopTimeout = f.stopTimeout;
  if (healthcheck !== undefined) body.Healthcheck = healthcheck;
  return {
    ...(f.name !== undefined ? { name: f.name } : {}),
    ...(f.platform !== undefined ? { platform: f.platform } : {}),
    body,
    behaviour: {
      detach,
      autoRemove: f.rm === true,
      tty: f.tty === true,
      interactive: openStdin,
      sigProxy: f.sigProxy !== false,
      ...(f.detachKeys !== undefined ? { detachKeys: f.detachKeys } : {}),
      attach,
      pull,
    },
  };
}

/**
 * `shoal run ARGS` (the arguments after `run`) to the create request the
 * docker CLI would send: options up to the image, then the image, then the
 * container's command (options after the image belong to the command).
 * Pure: files and environment come through `deps`. Throws CLI_INVALID_FLAG
 * or CLI_USAGE.
 */
export function runArgsToCreateBody(argv: readonly string[], deps: RunArgsDeps = {}): CreateRequest {
  const cmd = addRunFlags(newCommand('run'), true)
    .argument('<image>')
    .argument('[command...]')
    .passThroughOptions()
    .configureOutput({ writeOut: () => undefined, writeErr: () => undefined });
  let result: CreateRequest | undefined;
  cmd.action((image: string, rest: string[], opts: RunFlags) => {
    result = buildCreateRequest(opts, image, rest, deps);
  });
  try {
    cmd.parse([...argv], { from: 'user' });
  } catch (e) {
    if (isShoalError(e)) throw e;
    throw cliErrors.make('USAGE', (e as Error).message.replace(/^error: /, ''), { cause: e });
  }
  if (result === undefined) throw cliErrors.make('USAGE', '"run" requires at least 1 argument');
  return result;
}
