/**
 * The simulated network between real RaftNodes: one `Transport` per node
 * incarnation, deliveries as scheduler events. Messages are dropped, delayed
 * (so they reorder) and duplicated by the seed's fault profile; directed
 * links can be cut (partitions); heartbeat acknowledgements are also held
 * back for up to a few election timeouts and duplicated, so that late and
 * repeated acks reach later ReadIndex rounds. A sender sometimes learns that
 * a cut link is down (onUnreachable), as a stream reset would tell it.
 */
import type { Message, NodeId } from '../core/index.js';
import type { Transport } from '../transport/index.js';
import type { SeededRand } from './seeded-rand.js';
import type { SimScheduler } from './sim-scheduler.js';

/** Fault rates; delays in simulated milliseconds. */
export interface LinkFaults {
  drop: number;
  duplicate: number;
  minDelay: number;
  maxDelay: number;
  /** Probability that a heartbeat acknowledgement is held back (and maybe duplicated). */
  lateAcks: number;
  /** The longest hold of a late acknowledgement. */
  lateAckMaxDelay: number;
}

interface Endpoint {
  readonly incarnation: string;
  onMessage: ((m: Message) => void) | undefined;
  onUnreachable: ((peer: NodeId) => void) | undefined;
  closed: boolean;
}

export class SimLinks {
  readonly #sched: SimScheduler;
  readonly #rand: SeededRand;
  faults: LinkFaults;
  readonly #endpoints = new Map<NodeId, Endpoint>();
  readonly #cuts = new Set<string>();
  /** Called for every message handed to a node (for the trace and the checks). */
  onDeliver: ((m: Message) => void) | undefined;
  sent = 0;
  dropped = 0;
  delivered = 0;
  lateAcks = 0;

  constructor(sched: SimScheduler, rand: SeededRand, faults: LinkFaults) {
    this.#sched = sched;
    this.#rand = rand;
    this.faults = faults;
  }

  /** The transport of one incarnation of node `id`; replaces the previous incarnation's. */
  transport(id: NodeId, incarnation: string): Transport {
    const ep: Endpoint = { incarnation, onMessage: undefined, onUnreachable: undefined, closed: false };
    this.#endpoints.set(id, ep);
    return {
      send: (messages) => {
        if (ep.closed) return;
        for (const m of messages) this.#send(m);
      },
      onMessage: (h) => {
        ep.onMessage = h;
      },
      onUnreachable: (h) => {
        ep.onUnreachable = h;
      },
      addPeer: () => undefined,
      removePeer: () => undefined,
      close: () => {
        ep.closed = true;
        return Promise.resolve();
      },
    };
  }

  /** Takes a crashed incarnation off the network. */
  disconnect(id: NodeId): void {
    const ep = this.#endpoints.get(id);
    if (ep !== undefined) ep.closed = true;
  }

  isCut(from: NodeId, to: NodeId): boolean {
    return this.#cuts.has(`${from}->${to}`);
  }

  cut(from: NodeId, to: NodeId): void {
    this.#cuts.add(`${from}->${to}`);
  }

  uncut(from: NodeId, to: NodeId): void {
    this.#cuts.delete(`${from}->${to}`);
  }

  heal(): void {
    this.#cuts.clear();
  }

  /** Splits the nodes into groups that cannot reach each other. */
  partition(groups: readonly (readonly NodeId[])[]): void {
    for (const g of groups) for (const h of groups) if (g !== h) for (const a of g) for (const b of h) this.cut(a, b);
  }

  #send(m: Message): void {
    this.sent++;
    const f = this.faults;
    if (this.isCut(m.from, m.to) || this.#rand.chance(f.drop)) {
      this.dropped++;
      if (this.isCut(m.from, m.to) && this.#rand.chance(0.3)) {
        const from = this.#endpoints.get(m.from);
        this.#sched.at(1, () => {
          if (from !== undefined && !from.closed) from.onUnreachable?.(m.to);
        });
      }
      return;
    }
    let copies = this.#rand.chance(f.duplicate) ? 2 : 1;
    let extra = 0;
    if (m.type === 'heartbeat-resp' && this.#rand.chance(f.lateAcks)) {
      this.lateAcks++;
      extra = this.#rand.int(f.lateAckMaxDelay + 1);
      if (this.#rand.chance(0.3)) copies = 2;
    }
    for (let c = 0; c < copies; c++) {
      const delay = f.minDelay + this.#rand.int(f.maxDelay - f.minDelay + 1) + (c === 0 ? extra : this.#rand.int(extra + 1));
      this.#sched.at(delay, () => this.#deliver(m));
    }
  }

  #deliver(m: Message): void {
    const ep = this.#endpoints.get(m.to);
    if (this.isCut(m.from, m.to) || ep === undefined || ep.closed || ep.onMessage === undefined) {
      this.dropped++;
      return;
    }
    this.delivered++;
    this.onDeliver?.(m);
    ep.onMessage(m);
  }
}
