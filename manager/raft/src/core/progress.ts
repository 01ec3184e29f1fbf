import type { ProgressState, ProgressStatus, Snapshot } from './types.js';

/** A bounded window of append messages in flight to one peer (by last index sent). */
export class Inflights {
  readonly #cap: number;
  #items: number[] = [];

  constructor(cap: number) {
    this.#cap = cap;
  }

  get count(): number {
    return this.#items.length;
  }

  full(): boolean {
    return this.#items.length >= this.#cap;
  }

  add(lastIndex: number): void {
    this.#items.push(lastIndex);
  }

  /** Free every message whose last index is <= `index` (acknowledged). */
  freeLE(index: number): void {
    let n = 0;
    while (n < this.#items.length && this.#items[n]! <= index) n++;
    if (n > 0) this.#items = this.#items.slice(n);
  }

  freeFirstOne(): void {
    this.#items.shift();
  }

  reset(): void {
    this.#items = [];
  }
}

/**
 * The leader's view of one peer's log (etcd's Progress). `probe`: one append at
 * a time until the match point is found; `replicate`: optimistic pipelining up
 * to the inflight window; `snapshot`: sending a snapshot, appends paused.
 */
export class Progress {
  match = 0;
  next: number;
  state: ProgressState = 'probe';
  /** In probe state: an append was sent and not answered yet. */
  probeSent = false;
  /** Heard from since the last check-quorum round. */
  recentActive = false;
  /** The leader tick at which we last heard from the peer (for conf-change safety). */
  lastHeardTick: number;
  isLearner: boolean;
  readonly inflights: Inflights;
  /** In snapshot state: the snapshot being sent and the next byte offset to send. */
  snapshot: Snapshot | undefined;
  snapshotOffset = 0;

  constructor(next: number, maxInflight: number, isLearner: boolean, nowTick: number) {
    this.next = next;
    this.inflights = new Inflights(maxInflight);
    this.isLearner = isLearner;
    this.lastHeardTick = nowTick;
  }

  /** The index of the snapshot being sent (0 when not in snapshot state). */
  get pendingSnapshot(): number {
    return this.snapshot?.meta.index ?? 0;
  }

  #resetState(state: ProgressState): void {
    this.probeSent = false;
    this.snapshot = undefined;
    this.snapshotOffset = 0;
    this.state = state;
    this.inflights.reset();
  }

  becomeProbe(): void {
    if (this.state === 'snapshot') {
      const pending = this.pendingSnapshot;
      this.#resetState('probe');
      this.next = Math.max(this.match + 1, pending + 1);
    } else {
      this.#resetState('probe');
      this.next = this.match + 1;
    }
  }

  becomeReplicate(): void {
    this.#resetState('replicate');
    this.next = this.match + 1;
  }

  becomeSnapshot(snap: Snapshot): void {
    this.#resetState('snapshot');
    this.snapshot = snap;
  }

  /** An acknowledgement of index n: returns true when match moved forward. */
  maybeUpdate(n: number): boolean {
    let updated = false;
    if (this.match < n) {
      this.match = n;
      updated = true;
      this.probeSent = false;
    }
    this.next = Math.max(this.next, n + 1);
    return updated;
  }

  /** Replicate state: entries up to n were sent. */
  optimisticUpdate(n: number): void {
    this.next = n + 1;
  }

  /**
   * A rejection of the append at prevIndex `rejected`; `matchHint` is the
   * highest index that may match. Returns false when the rejection is stale.
   */
  maybeDecrTo(rejected: number, matchHint: number): boolean {
    if (this.state === 'replicate') {
      if (rejected <= this.match) return false;
      this.next = this.match + 1;
      return true;
    }
    if (this.next - 1 !== rejected) return false;
    this.next = Math.max(Math.min(rejected, matchHint + 1), this.match + 1, 1);
    this.probeSent = false;
    return true;
  }

  /** True when no append should be sent now (flow control). */
  isPaused(): boolean {
    switch (this.state) {
      case 'probe':
        return this.probeSent;
      case 'replicate':
        return this.inflights.full();
      case 'snapshot':
        return true;
    }
  }

  status(): ProgressStatus {
    return {
      match: this.match,
      next: this.next,
      state: this.state,
      recentActive: this.recentActive,
      isLearner: this.isLearner,
      inflight: this.inflights.count,
    };
  }
}
