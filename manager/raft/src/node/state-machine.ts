import type { Entry, Snapshot } from '../core/types.js';

/**
 * The replicated application state a RaftNode drives (declared by its
 * consumer, the driver). Every replica calls these in the same order with the
 * same entries, so `apply` must be deterministic: no clock, no randomness
 * (those travel in the entry data).
 */
export interface StateMachine {
  /** Apply one committed normal entry with non-empty data (leader no-ops and conf changes are not passed). */
  apply(entry: Entry): void | Promise<void>;
  /** Serialise the state as of the last applied entry (taken between applies). */
  snapshot(): Uint8Array | Promise<Uint8Array>;
  /** Replace the state with a snapshot's (on start-up and when the leader sends one). */
  restore(snapshot: Snapshot): void | Promise<void>;
}
