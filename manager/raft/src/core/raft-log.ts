import { RaftError } from './errors.js';
import { entriesWithinBytes, entrySize } from './entry-size.js';
import type { LogStorage } from './log-storage.js';
import type { Entry, Snapshot } from './types.js';

/**
 * The node's view of the log: the stable part (LogStorage) plus the unstable
 * tail not yet persisted (entries and/or an incoming snapshot), and the commit
 * and applied indexes. Invariant: applied <= committed <= lastIndex.
 */
export class RaftLog {
  readonly #storage: LogStorage;
  /** A snapshot received from the leader, not yet persisted. */
  #unstableSnapshot: Snapshot | undefined;
  /** Entries not yet persisted; the first is at #unstableOffset. */
  #unstable: Entry[] = [];
  #unstableOffset: number;
  committed: number;
  applied: number;
  readonly #maxApplyBytes: number;

  constructor(storage: LogStorage, maxApplyBytes: number) {
    this.#storage = storage;
    this.#unstableOffset = storage.lastIndex() + 1;
    this.committed = storage.firstIndex() - 1;
    this.applied = storage.firstIndex() - 1;
    this.#maxApplyBytes = maxApplyBytes;
  }

  get storage(): LogStorage {
    return this.#storage;
  }

  firstIndex(): number {
    if (this.#unstableSnapshot !== undefined) return this.#unstableSnapshot.meta.index + 1;
    return this.#storage.firstIndex();
  }

  lastIndex(): number {
    if (this.#unstable.length > 0) return this.#unstableOffset + this.#unstable.length - 1;
    if (this.#unstableSnapshot !== undefined) return this.#unstableSnapshot.meta.index;
    return this.#storage.lastIndex();
  }

  /** The term of entry i; throws RAFT_COMPACTED / RAFT_UNAVAILABLE outside [firstIndex-1, lastIndex]. */
  term(i: number): number {
    if (i === 0) return 0;
    if (this.#unstableSnapshot !== undefined && i === this.#unstableSnapshot.meta.index) return this.#unstableSnapshot.meta.term;
    if (i > this.lastIndex()) throw new RaftError('UNAVAILABLE', `index ${i} is beyond the last index ${this.lastIndex()}`);
    if (i < this.firstIndex() - 1) throw new RaftError('COMPACTED', `index ${i} is compacted`);
    if (i >= this.#unstableOffset && this.#unstable.length > 0) return this.#unstable[i - this.#unstableOffset]!.term;
    return this.#storage.term(i);
  }

  /** The term of entry i, or undefined when it is compacted or missing. */
  termOrUndefined(i: number): number | undefined {
    if (i === 0) return 0;
    if (i < this.firstIndex() - 1 || i > this.lastIndex()) return undefined;
    return this.term(i);
  }

  lastTerm(): number {
    return this.term(this.lastIndex());
  }

  matchTerm(i: number, term: number): boolean {
    return this.termOrUndefined(i) === term;
  }

  /** Raft §5.4.1: is (lastIndex, lastTerm) at least as up to date as this log? */
  isUpToDate(lastIndex: number, lastTerm: number): boolean {
    const myTerm = this.lastTerm();
    return lastTerm > myTerm || (lastTerm === myTerm && lastIndex >= this.lastIndex());
  }

  /** Entries in [lo, hi) from storage and the unstable tail, within maxBytes (at least one). */
  slice(lo: number, hi: number, maxBytes = Number.POSITIVE_INFINITY): Entry[] {
    if (lo >= hi) return [];
    if (lo < this.firstIndex()) throw new RaftError('COMPACTED', `index ${lo} is compacted`);
    if (hi > this.lastIndex() + 1) throw new RaftError('UNAVAILABLE', `index ${hi - 1} is beyond the last index`);
    let ents: Entry[] = [];
    if (lo < this.#unstableOffset) {
      const stableHi = Math.min(hi, this.#unstableOffset);
      ents = this.#storage.entries(lo, stableHi, maxBytes);
      if (ents.length < stableHi - lo) return ents;
    }
    if (hi > this.#unstableOffset) {
      const from = Math.max(lo, this.#unstableOffset);
      ents = ents.concat(this.#unstable.slice(from - this.#unstableOffset, hi - this.#unstableOffset));
    }
    return entriesWithinBytes(ents, maxBytes);
  }

  /** Entries from index i to the end, within maxBytes. */
  entriesFrom(i: number, maxBytes: number): Entry[] {
    if (i > this.lastIndex()) return [];
    return this.slice(i, this.lastIndex() + 1, maxBytes);
  }

  /** Append entries (leader path): they must follow or overwrite uncommitted entries. Returns lastIndex. */
  append(ents: readonly Entry[]): number {
    if (ents.length === 0) return this.lastIndex();
    const after = ents[0]!.index - 1;
    if (after < this.committed) throw new Error(`raft invariant: append at ${after + 1} would overwrite committed ${this.committed}`);
    this.#truncateAndAppend(ents);
    return this.lastIndex();
  }

  #truncateAndAppend(ents: readonly Entry[]): void {
    const first = ents[0]!.index;
    if (first === this.#unstableOffset + this.#unstable.length) {
      this.#unstable = this.#unstable.concat(ents);
    } else if (first <= this.#unstableOffset) {
      // Replace the whole unstable tail; storage keeps entries below `first`
      // and the driver's append overwrites the rest.
      this.#unstableOffset = first;
      this.#unstable = [...ents];
    } else {
      this.#unstable = this.#unstable.slice(0, first - this.#unstableOffset).concat(ents);
    }
  }

  /** The index of the first entry whose term conflicts with the log (or is new), 0 when all match. */
  findConflict(ents: readonly Entry[]): number {
    for (const e of ents) {
      if (!this.matchTerm(e.index, e.term)) return e.index;
    }
    return 0;
  }

  /**
   * The largest index <= `index` whose term is <= `term` (fast back-tracking),
   * stopping at the first compacted or missing index.
   */
  findConflictByTerm(index: number, term: number): number {
    let i = Math.min(index, this.lastIndex());
    for (; i > 0; i--) {
      const t = this.termOrUndefined(i);
      if (t === undefined || t <= term) break;
    }
    return i;
  }

  /** Follower append: returns the last new index, or undefined when (prevIndex, prevTerm) does not match. */
  maybeAppend(prevIndex: number, prevTerm: number, committed: number, ents: readonly Entry[]): number | undefined {
    if (!this.matchTerm(prevIndex, prevTerm)) return undefined;
    const lastNew = prevIndex + ents.length;
    const ci = this.findConflict(ents);
    if (ci !== 0) {
      if (ci <= this.committed) throw new Error(`raft invariant: entry ${ci} conflicts with committed ${this.committed}`);
      this.#truncateAndAppend(ents.slice(ci - prevIndex - 1));
    }
    this.commitTo(Math.min(committed, lastNew));
    return lastNew;
  }

  commitTo(i: number): void {
    if (i <= this.committed) return;
    if (i > this.lastIndex()) throw new Error(`raft invariant: commit ${i} is beyond the last index ${this.lastIndex()}`);
    this.committed = i;
  }

  appliedTo(i: number): void {
    if (i === 0) return;
    if (i > this.committed || i < this.applied) throw new Error(`raft invariant: applied ${i} outside [${this.applied}, ${this.committed}]`);
    this.applied = i;
  }

  hasPendingSnapshot(): boolean {
    return this.#unstableSnapshot !== undefined;
  }

  unstableSnapshot(): Snapshot | undefined {
    return this.#unstableSnapshot;
  }

  unstableEntries(): readonly Entry[] {
    return this.#unstable;
  }

  hasNextCommittedEntries(): boolean {
    return this.#unstableSnapshot === undefined && this.committed > this.applied;
  }

  /** Committed entries not applied yet (none while a snapshot is pending), within the apply size limit. */
  nextCommittedEntries(): Entry[] {
    if (!this.hasNextCommittedEntries()) return [];
    const lo = Math.max(this.applied + 1, this.firstIndex());
    return this.slice(lo, this.committed + 1, this.#maxApplyBytes);
  }

  /** The driver persisted entries up to (index, term): drop them from the unstable tail. */
  stableTo(index: number, term: number): void {
    if (this.#unstable.length === 0) return;
    const t = this.termOrUndefined(index);
    if (t !== term || index < this.#unstableOffset) return;
    const n = index - this.#unstableOffset + 1;
    this.#unstable = this.#unstable.slice(n);
    this.#unstableOffset = index + 1;
  }

  /** The driver persisted the snapshot at `index`. */
  stableSnapshotTo(index: number): void {
    if (this.#unstableSnapshot !== undefined && this.#unstableSnapshot.meta.index === index) this.#unstableSnapshot = undefined;
  }

  /** Replace the log with a snapshot (follower installing the leader's snapshot). */
  restore(snap: Snapshot): void {
    this.committed = snap.meta.index;
    this.#unstableSnapshot = snap;
    this.#unstable = [];
    this.#unstableOffset = snap.meta.index + 1;
  }

  /** Total data bytes of entries. */
  static sizeOf(ents: readonly Entry[]): number {
    let n = 0;
    for (const e of ents) n += entrySize(e);
    return n;
  }
}
