import type { Clock, ContainerStats, CpuStats } from '@shoal/common';
import { readCgroupSample, readNetDev, readSystemCpuUsage, type CgroupLayout, type CgroupSample } from '../runtime/index.js';
import type { ContainerRecord } from './container-record.js';
import { rfc3339 } from './container-record.js';

const ZERO_CPU: CpuStats = { cpu_usage: { total_usage: 0, usage_in_kernelmode: 0, usage_in_usermode: 0 }, throttling_data: { periods: 0, throttled_periods: 0, throttled_time: 0 } };

/** Build Docker's stats JSON from a sample. Pure. */
export function toStats(rec: ContainerRecord, s: CgroupSample | null, sys: { total: number; onlineCpus: number }, nowMs: number,
  prev: { cpu: CpuStats; readMs: number } | null, networks: ContainerStats['networks']): ContainerStats {
  const cpu: CpuStats = s === null ? ZERO_CPU : {
    cpu_usage: { total_usage: s.cpuTotal ?? 0, percpu_usage: s.percpu, usage_in_kernelmode: Math.round(s.cpuSystem ?? 0), usage_in_usermode: Math.round(s.cpuUser ?? 0) },
    system_cpu_usage: sys.total, online_cpus: sys.onlineCpus, throttling_data: s.throttling,
  };
  return {
    name: rec.Name, id: rec.Id, read: rfc3339(nowMs), preread: prev === null ? '0001-01-01T00:00:00Z' : rfc3339(prev.readMs),
    pids_stats: s === null ? {} : { current: s.pidsCurrent, limit: s.pidsLimit },
    num_procs: 0,
    cpu_stats: cpu,
    precpu_stats: prev?.cpu ?? ZERO_CPU,
    memory_stats: s === null ? {} : { usage: s.memoryUsage, max_usage: s.memoryMaxUsage, limit: s.memoryLimit, failcnt: s.memoryFailcnt, stats: s.memoryStat },
    blkio_stats: {},
    networks,
    storage_stats: {},
  };
}

/** Samples of a container's stats: one, or one about every second until aborted or the container stops. */
export async function* statsStream(o: {
  layout: CgroupLayout; cgroupPath: string; rec: () => ContainerRecord; stream: boolean; oneShot: boolean; clock: Clock; signal?: AbortSignal;
}): AsyncGenerator<ContainerStats> {
  let prev: { cpu: CpuStats; readMs: number } | null = null;
  const sampleOnce = async (): Promise<ContainerStats> => {
    const rec = o.rec();
    const running = rec.State.Running;
    const [s, sys, nets] = await Promise.all([
      running ? readCgroupSample(o.layout, o.cgroupPath) : Promise.resolve(null),
      readSystemCpuUsage(),
      running && rec.State.Pid > 0 && rec.HostConfig.NetworkMode !== 'host' ? readNetDev(rec.State.Pid) : Promise.resolve(undefined),
    ]);
    const now = o.clock.now();
    const st = toStats(rec, s, sys, now, prev, nets);
    prev = { cpu: st.cpu_stats, readMs: now };
    return st;
  };
  if (!o.stream) {
    if (!o.oneShot) {
      // Docker's non-stream stats carries a precpu sample taken ~1 s earlier.
      await sampleOnce();
      if (!(await sleep(o.clock, 1000, o.signal))) return;
    }
    yield await sampleOnce();
    return;
  }
  while (!(o.signal?.aborted ?? false)) {
    yield await sampleOnce();
    if (!o.rec().State.Running) return;
    if (!(await sleep(o.clock, 1000, o.signal))) return;
  }
}

function sleep(clock: Clock, ms: number, signal?: AbortSignal): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    if (signal?.aborted === true) { resolve(false); return; }
    const onAbort = (): void => { t.cancel(); resolve(false); };
    const t = clock.setTimeout(() => { signal?.removeEventListener('abort', onAbort); resolve(true); }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
