/**
 * The driver's bookkeeping of requests waiting on the log: proposals waiting
 * to be applied, ReadIndex requests waiting for confirmation and apply, and
 * leader transfers waiting for the new leader. Pure: timers are injected.
 */
import { RaftError } from '../core/index.js';
import type { Entry, NodeId, ReadState } from '../core/index.js';
import type { TimerHandle, Timers } from '../transport/index.js';
import { RaftNodeError } from './errors.js';

/** What a committed proposal resolves with. */
export interface Committed {
  readonly index: number;
  /** The term of the entry at `index`: the one proposed. */
  readonly term: number;
}

interface Waiter {
  readonly term: number;
  readonly resolve: (c: Committed) => void;
  readonly reject: (err: unknown) => void;
}

interface PendingRead {
  index: number | undefined;
  readonly resolve: () => void;
  readonly reject: (err: unknown) => void;
  readonly timer: TimerHandle;
}

interface PendingTransfer {
  readonly to: NodeId;
  readonly resolve: () => void;
  readonly reject: (err: unknown) => void;
  readonly timer: TimerHandle;
}

/** Requests waiting on the log; see the module comment. */
export class PendingRequests {
  readonly #timers: Timers;
  readonly #timeoutMs: number;
  readonly #waiters = new Map<number, Waiter>();
  readonly #reads = new Map<string, PendingRead>();
  #transfers: PendingTransfer[] = [];

  constructor(timers: Timers, timeoutMs: number) {
    this.#timers = timers;
    this.#timeoutMs = timeoutMs;
  }

  /** A proposal appended at (index, term): settled when that index is applied. */
  addProposal(index: number, term: number, resolve: (c: Committed) => void, reject: (err: unknown) => void): void {
    this.#waiters.set(index, { term, resolve, reject });
  }

  /** Entry `e` was applied: its waiter succeeds if the term matches (else its entry was replaced). */
  applied(e: Entry): void {
    const w = this.#waiters.get(e.index);
    if (w === undefined) return;
    this.#waiters.delete(e.index);
    if (w.term === e.term) w.resolve({ index: e.index, term: e.term });
    else w.reject(new RaftError('PROPOSAL_DROPPED', `the entry at ${e.index} was replaced by one of term ${e.term}`, { index: e.index }));
  }

  /**
   * A snapshot up to `index` replaced the log: proposals at or below it will
   * not be seen applied here. Each may be inside the snapshot or may have
   * been replaced before it: RAFT_OUTCOME_UNKNOWN, not retryable.
   */
  snapshotInstalled(index: number): void {
    for (const [i, lost] of this.#waiters) {
      if (i > index) continue;
      this.#waiters.delete(i);
      lost.reject(new RaftNodeError('OUTCOME_UNKNOWN', `a snapshot up to ${index} replaced the log before the entry at ${i} was applied here; it may or may not be in it`, { index: i }));
    }
  }

  /**
   * This node stopped being leader: its appended proposals may still commit
   * under the next leader, or not. Each fails with RAFT_OUTCOME_UNKNOWN
   * (details.leader: the new leader when known).
   */
  leadershipLost(leader: NodeId): void {
    for (const [i, w] of this.#waiters) {
      w.reject(new RaftNodeError('OUTCOME_UNKNOWN', `leadership was lost before the entry at ${i} was applied; it may still commit`, { index: i, leader }));
    }
    this.#waiters.clear();
  }

  /** A ReadIndex request with context `ctx`; fails with RAFT_READ_TIMEOUT if not served in time. */
  addRead(ctx: Uint8Array, resolve: () => void, reject: (err: unknown) => void): void {
    const key = keyOf(ctx);
    const timer = this.#timers.setTimeout(() => {
      if (this.#reads.delete(key)) reject(new RaftNodeError('READ_TIMEOUT', `read index not confirmed within ${this.#timeoutMs} ms`));
    }, this.#timeoutMs);
    this.#reads.set(key, { index: undefined, resolve, reject, timer });
  }

  /** The core confirmed a read: it can be served once applied >= rs.index. */
  readState(rs: ReadState): void {
    const r = this.#reads.get(keyOf(rs.context));
    if (r !== undefined) r.index = rs.index;
  }

  /** Serves the confirmed reads whose index is applied. */
  serveReads(applied: number): void {
    for (const [key, r] of this.#reads) {
      if (r.index === undefined || r.index > applied) continue;
      this.#reads.delete(key);
      r.timer.cancel();
      r.resolve();
    }
  }

  /** A leader transfer to `to`; fails with RAFT_TRANSFER_TIMEOUT if `to` does not lead in time. */
  addTransfer(to: NodeId, resolve: () => void, reject: (err: unknown) => void): void {
    const pending: PendingTransfer = {
      to,
      resolve,
      reject,
      timer: this.#timers.setTimeout(() => {
        this.#transfers = this.#transfers.filter((p) => p !== pending);
        reject(new RaftNodeError('TRANSFER_TIMEOUT', `leadership did not move to ${to} within ${this.#timeoutMs} ms`, { to }));
      }, this.#timeoutMs),
    };
    this.#transfers.push(pending);
  }

  /** `leader` leads now: transfers to it succeed. */
  leaderIs(leader: NodeId): void {
    const done = this.#transfers.filter((p) => p.to === leader);
    this.#transfers = this.#transfers.filter((p) => p.to !== leader);
    for (const p of done) {
      p.timer.cancel();
      p.resolve();
    }
  }

  /** Fails everything (the node stops). */
  failAll(make: () => Error): void {
    for (const w of this.#waiters.values()) w.reject(make());
    this.#waiters.clear();
    for (const r of this.#reads.values()) {
      r.timer.cancel();
      r.reject(make());
    }
    this.#reads.clear();
    for (const p of this.#transfers) {
      p.timer.cancel();
      p.reject(make());
    }
    this.#transfers = [];
  }
}

function keyOf(ctx: Uint8Array): string {
  let s = '';
  for (const b of ctx) s += b.toString(16).padStart(2, '0');
  return s;
}
