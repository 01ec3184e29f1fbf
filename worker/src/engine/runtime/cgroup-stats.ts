import { readFile, readdir } from 'node:fs/promises';
import type { CgroupLayout } from './cgroup-layout.js';
import { containerCgroupDirs, allCgroupDirs } from './cgroup-layout.js';

/** Parse `key value` lines (memory.stat, memory.oom_control, memory.events, cpu.stat). Pure. */
export function parseKeyValues(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const [k, v] = line.trim().split(/\s+/);
    if (k === undefined || k === '' || v === undefined) continue;
    const n = Number(v);
    if (Number.isFinite(n)) out[k] = n;
  }
  return out;
}

/** Raw numbers of one container's cgroups. Units: bytes, nanoseconds. */
export interface CgroupSample {
  memoryUsage?: number;
  memoryMaxUsage?: number;
  memoryLimit?: number;
  memoryFailcnt?: number;
  memoryStat: Record<string, number>;
  cpuTotal?: number;
  cpuUser?: number;
  cpuSystem?: number;
  percpu?: number[];
  throttling: { periods: number; throttled_periods: number; throttled_time: number };
  pidsCurrent?: number;
  pidsLimit?: number;
  pids: number[];
}

async function read(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
}

const num = (s: string | undefined): number | undefined => {
  if (s === undefined) return undefined;
  const t = s.trim();
  if (t === 'max') return undefined;
  const n = Number(t);
  return Number.isFinite(n) ? n : undefined;
};

/** v1 "unlimited" limit (page-rounded max int64). */
const V1_UNLIMITED = 9223372036854771712;

/**
 * How many OOM kills happened in the container's memory cgroup (v1
 * memory.oom_control `oom_kill`, v2 memory.events `oom_kill`). One read.
 * Must run before `crun delete` removes the cgroup.
 */
export async function readOomKills(layout: CgroupLayout, cgroupPath: string): Promise<number> {
  const dirs = containerCgroupDirs(layout, cgroupPath);
  if (layout.mode === 'v2') return parseKeyValues((await read(`${dirs.unified}/memory.events`)) ?? '').oom_kill ?? 0;
  const kv = parseKeyValues((await read(`${dirs.memory}/memory.oom_control`)) ?? '');
  return kv.oom_kill ?? 0;
}

/** Pids in the container's cgroup (pids controller, or any). */
export async function readCgroupPids(layout: CgroupLayout, cgroupPath: string): Promise<number[]> {
  const dirs = containerCgroupDirs(layout, cgroupPath);
  const dir = layout.mode === 'v2' ? dirs.unified : (dirs.pids ?? dirs.memory ?? Object.values(dirs)[0]);
  const text = (await read(`${dir}/cgroup.procs`)) ?? '';
  return text.split('\n').map((s) => Number(s)).filter((n) => Number.isInteger(n) && n > 0);
}

