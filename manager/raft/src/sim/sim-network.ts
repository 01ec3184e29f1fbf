import type { Message, NodeId } from '../core/index.js';
import type { SeededRand } from './seeded-rand.js';

/** Fault rates of the simulated network. Delays are in simulation steps. */
export interface NetworkFaults {
  drop: number;
  duplicate: number;
  minDelay: number;
  maxDelay: number;
}

interface InFlight {
  at: number;
  seq: number;
  msg: Message;
}

/**
 * A seeded, lossy network: each message is dropped, delayed by a random number
 * of steps (so messages reorder) and possibly duplicated. Directed links can be
 * cut (symmetric and asymmetric partitions); a message is lost when its link is
 * cut at send or at delivery time.
 */
export class SimNetwork {
  readonly #rand: SeededRand;
  faults: NetworkFaults;
  #heap: InFlight[] = [];
  #seq = 0;
  #cuts = new Set<string>();
  sent = 0;
  dropped = 0;

  constructor(rand: SeededRand, faults: NetworkFaults) {
    this.#rand = rand;
    this.faults = faults;
  }

  #push(item: InFlight): void {
    const h = this.#heap;
    h.push(item);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!before(h[i]!, h[p]!)) break;
      [h[i], h[p]] = [h[p]!, h[i]!];
      i = p;
    }
  }

  #pop(): InFlight | undefined {
    const h = this.#heap;
    if (h.length === 0) return undefined;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && before(h[l]!, h[m]!)) m = l;
        if (r < h.length && before(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m]!, h[i]!];
        i = m;
      }
    }
    return top;
  }

  isCut(from: NodeId, to: NodeId): boolean {
    return this.#cuts.has(`${from}->${to}`);
  }

  send(m: Message, now: number): void {
    this.sent++;
    if (this.isCut(m.from, m.to) || this.#rand.chance(this.faults.drop)) {
      this.dropped++;
      return;
    }
    const copies = this.#rand.chance(this.faults.duplicate) ? 2 : 1;
    for (let c = 0; c < copies; c++) {
      const span = this.faults.maxDelay - this.faults.minDelay + 1;
      this.#push({ at: now + this.faults.minDelay + this.#rand.int(span), seq: this.#seq++, msg: m });
    }
  }

  /** Messages due at or before `now`, in delivery order; cut links lose theirs. */
  due(now: number): Message[] {
    const out: Message[] = [];
    while (this.#heap.length > 0 && this.#heap[0]!.at <= now) {
      const { msg } = this.#pop()!;
      if (this.isCut(msg.from, msg.to)) this.dropped++;
      else out.push(msg);
    }
    return out;
  }

  get inFlight(): number {
    return this.#heap.length;
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

  /** Split the nodes into groups that cannot talk to each other (symmetric). */
  partition(groups: readonly (readonly NodeId[])[]): void {
    for (const g of groups) for (const h of groups) if (g !== h) for (const a of g) for (const b of h) this.cut(a, b);
  }

  cutLinks(): string[] {
    return [...this.#cuts].sort();
  }
}

function before(a: InFlight, b: InFlight): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}
