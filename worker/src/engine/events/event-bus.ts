import type { Clock, EngineEvent, EngineEventInput, Filters, TimerHandle } from '@shoal/common';
import { eventMatches, validateEventFilters } from './event-filter.js';
import { eventsErrors } from './events-errors.js';

/** What a subsystem emits; the bus fills the time (and Docker's deprecated fields). */
export type EventInput = EngineEventInput;

/** Options of {@link EventBus}. */
export interface EventBusOptions {
  clock: Clock;
  /** Recent events kept for `since` (Docker keeps 256). Default 1024. */
  capacity?: number;
  /** Events queued for one slow subscriber before it is dropped (its stream ends). Default 4096. */
  maxQueue?: number;
}

interface Subscriber {
  filters: Filters;
  /** Unix nanoseconds; live events after it end the stream. */
  untilNano: number | undefined;
  queue: EngineEvent[];
  wake: (() => void) | undefined;
  closed: boolean;
}

/**
 * The engine's event bus: subsystems `emit`, the API `subscribe`s. Keeps a
 * ring of recent events for `since`, fans live events out to subscribers
 * and applies Docker's filters. Times come from the injected clock.
 * Subscribers never block emitters: each has a bounded queue and is
 * dropped (its stream ends) when it falls too far behind.
 */
export class EventBus {
  readonly #clock: Clock;
  readonly #capacity: number;
  readonly #maxQueue: number;
  readonly #ring: EngineEvent[] = [];
  #next = 0;
  readonly #subs = new Set<Subscriber>();

  constructor(opts: EventBusOptions) {
    this.#clock = opts.clock;
    this.#capacity = opts.capacity ?? 1024;
    this.#maxQueue = opts.maxQueue ?? 4096;
  }

  /** Number of live subscribers (/info NEventsListener). */
  get listenerCount(): number {
    return this.#subs.size;
  }

  /** Record an event now and deliver it to matching subscribers. Returns the event as stored. */
  emit(input: EventInput): EngineEvent {
    const ms = this.#clock.now();
    const ev: EngineEvent = {
      ...input,
      Actor: { ID: input.Actor.ID, Attributes: { ...input.Actor.Attributes } },
      scope: input.scope ?? 'local',
      time: Math.floor(ms / 1000),
      timeNano: Math.round(ms * 1e6),
    };
    // Docker still fills the pre-1.22 fields for container and image events.
    if (ev.Type === 'container' || ev.Type === 'image') {
      ev.status ??= ev.Action;
      ev.id ??= ev.Actor.ID;
      if (ev.Type === 'container' && ev.Actor.Attributes.image !== undefined) ev.from ??= ev.Actor.Attributes.image;
    }
    if (this.#ring.length < this.#capacity) this.#ring.push(ev);
    else this.#ring[this.#next] = ev;
    this.#next = (this.#next + 1) % this.#capacity;
    for (const sub of this.#subs) this.#deliver(sub, ev);
    return ev;
  }

  /** The buffered events, oldest first. */
  recent(): EngineEvent[] {
    return this.#ring.length < this.#capacity
      ? [...this.#ring]
      : [...this.#ring.slice(this.#next), ...this.#ring.slice(0, this.#next)];
  }

  /**
   * Past events with since <= time <= until (only when `since` is given, as
   * Docker), then live ones until `until` passes or `signal` aborts. Checks
   * the filters and registers the subscription synchronously, so nothing
   * emitted after this call is missed and a bad filter throws here (400).
   */
  subscribe(opts: { since?: number; until?: number; filters?: Filters }, signal: AbortSignal): AsyncIterable<EngineEvent> {
    const filters = opts.filters ?? {};
    validateEventFilters(filters);
    if (opts.since !== undefined && opts.until !== undefined && opts.since > opts.until) {
      throw eventsErrors.make('BAD_TIME_RANGE', `since time (${opts.since}) cannot be after until time (${opts.until})`);
    }
    const sinceNano = opts.since === undefined ? undefined : opts.since * 1e9;
    const untilNano = opts.until === undefined ? undefined : opts.until * 1e9;
    const past = sinceNano === undefined
      ? []
      : this.recent().filter((e) => e.timeNano >= sinceNano && (untilNano === undefined || e.timeNano <= untilNano) && eventMatches(filters, e));

    const nowMs = this.#clock.now();
    const onlyPast = untilNano !== undefined && untilNano <= nowMs * 1e6;
    const sub: Subscriber = { filters, untilNano, queue: [], wake: undefined, closed: onlyPast || signal.aborted };
    let timer: TimerHandle | undefined;
    const close = (): void => {
      sub.closed = true;
      this.#subs.delete(sub);
      timer?.cancel();
      signal.removeEventListener('abort', close);
      const w = sub.wake;
      sub.wake = undefined;
      w?.();
    };
    if (!sub.closed) {
      this.#subs.add(sub);
      signal.addEventListener('abort', close, { once: true });
      if (untilNano !== undefined) timer = this.#clock.setTimeout(close, untilNano / 1e6 - nowMs);
    }

    return (async function* stream(): AsyncGenerator<EngineEvent> {
      try {
        for (const e of past) {
          if (signal.aborted) return;
          yield e;
        }
        for (;;) {
          const e = sub.queue.shift();
          if (e !== undefined) { yield e; continue; }
          if (sub.closed) return;
          await new Promise<void>((resolve) => { sub.wake = resolve; });
        }
      } finally {
        close();
      }
    })();
  }

  #deliver(sub: Subscriber, ev: EngineEvent): void {
    if (sub.closed || !eventMatches(sub.filters, ev)) return;
    if (sub.untilNano !== undefined && ev.timeNano > sub.untilNano) return;
    if (sub.queue.length >= this.#maxQueue) {
      // Too slow: end its stream rather than hold the emitters or grow without bound.
      sub.closed = true;
      this.#subs.delete(sub);
    } else {
      sub.queue.push(ev);
    }
    const w = sub.wake;
    sub.wake = undefined;
    w?.();
  }
}
