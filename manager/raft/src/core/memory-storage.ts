import { RaftError } from './errors.js';
import type { InitialState, LogStorage } from './log-storage.js';
import type { ConfState, Entry, HardState, Snapshot } from './types.js';
import { NONE } from './types.js';
import { entriesWithinBytes } from './entry-size.js';

const EMPTY = new Uint8Array(0);

/**
 * An in-memory LogStorage with the write side the driver uses: `append`,
 * `setHardState`, `applySnapshot`, `createSnapshot`, `compact`. Tests use it
 * as the stable log; the WAL keeps one as its cache. Entry arrays are
 * copied, entries themselves are shared (treat them as immutable).
 */
export class MemoryStorage implements LogStorage {
  #hardState: HardState = { term: 0, vote: NONE, commit: 0 };
  #snapshot: Snapshot = { meta: { index: 0, term: 0, confState: { voters: [], learners: [] } }, data: EMPTY };
  /** ents[0] is a dummy entry at the snapshot index (its term is the snapshot term). */
  #ents: Entry[] = [{ term: 0, index: 0, type: 'normal', data: EMPTY }];

  /**
   * `initialConfState` sets the membership of the empty log (a snapshot at index 0).
   * For tests of fixed membership only: nodes added later cannot learn it from the
   * log; real clusters start from `bootstrapLog`.
   */
  constructor(opts: { initialConfState?: ConfState } = {}) {
    if (opts.initialConfState !== undefined) {
      const cs = opts.initialConfState;
      this.#snapshot = { meta: { index: 0, term: 0, confState: { voters: [...cs.voters], learners: [...cs.learners] } }, data: EMPTY };
    }
  }

  initialState(): InitialState {
    return { hardState: this.#hardState, confState: this.#snapshot.meta.confState };
  }

  /** The persisted hard state. */
  hardState(): HardState {
    return this.#hardState;
  }

  setHardState(hs: HardState): void {
    this.#hardState = hs;
  }

  #offset(): number {
    return this.#ents[0]!.index;
  }

  firstIndex(): number {
    return this.#offset() + 1;
  }

  lastIndex(): number {
    return this.#offset() + this.#ents.length - 1;
  }

  term(i: number): number {
    const offset = this.#offset();
    if (i < offset) throw new RaftError('COMPACTED', `index ${i} is compacted (snapshot at ${offset})`, { index: i });
    if (i > this.lastIndex()) throw new RaftError('UNAVAILABLE', `index ${i} is beyond the last index ${this.lastIndex()}`, { index: i });
    return this.#ents[i - offset]!.term;
  }

  entries(lo: number, hi: number, maxBytes?: number): Entry[] {
    const offset = this.#offset();
    if (lo <= offset) throw new RaftError('COMPACTED', `index ${lo} is compacted (snapshot at ${offset})`, { index: lo });
    if (hi > this.lastIndex() + 1) throw new RaftError('UNAVAILABLE', `index ${hi - 1} is beyond the last index ${this.lastIndex()}`, { index: hi - 1 });
    const ents = this.#ents.slice(lo - offset, hi - offset);
    return maxBytes === undefined ? ents : entriesWithinBytes(ents, maxBytes);
  }

  snapshot(): Snapshot {
    return this.#snapshot;
  }

  /** Append entries; entries at indexes already stored replace them and everything after. */
  append(entries: readonly Entry[]): void {
    if (entries.length === 0) return;
    const first = this.firstIndex();
    const last = entries[0]!.index + entries.length - 1;
    if (last < first) return;
    let ents = entries;
    if (first > ents[0]!.index) ents = ents.slice(first - ents[0]!.index);
    const at = ents[0]!.index - this.#offset();
    if (at > this.#ents.length) {
      throw new RaftError('UNAVAILABLE', `missing log entries: last ${this.lastIndex()}, appended at ${ents[0]!.index}`);
    }
    this.#ents = this.#ents.slice(0, at).concat(ents);
  }

  /** Replace the whole log with a snapshot (a follower installing the leader's snapshot). */
  applySnapshot(snap: Snapshot): void {
    if (snap.meta.index <= this.#snapshot.meta.index) {
      throw new RaftError('SNAPSHOT_OUT_OF_DATE', `snapshot ${snap.meta.index} is not newer than ${this.#snapshot.meta.index}`);
    }
    this.#snapshot = snap;
    this.#ents = [{ term: snap.meta.term, index: snap.meta.index, type: 'normal', data: EMPTY }];
  }

  /** Record a snapshot of the state machine at applied index `index` (does not compact). */
  createSnapshot(index: number, confState: ConfState, data: Uint8Array): Snapshot {
    if (index <= this.#snapshot.meta.index) {
      throw new RaftError('SNAPSHOT_OUT_OF_DATE', `snapshot ${index} is not newer than ${this.#snapshot.meta.index}`);
    }
    const term = this.term(index);
    this.#snapshot = { meta: { index, term, confState: { voters: [...confState.voters], learners: [...confState.learners] } }, data };
    return this.#snapshot;
  }

  /** Discard entries up to and including `compactIndex` (which must be <= the applied index). */
  compact(compactIndex: number): void {
    const offset = this.#offset();
    if (compactIndex <= offset) throw new RaftError('COMPACTED', `index ${compactIndex} is already compacted`);
    if (compactIndex > this.lastIndex()) throw new RaftError('UNAVAILABLE', `compact ${compactIndex} is beyond the last index ${this.lastIndex()}`);
    const dummy = this.#ents[compactIndex - offset]!;
    this.#ents = [{ term: dummy.term, index: dummy.index, type: 'normal', data: EMPTY }, ...this.#ents.slice(compactIndex - offset + 1)];
  }
}
