import type { LogStorage } from './log-storage.js';
import type { NodeId, Rand } from './types.js';

/** Configuration of one Raft node. Durations are in ticks (the driver decides how long a tick is). */
export interface RaftConfig {
  /** This node's id (non-empty). */
  readonly id: NodeId;
  /** The stable log; also gives the initial hard state and membership. */
  readonly storage: LogStorage;
  /** Seeded randomness for the randomised election timeout. */
  readonly rand: Rand;
  /** A follower that hears from no leader for a random time in
   * [electionTicks, 2*electionTicks) campaigns. Default 10. Must exceed heartbeatTicks. */
  readonly electionTicks?: number;
  /** The leader sends heartbeats every heartbeatTicks. Default 1. */
  readonly heartbeatTicks?: number;
  /** Max append messages in flight to one peer in the replicate state. Default 256. */
  readonly maxInflightMsgs?: number;
  /** Max bytes of entry data in one append message (at least one entry is always sent). Default 1 MiB. */
  readonly maxSizePerMsg?: number;
  /** Max bytes of committed entries handed out in one Ready. Default 16 MiB. */
  readonly maxCommittedSizePerReady?: number;
  /** Max bytes of uncommitted entry data the leader accepts before dropping proposals. Default 0 = unlimited. */
  readonly maxUncommittedEntriesSize?: number;
  /** Bytes of snapshot data per snapshot chunk message. Default 1 MiB. */
  readonly maxSnapshotChunkBytes?: number;
  /** Run a pre-vote round before bumping the term (a partitioned node cannot disrupt). Default true. */
  readonly preVote?: boolean;
  /** The leader steps down when it has not heard from a quorum within an election timeout;
   * followers ignore vote requests while they have a live leader (leader lease). Default true. */
  readonly checkQuorum?: boolean;
  /** The index already applied by the state machine (on restart). Default: the snapshot index. */
  readonly applied?: number;
  /** A learner whose match is within this many entries of the leader's last index counts as
   * caught up (promotion allowed). Default 0 (fully caught up). */
  readonly learnerCatchUpSlack?: number;
}

/** RaftConfig with every default filled in. */
export interface ResolvedConfig {
  readonly id: NodeId;
  readonly storage: LogStorage;
  readonly rand: Rand;
  readonly electionTicks: number;
  readonly heartbeatTicks: number;
  readonly maxInflightMsgs: number;
  readonly maxSizePerMsg: number;
  readonly maxCommittedSizePerReady: number;
  readonly maxUncommittedEntriesSize: number;
  readonly maxSnapshotChunkBytes: number;
  readonly preVote: boolean;
  readonly checkQuorum: boolean;
  readonly applied: number | undefined;
  readonly learnerCatchUpSlack: number;
}
