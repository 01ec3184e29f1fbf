/**
 * Runs each running container's healthcheck every interval (Docker: the
 * first probe one interval after the start), folds the results with
 * health.ts's rules and hands the new health to the engine. Timers and
 * probes are jobs of the engine's JobGroup, so its shutdown waits for them.
 */
import type { Clock, JobGroup, Logger, TimerHandle } from '@shoal/common';
import { applyProbe, initialHealth, type HealthState, type ProbeSpec } from './health.js';
import { rfc3339 } from './container-record.js';

/** One run of a container as the monitor sees it. */
export interface ProbedRun {
  id: string;
  startedAtMs: number;
  /** False once this run ended (its probes stop). */
  isCurrent(): boolean;
  /** A paused container is not probed. */
  paused(): boolean;
  /** The health recorded now (initialHealth if none). */
  health(): HealthState | undefined;
  /** Run the probe command in the container. */
  exec(cmd: string[], timeoutMs: number): Promise<{ exitCode: number; output: string; timedOut: boolean }>;
  /** Record the new health (state, persistence, `health_status` event when the status changed). */
  record(prev: HealthState, next: HealthState): Promise<void>;
}

/** See the file comment. */
export class HealthMonitor {
  readonly #jobs: JobGroup;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #timers = new Map<string, TimerHandle>();

  constructor(o: { jobs: JobGroup; clock: Clock; log: Logger }) {
    this.#jobs = o.jobs;
    this.#clock = o.clock;
    this.#log = o.log;
  }

  /** Probe `run` every interval while it is current. */
  watch(run: ProbedRun, probe: ProbeSpec): void {
    this.stop(run.id);
    const timer = this.#jobs.after(probe.intervalMs, async () => {
      this.#timers.delete(run.id);
      if (!run.isCurrent()) return;
      await this.#probeOnce(run, probe).catch((err: unknown) => this.#log.warn({ err, id: run.id }, 'healthcheck failed to run'));
      if (run.isCurrent() && !this.#jobs.closed) this.watch(run, probe);
    });
    this.#timers.set(run.id, timer);
  }

  /** No more probes for container `id` (its run ended). */
  stop(id: string): void {
    this.#timers.get(id)?.cancel();
    this.#timers.delete(id);
  }

  async #probeOnce(run: ProbedRun, probe: ProbeSpec): Promise<void> {
    if (run.paused()) return;
    const start = this.#clock.now();
    let exitCode: number;
    let output: string;
    try {
      const r = await run.exec(probe.cmd, probe.timeoutMs);
      exitCode = r.timedOut ? -1 : r.exitCode;
      output = r.timedOut ? `Health check exceeded timeout (${probe.timeoutMs / 1000}s)` : r.output;
    } catch (e) {
      exitCode = -1;
      output = (e as Error).message;
    }
    if (!run.isCurrent()) return;
    const prev = run.health() ?? initialHealth();
    const now = this.#clock.now();
    const next = applyProbe(prev, { Start: rfc3339(start), End: rfc3339(now), ExitCode: exitCode, Output: output },
      { retries: probe.retries, inStartPeriod: now - run.startedAtMs < probe.startPeriodMs });
    await run.record(prev, next);
  }
}
