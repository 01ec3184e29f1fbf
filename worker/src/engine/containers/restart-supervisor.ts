/**
 * The restart supervisor: per container, the pending restart (a timer owned
 * by the manager's JobGroup, so close() waits for it) and Docker's restart
 * back-off. The decisions (whether, how long) are backoff.ts's, pure; this
 * holds their state between exits.
 */
import type { JobGroup, TimerHandle } from '@shoal/common';
import { DOCKER_BACKOFF, nextBackoff, type BackoffConfig } from './backoff.js';

interface Slot {
  timer: TimerHandle | null;
  backoffMs: number;
}

/** Pending restarts and back-off of the containers of one engine. */
export class RestartSupervisor {
  readonly #jobs: JobGroup;
  readonly #cfg: BackoffConfig;
  readonly #slots = new Map<string, Slot>();

  constructor(opts: { jobs: JobGroup; backoff?: BackoffConfig }) {
    this.#jobs = opts.jobs;
    this.#cfg = opts.backoff ?? DOCKER_BACKOFF;
  }

  #slot(id: string): Slot {
    let s = this.#slots.get(id);
    if (s === undefined) this.#slots.set(id, (s = { timer: null, backoffMs: 0 }));
    return s;
  }

  /** Whether a restart is scheduled. */
  pending(id: string): boolean {
    return this.#slots.get(id)?.timer != null;
  }

  /** Cancel a scheduled restart; true when one was pending. */
  cancel(id: string): boolean {
    const s = this.#slots.get(id);
    if (s?.timer == null) return false;
    s.timer.cancel();
    s.timer = null;
    return true;
  }

  /** A user start or restart: nothing pending, the back-off starts over. */
  reset(id: string): void {
    this.cancel(id);
    this.#slot(id).backoffMs = 0;
  }

  /** The delay before the restart that follows an exit after `ranMs` of running (grows, unless it ran long). */
  nextDelay(id: string, ranMs: number): number {
    const s = this.#slot(id);
    s.backoffMs = nextBackoff(this.#cfg, s.backoffMs, ranMs);
    return s.backoffMs;
  }

  /** Run `restart` after the current delay, as a job of the group. */
  schedule(id: string, restart: () => Promise<void>): void {
    const s = this.#slot(id);
    s.timer?.cancel();
    s.timer = this.#jobs.after(s.backoffMs, async () => {
      s.timer = null;
      await restart();
    });
  }

  /** The container is gone. */
  forget(id: string): void {
    this.cancel(id);
    this.#slots.delete(id);
  }

  /** Daemon stop: every pending restart cancelled. */
  cancelAll(): void {
    for (const id of this.#slots.keys()) this.cancel(id);
  }
}
