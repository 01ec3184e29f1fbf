/**
 * The owner of a subsystem's asynchronous jobs (watchers, timers, probes):
 * every job is started through it, so that `close()` can stop new ones,
 * cancel the timers not yet fired and wait for the jobs still running.
 * Nothing a subsystem starts outlives its shutdown.
 */
import type { Clock, TimerHandle } from '../clock/index.js';

/** Options of {@link JobGroup}. */
export interface JobGroupOptions {
  clock: Clock;
  /** A job's error (jobs should handle their own; this is the last resort, e.g. a log line). */
  onError: (err: unknown) => void;
}

/** See the file comment. */
export class JobGroup {
  readonly #o: JobGroupOptions;
  readonly #timers = new Set<TimerHandle>();
  readonly #running = new Set<Promise<void>>();
  #closed = false;

  constructor(opts: JobGroupOptions) {
    this.#o = opts;
  }

  /** True once close() was called: jobs should stop early. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Jobs running and timers pending now. */
  get size(): number {
    return this.#running.size + this.#timers.size;
  }

  /** Run `fn` now as an owned job (ignored once closed). */
  run(fn: () => Promise<unknown>): void {
    if (this.#closed) return;
    const p: Promise<void> = Promise.resolve()
      .then(fn)
      .then(() => undefined, (err: unknown) => { this.#o.onError(err); })
      .finally(() => { this.#running.delete(p); });
    this.#running.add(p);
  }

  /** Own a promise already running (a watcher); its rejection goes to onError. */
  track(promise: Promise<unknown>): void {
    this.run(() => promise);
  }

  /** Run `fn` as an owned job after `ms`, unless the handle is cancelled or the group closed first. */
  after(ms: number, fn: () => Promise<unknown>): TimerHandle {
    if (this.#closed) return { cancel: () => undefined };
    const raw = this.#o.clock.setTimeout(() => {
      this.#timers.delete(raw);
      this.run(fn);
    }, ms);
    this.#timers.add(raw);
    return { cancel: () => { raw.cancel(); this.#timers.delete(raw); } };
  }

  /** No new jobs; pending timers cancelled; resolves when the running jobs (and the ones they start) have ended. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const t of this.#timers) t.cancel();
    this.#timers.clear();
    while (this.#running.size > 0) await Promise.allSettled([...this.#running]);
  }
}
