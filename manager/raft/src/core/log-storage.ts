import type { ConfState, Entry, HardState, Snapshot } from './types.js';

/** What storage returns on start-up. */
export interface InitialState {
  readonly hardState: HardState;
  readonly confState: ConfState;
}

/**
 * The stable log as the core reads it (declared by its consumer, the core).
 * Synchronous: an implementation keeps what it needs in memory (the WAL keeps
 * a MemoryStorage as its cache). Indexes in [firstIndex, lastIndex] are
 * readable; `firstIndex - 1` is the snapshot index, whose term `term()` also
 * answers. Errors: RaftError RAFT_COMPACTED below the snapshot, RAFT_UNAVAILABLE
 * beyond lastIndex, RAFT_SNAPSHOT_TEMPORARILY_UNAVAILABLE from snapshot().
 */
export interface LogStorage {
  initialState(): InitialState;
  /** Entries in [lo, hi), at least one even if it exceeds maxBytes (sum of data lengths). */
  entries(lo: number, hi: number, maxBytes?: number): Entry[];
  /** The term of entry i, for i in [firstIndex - 1, lastIndex]. */
  term(i: number): number;
  firstIndex(): number;
  lastIndex(): number;
  /** The most recent snapshot (the leader sends it to followers that need compacted entries). */
  snapshot(): Snapshot;
}
