import type { ConfChange, ConfState, HardState, Message, NodeId, ProposalTicket, RaftStatus, Ready, SnapshotStatus, SoftState } from './types.js';

/**
 * The API of a Raft node (implemented by RawNode), in the style of etcd-io/raft's
 * RawNode. Single-threaded, synchronous, no I/O: the driver feeds it with
 * ticks, messages and proposals and drains `ready()`.
 */
export interface RaftNodeApi {
  /** Advance logical time by one tick (elections, heartbeats, check-quorum). */
  tick(): void;
  /**
   * Feed a message received from a peer. Messages from unknown or stale terms are handled per Raft.
   * A malformed message (or one addressed to another node) throws RAFT_INVALID_MESSAGE and changes nothing.
   */
  step(msg: Message): void;
  /** Propose application data. Leader only: throws RAFT_NOT_LEADER elsewhere, RAFT_PROPOSAL_DROPPED
   * during a leader transfer or above the uncommitted size limit. */
  propose(data: Uint8Array): ProposalTicket;
  /** Propose several entries in one batch (one append, one message per peer). */
  proposeBatch(data: readonly Uint8Array[]): ProposalTicket[];
  /** Propose a membership change. Throws RAFT_CONF_CHANGE_PENDING, RAFT_CONF_CHANGE_UNSAFE,
   * RAFT_CONF_CHANGE_INVALID, RAFT_NOT_LEADER. */
  proposeConfChange(cc: ConfChange): ProposalTicket;
  /** Request a linearizable read point; the answer comes as a ReadState in a later Ready. */
  readIndex(context: Uint8Array): void;
  /** Hand leadership to `to` (a caught-up voter gets timeout-now). */
  transferLeader(to: NodeId): void;
  /** Start an election now (pre-vote first when enabled). */
  campaign(): void;
  hasReady(): boolean;
  ready(): Ready;
  /** Acknowledge that the given Ready was persisted, sent and applied. */
  advance(rd: Ready): void;
  /** Apply a committed conf-change entry to the membership; returns the new ConfState. */
  applyConfChange(cc: ConfChange): ConfState;
  /** The driver could not deliver to `id`: the leader falls back to probing it. */
  reportUnreachable(id: NodeId): void;
  /** The driver's outcome of a snapshot transfer to `id`. */
  reportSnapshot(id: NodeId, status: SnapshotStatus): void;
  status(): RaftStatus;
  /** Role and leader, without building the whole status. */
  softState(): SoftState;
  /** Term, vote and commit, without building the whole status. */
  hardState(): HardState;
}
