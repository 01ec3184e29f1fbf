/**
 * Simulated time for the real driver: a clock in milliseconds and a queue of
 * callbacks ordered by (time, insertion). RaftNode's tick and request
 * timers, the disk's fsync latency and message deliveries are all events
 * here, so a run depends only on its seed. Timers belong to an owner (one
 * incarnation of a node) so that a crash cancels all of them at once.
 */
import type { TimerHandle, Timers } from '../transport/index.js';

interface Event {
  readonly at: number;
  readonly seq: number;
  readonly owner: string;
  readonly fn: () => void;
  cancelled: boolean;
}

export class SimScheduler {
  #now = 0;
  #seq = 0;
  readonly #heap: Event[] = [];
  readonly #dead = new Set<string>();

  get now(): number {
    return this.#now;
  }

  get pending(): number {
    return this.#heap.length;
  }

  /** Runs `fn` at now + `ms` (never earlier than now). */
  at(ms: number, fn: () => void, owner = ''): TimerHandle {
    const ev: Event = { at: this.#now + Math.max(0, ms), seq: this.#seq++, owner, fn, cancelled: false };
    this.#push(ev);
    return {
      cancel: () => {
        ev.cancelled = true;
      },
    };
  }

  /** Timers for one owner (injected into its RaftNode). */
  timersFor(owner: string): Timers {
    return { setTimeout: (fn, ms) => this.at(ms, fn, owner) };
  }

  /** Cancels every present and future timer of `owner` (a crashed incarnation). */
  kill(owner: string): void {
    this.#dead.add(owner);
  }

  /** Time of the next live event (undefined when none). */
  peek(): number | undefined {
    this.#dropCancelled();
    return this.#heap[0]?.at;
  }

  /** Advances the clock to the next live event and runs it; false when none is due by `until`. */
  runNext(until: number): boolean {
    this.#dropCancelled();
    const top = this.#heap[0];
    if (top === undefined || top.at > until) {
      this.#now = Math.max(this.#now, until);
      return false;
    }
    this.#pop();
    this.#now = top.at;
    top.fn();
    return true;
  }

  #dropCancelled(): void {
    for (;;) {
      const top = this.#heap[0];
      if (top === undefined || !(top.cancelled || this.#dead.has(top.owner))) return;
      this.#pop();
    }
  }

  #push(ev: Event): void {
    const h = this.#heap;
    h.push(ev);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!before(h[i] as Event, h[p] as Event)) break;
      [h[i], h[p]] = [h[p] as Event, h[i] as Event];
      i = p;
    }
  }

  #pop(): void {
    const h = this.#heap;
    const last = h.pop() as Event;
    if (h.length === 0) return;
    h[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && before(h[l] as Event, h[m] as Event)) m = l;
      if (r < h.length && before(h[r] as Event, h[m] as Event)) m = r;
      if (m === i) return;
      [h[i], h[m]] = [h[m] as Event, h[i] as Event];
      i = m;
    }
  }
}

function before(a: Event, b: Event): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}
