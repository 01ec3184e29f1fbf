/** Docker's healthcheck rules. Pure. */
import type { ContainerState, HealthConfig } from '@shoal/common';

/** One probe in State.Health.Log. */
export interface HealthLogEntry { Start: string; End: string; ExitCode: number; Output: string }

/** State.Health */
export type HealthState = NonNullable<ContainerState['Health']>;

/** Resolved probe settings (milliseconds). */
export interface ProbeSpec { cmd: string[]; intervalMs: number; timeoutMs: number; retries: number; startPeriodMs: number }

const NS_PER_MS = 1_000_000;

/**
 * The probe to run, or null when there is none (no Test, or NONE). Docker's
 * defaults: interval 30 s, timeout 30 s, retries 3, start period 0; times in
 * the config are nanoseconds.
 */
export function probeSpec(hc: HealthConfig | undefined): ProbeSpec | null {
  const test = hc?.Test ?? [];
  if (test.length === 0 || test[0] === 'NONE') return null;
  let cmd: string[];
  if (test[0] === 'CMD') cmd = test.slice(1);
  else if (test[0] === 'CMD-SHELL') cmd = ['/bin/sh', '-c', test.slice(1).join(' ')];
  else cmd = test; // Docker treats a bare list as CMD
  if (cmd.length === 0) return null;
  const ms = (ns: number | undefined, dflt: number): number => (ns !== undefined && ns > 0 ? Math.max(1, Math.round(ns / NS_PER_MS)) : dflt);
  return {
    cmd, intervalMs: ms(hc?.Interval, 30_000), timeoutMs: ms(hc?.Timeout, 30_000),
    retries: hc?.Retries !== undefined && hc.Retries > 0 ? hc.Retries : 3, startPeriodMs: ms(hc?.StartPeriod, 0),
  };
}

/** Health at container start. */
export function initialHealth(): HealthState {
  return { Status: 'starting', FailingStreak: 0, Log: [] };
}

/**
 * Fold one probe result into the health state, as Docker: success ->
 * healthy; a failure during the start period while still `starting` is not
 * counted; otherwise the streak grows and reaching `retries` -> unhealthy.
 * The log keeps the last 5 probes.
 */
export function applyProbe(prev: HealthState, entry: HealthLogEntry, opts: { retries: number; inStartPeriod: boolean }): HealthState {
  const Log = [...(prev.Log as HealthLogEntry[]), entry].slice(-5);
  if (entry.ExitCode === 0) return { Status: 'healthy', FailingStreak: 0, Log };
  if (opts.inStartPeriod && prev.Status === 'starting') return { ...prev, Log };
  const streak = prev.FailingStreak + 1;
  return { Status: streak >= opts.retries ? 'unhealthy' : prev.Status, FailingStreak: streak, Log };
}