/** Read a full stats sample. Files read in parallel. */
export async function readCgroupSample(layout: CgroupLayout, cgroupPath: string): Promise<CgroupSample> {
  const d = containerCgroupDirs(layout, cgroupPath);
  if (layout.mode === 'v2') {
    const u = d.unified;
    const [cur, max, stat, cpu, pc, pm, procs] = await Promise.all([
      read(`${u}/memory.current`), read(`${u}/memory.max`), read(`${u}/memory.stat`), read(`${u}/cpu.stat`),
      read(`${u}/pids.current`), read(`${u}/pids.max`), read(`${u}/cgroup.procs`),
    ]);
    const c = parseKeyValues(cpu ?? '');
    return {
      memoryUsage: num(cur), memoryLimit: num(max), memoryStat: parseKeyValues(stat ?? ''),
      cpuTotal: c.usage_usec !== undefined ? c.usage_usec * 1000 : undefined,
      cpuUser: c.user_usec !== undefined ? c.user_usec * 1000 : undefined,
      cpuSystem: c.system_usec !== undefined ? c.system_usec * 1000 : undefined,
      throttling: { periods: c.nr_periods ?? 0, throttled_periods: c.nr_throttled ?? 0, throttled_time: (c.throttled_usec ?? 0) * 1000 },
      pidsCurrent: num(pc), pidsLimit: num(pm),
      pids: (procs ?? '').split('\n').map(Number).filter((n) => Number.isInteger(n) && n > 0),
    };
  }
  const [usage, maxUsage, limit, failcnt, stat, total, acctStat, percpu, cpuStat, pc, pm, procs] = await Promise.all([
    read(`${d.memory}/memory.usage_in_bytes`), read(`${d.memory}/memory.max_usage_in_bytes`), read(`${d.memory}/memory.limit_in_bytes`),
    read(`${d.memory}/memory.failcnt`), read(`${d.memory}/memory.stat`),
    read(`${d.cpuacct}/cpuacct.usage`), read(`${d.cpuacct}/cpuacct.stat`), read(`${d.cpuacct}/cpuacct.usage_percpu`),
    read(`${d.cpu}/cpu.stat`), read(`${d.pids}/pids.current`), read(`${d.pids}/pids.max`), read(`${d.pids ?? d.memory}/cgroup.procs`),
  ]);
  const acct = parseKeyValues(acctStat ?? '');
  const clkTck = 100; // USER_HZ on Linux
  const cs = parseKeyValues(cpuStat ?? '');
  const lim = num(limit);
  return {
    memoryUsage: num(usage), memoryMaxUsage: num(maxUsage), memoryLimit: lim !== undefined && lim >= V1_UNLIMITED ? undefined : lim,
    memoryFailcnt: num(failcnt), memoryStat: parseKeyValues(stat ?? ''),
    cpuTotal: num(total),
    cpuUser: acct.user !== undefined ? (acct.user * 1e9) / clkTck : undefined,
    cpuSystem: acct.system !== undefined ? (acct.system * 1e9) / clkTck : undefined,
    percpu: percpu?.trim().split(/\s+/).map(Number).filter((n) => Number.isFinite(n)),
    throttling: { periods: cs.nr_periods ?? 0, throttled_periods: cs.nr_throttled ?? 0, throttled_time: cs.throttled_time ?? 0 },
    pidsCurrent: num(pc), pidsLimit: num(pm),
    pids: (procs ?? '').split('\n').map(Number).filter((n) => Number.isInteger(n) && n > 0),
  };
}

/** Total host cpu time in ns (the `cpu` line of /proc/stat), as Docker's system_cpu_usage. */
export async function readSystemCpuUsage(): Promise<{ total: number; onlineCpus: number }> {
  const text = (await read('/proc/stat')) ?? '';
  let total = 0;
  let cpus = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith('cpu ')) total = line.trim().split(/\s+/).slice(1, 8).reduce((a, b) => a + Number(b), 0);
    else if (/^cpu[0-9]+ /.test(line)) cpus++;
  }
  return { total: (total * 1e9) / 100, onlineCpus: cpus };
}

/** /proc/<pid>/net/dev of a process (its netns), parsed. */
export async function readNetDev(pid: number): Promise<Record<string, { rx_bytes: number; rx_packets: number; rx_errors: number; rx_dropped: number; tx_bytes: number; tx_packets: number; tx_errors: number; tx_dropped: number }>> {
  const text = (await read(`/proc/${pid}/net/dev`)) ?? '';
  const out: Awaited<ReturnType<typeof readNetDev>> = {};
  for (const line of text.split('\n').slice(2)) {
    const i = line.indexOf(':');
    if (i < 0) continue;
    const name = line.slice(0, i).trim();
    if (name === 'lo') continue;
    const f = line.slice(i + 1).trim().split(/\s+/).map(Number);
    out[name] = { rx_bytes: f[0] ?? 0, rx_packets: f[1] ?? 0, rx_errors: f[2] ?? 0, rx_dropped: f[3] ?? 0, tx_bytes: f[8] ?? 0, tx_packets: f[9] ?? 0, tx_errors: f[10] ?? 0, tx_dropped: f[11] ?? 0 };
  }
  return out;
}

/** True when any cgroup dir of `cgroupPath` exists in any hierarchy (leak checks). */
export async function cgroupExists(layout: CgroupLayout, cgroupPath: string): Promise<boolean> {
  const dirs = allCgroupDirs(layout, cgroupPath);
  for (const d of dirs) {
    try {
      await readdir(d);
      return true;
    } catch { /* absent */ }
  }
  return false;
}
