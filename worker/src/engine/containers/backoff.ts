/** Restart policy decisions and Docker's restart back-off. Pure. */
import type { RestartPolicy } from '@shoal/common';

/** Back-off parameters (Docker: 100 ms doubling, max 1 min, reset after 10 s of running). */
export interface BackoffConfig { initialMs: number; maxMs: number; resetAfterMs: number }

/** Docker's values. */
export const DOCKER_BACKOFF: BackoffConfig = { initialMs: 100, maxMs: 60_000, resetAfterMs: 10_000 };

/**
 * The next delay, given the previous one and how long the container ran.
 * A container that ran at least resetAfterMs starts over at initialMs.
 */
export function nextBackoff(cfg: BackoffConfig, prevMs: number, ranMs: number): number {
  if (prevMs <= 0 || ranMs >= cfg.resetAfterMs) return cfg.initialMs;
  return Math.min(prevMs * 2, cfg.maxMs);
}

/**
 * Whether the container should be restarted after it exited, as Docker's
 * restartmanager: never after a manual stop; `always`/`unless-stopped`
 * always; `on-failure` on a non-zero exit while restartCount < max (0 = no max).
 */
export function shouldRestart(policy: RestartPolicy | undefined, exitCode: number, restartCount: number, manuallyStopped: boolean): boolean {
  if (manuallyStopped) return false;
  switch (policy?.Name) {
    case 'always':
    case 'unless-stopped':
      return true;
    case 'on-failure': {
      const max = policy.MaximumRetryCount ?? 0;
      return exitCode !== 0 && (max === 0 || restartCount < max);
    }
    default:
      return false;
  }
}

/**
 * Whether a stopped container is started at daemon start (restore), as
 * Docker: `always` even after a manual stop; `unless-stopped` unless the
 * user stopped it.
 */
export function startOnDaemonStart(policy: RestartPolicy | undefined, manuallyStopped: boolean): boolean {
  if (policy?.Name === 'always') return true;
  return policy?.Name === 'unless-stopped' && !manuallyStopped;
}
