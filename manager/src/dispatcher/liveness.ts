/**
 * Node liveness from heartbeats: a node whose session beats is `ready`; a
 * node that misses its heartbeats for three periods (swarmkit's grace) is
 * marked `down` ("heartbeat failure"), and the orchestrators move its tasks.
 * When this starts (a manager starts or becomes leader) every node gets a
 * full grace period to reconnect before it counts as down. Every node is
 * watched, the managers' own too (their agents beat like any other);
 * `selfId` leaves one out (tests).
 */
import type { Clock, Logger, SwarmNode, TimerHandle } from '@shoal/common';
import type { Store, WriteTx } from '../store/index.js';

/** Missed periods before a node is down (swarmkit's GracePeriodMultiplierNormal). */
export const GRACE_PERIODS = 3;

export class NodeLiveness {
  readonly #o: { store: Store; clock: Clock; selfId: string; periodMs: () => number; log: Logger };
  readonly #last = new Map<string, number>();
  #timer: TimerHandle | undefined;
  #stopped = false;

  constructor(o: { store: Store; clock: Clock; selfId: string; periodMs: () => number; log: Logger }) {
    this.#o = o;
  }

  start(): void {
    const now = this.#o.clock.now();
    for (const n of this.#o.store.view((tx) => tx.list('nodes'))) this.#last.set(n.ID, now);
    this.#schedule();
  }

  stop(): void {
    this.#stopped = true;
    this.#timer?.cancel();
  }

  /** A heartbeat (or a session start) of `nodeId`: it is ready. */
  async beat(nodeId: string): Promise<void> {
    this.#last.set(nodeId, this.#o.clock.now());
    await this.#setState(nodeId, 'ready', '');
  }

  #schedule(): void {
    if (this.#stopped) return;
    this.#timer = this.#o.clock.setTimeout(() => { void this.#check(); }, this.#o.periodMs());
  }

  async #check(): Promise<void> {
    const now = this.#o.clock.now();
    const limit = GRACE_PERIODS * this.#o.periodMs();
    const nodes = this.#o.store.view((tx) => tx.list('nodes')) as unknown as SwarmNode[];
    await Promise.all(nodes.filter((n) => n.ID !== this.#o.selfId && n.Status.State !== 'down').map(async (n) => {
      const last = this.#last.get(n.ID) ?? now;
      if (!this.#last.has(n.ID)) this.#last.set(n.ID, now);
      if (now - last <= limit) return;
      this.#o.log.warn({ node: n.ID, silentMs: now - last }, 'node missed its heartbeats: down');
      await this.#setState(n.ID, 'down', 'heartbeat failure').catch(() => undefined);
    }));
    this.#schedule();
  }

  async #setState(nodeId: string, state: 'ready' | 'down', message: string): Promise<void> {
    await this.#o.store.update((tx: WriteTx) => {
      const n = tx.get('nodes', nodeId) as unknown as SwarmNode | undefined;
      if (n === undefined || n.Status.State === state) return;
      tx.update('nodes', { ...structuredClone(n), Status: { ...structuredClone(n.Status), State: state, ...(message !== '' ? { Message: message } : { Message: '' }) } } as unknown as Parameters<WriteTx['update']>[1]);
    });
  }
}
