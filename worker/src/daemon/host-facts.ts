import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, readFile, statfs, writeFile } from 'node:fs/promises';
import { availableParallelism, hostname, machine, release, totalmem } from 'node:os';
import { join } from 'node:path';
import type { DaemonConfig } from '@shoal/common';
import type { SystemFacts, SystemInfo } from '../engine/api/index.js';

const GOARCH: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' };

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

function osRelease(): { pretty: string; version: string } {
  const text = readText('/etc/os-release') ?? '';
  const field = (k: string): string => (new RegExp(`^${k}=(.*)$`, 'm').exec(text)?.[1] ?? '').replace(/^"|"$/g, '');
  return { pretty: field('PRETTY_NAME') || 'Linux', version: field('VERSION_ID') };
}

/** Docker's names for the backing filesystem of overlay2, by statfs f_type. */
const FS_NAMES: Record<number, string> = {
  0xef53: 'extfs', 0x58465342: 'xfs', 0x9123683e: 'btrfs', 0x01021994: 'tmpfs', 0x794c7630: 'overlayfs', 0x2fc12fc1: 'zfs', 0x6969: 'nfs',
};

/** overlay2's DriverStatus: backing filesystem of the data root (statfs), metacopy from the overlay module. */
async function driverStatus(dataRoot: string): Promise<Array<[string, string]>> {
  const st = await statfs(dataRoot).catch(() => undefined);
  const fs = st === undefined ? '<unknown>' : (FS_NAMES[st.type] ?? `0x${st.type.toString(16)}`);
  const metacopy = (readText('/sys/module/overlay/parameters/metacopy') ?? 'N').trim() === 'Y';
  return [['Backing Filesystem', fs], ['Supports d_type', 'true'], ['Using metacopy', String(metacopy)], ['Native Overlay Diff', String(!metacopy)], ['userxattr', 'false']];
}

/** shoal's version from worker/package.json (same relative path from src/ and dist/). */
export async function shoalVersion(): Promise<string> {
  const pkg = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
  return pkg.version ?? '0.0.0';
}

/** The daemon's id, made once and kept under the data root (Docker's engine-id). */
export async function engineId(dataRoot: string): Promise<string> {
  const path = join(dataRoot, 'engine-id');
  const old = await readFile(path, 'utf8').catch(() => undefined);
  if (old !== undefined && old.trim() !== '') return old.trim();
  const id = randomUUID();
  await mkdir(dataRoot, { recursive: true });
  await writeFile(path, `${id}\n`, { mode: 0o600 });
  return id;
}

/**
 * Measure the host once for /info and /version: kernel, OS, CPUs, memory,
 * cgroup version and the controllers that make limits enforceable, sysctls
 * Docker warns about. Nothing here is guessed: a missing file means the
 * feature is reported absent.
 */
export async function gatherHostFacts(config: DaemonConfig, opts: { crunPath: string }): Promise<SystemFacts> {
  const cg = '/sys/fs/cgroup';
  const v2 = existsSync(join(cg, 'cgroup.controllers'));
  const v2ctl = v2 ? (readText(join(cg, 'cgroup.controllers')) ?? '').split(/\s+/) : [];
  const has = (v1file: string, v2ctlName: string): boolean => (v2 ? v2ctl.includes(v2ctlName) : existsSync(join(cg, v1file)));
  const sysctl = (p: string): boolean => (readText(p) ?? '').trim() === '1';
  const os = osRelease();
  const swapLimit = v2 ? v2ctl.includes('memory') : existsSync(join(cg, 'memory', 'memory.memsw.limit_in_bytes'));
  const bridgeNf = sysctl('/proc/sys/net/bridge/bridge-nf-call-iptables');
  const bridgeNf6 = sysctl('/proc/sys/net/bridge/bridge-nf-call-ip6tables');
  const ipv4Forwarding = sysctl('/proc/sys/net/ipv4/ip_forward');
  const warnings: string[] = [];
  if (!swapLimit) warnings.push('WARNING: No swap limit support');
  if (!ipv4Forwarding) warnings.push('WARNING: IPv4 forwarding is disabled');
  const securityOptions = ['name=seccomp,profile=builtin'];
  if (v2) securityOptions.push('name=cgroupns');
  const insecure = ['127.0.0.0/8', ...config.insecureRegistries.filter((r) => r !== '127.0.0.0/8')];
  return {
    id: await engineId(config.dataRoot),
    name: hostname(),
    version: await shoalVersion(),
    gitCommit: '',
    buildTime: '',
    kernelVersion: release(),
    operatingSystem: os.pretty,
    osVersion: os.version,
    architecture: machine(),
    arch: GOARCH[process.arch] ?? process.arch,
    runtimeVersion: `node ${process.version}`,
    ncpu: availableParallelism(),
    memTotal: totalmem(),
    dockerRootDir: config.dataRoot,
    driverStatus: await driverStatus(config.dataRoot),
    cgroupDriver: 'cgroupfs',
    cgroupVersion: v2 ? '2' : '1',
    runtimes: { crun: { path: opts.crunPath } },
    defaultRuntime: 'crun',
    liveRestore: config.liveRestore,
    securityOptions,
    loggingDriver: config.logDriver,
    labels: config.labels,
    experimental: false,
    debug: config.debug,
    httpProxy: process.env.HTTP_PROXY ?? process.env.http_proxy ?? '',
    httpsProxy: process.env.HTTPS_PROXY ?? process.env.https_proxy ?? '',
    noProxy: process.env.NO_PROXY ?? process.env.no_proxy ?? '',
    insecureRegistries: insecure,
    defaultAddressPools: config.defaultAddressPools.map((p) => ({ Base: p.base, Size: p.size })),
    memoryLimit: has('memory', 'memory'),
    swapLimit,
    cpuCfsPeriod: v2 ? v2ctl.includes('cpu') : existsSync(join(cg, 'cpu', 'cpu.cfs_period_us')),
    cpuCfsQuota: v2 ? v2ctl.includes('cpu') : existsSync(join(cg, 'cpu', 'cpu.cfs_quota_us')),
    cpuShares: v2 ? v2ctl.includes('cpu') : existsSync(join(cg, 'cpu', 'cpu.shares')),
    cpuSet: has('cpuset', 'cpuset'),
    pidsLimit: has('pids', 'pids'),
    oomKillDisable: !v2 && existsSync(join(cg, 'memory', 'memory.oom_control')),
    ipv4Forwarding,
    bridgeNfIptables: bridgeNf,
    bridgeNfIp6tables: bridgeNf6,
    warnings,
  };
}

/** SystemInfo for the API: the facts plus the daemon's open descriptors. */
export function systemInfo(facts: SystemFacts): SystemInfo {
  return {
    facts,
    openFds: () => {
      try {
        return readdirSync('/proc/self/fd').length;
      } catch {
        return 0;
      }
    },
  };
}
