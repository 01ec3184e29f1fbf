/**
 * The data types of the Raft core: log entries, persistent state, snapshots,
 * membership, the messages nodes exchange and the Ready batch the driver
 * consumes. These are plain data (no classes) so storage and transport can
 * encode them as they like. Stable: only additive changes.
 *
 * Node ids are non-empty strings (shoal uses manager node ids). The empty
 * string `NONE` means "no node" (no vote, no known leader).
 */

/** A node id: a non-empty string. `NONE` ('') means no node. */
export type NodeId = string;

/** "No node": no vote cast, no leader known. */
export const NONE: NodeId = '';

/** `normal` entries carry application data (empty data = the leader's no-op);
 * `conf-change` entries carry an encoded {@link ConfChange}. */
export type EntryType = 'normal' | 'conf-change';

/** One log entry. Indexes start at 1; index 0 / term 0 is the empty log. */
export interface Entry {
  readonly term: number;
  readonly index: number;
  readonly type: EntryType;
  readonly data: Uint8Array;
}

/** State that must be on stable storage before any message of the same Ready is sent. */
export interface HardState {
  readonly term: number;
  /** The candidate voted for in `term`, or NONE. */
  readonly vote: NodeId;
  /** Highest index known committed (may be persisted lazily; never decreases). */
  readonly commit: number;
}

/** Cluster membership. A node is in at most one of the two lists. */
export interface ConfState {
  readonly voters: readonly NodeId[];
  /** Non-voting members: receive the log, do not count for quorum, never campaign. */
  readonly learners: readonly NodeId[];
}

/** What a snapshot covers: the state machine after applying `index` (of `term`). */
export interface SnapshotMeta {
  readonly index: number;
  readonly term: number;
  readonly confState: ConfState;
}

/** A state machine snapshot; `data` is opaque to Raft. */
export interface Snapshot {
  readonly meta: SnapshotMeta;
  readonly data: Uint8Array;
}

/** Membership change kinds. Single-step: one node per change, one pending change at a time.
 * `add-voter` on an existing learner promotes it; `add-learner` on a voter is refused. */
export type ConfChangeType = 'add-voter' | 'add-learner' | 'remove-node';

/** One membership change, proposed with `proposeConfChange` and carried in a conf-change entry. */
export interface ConfChange {
  readonly type: ConfChangeType;
  readonly nodeId: NodeId;
  /** Opaque application context (e.g. the new member's address). */
  readonly context?: Uint8Array;
}

/** Node roles. Learners are followers that are not voters. */
export type Role = 'follower' | 'pre-candidate' | 'candidate' | 'leader';

/** Volatile state the driver may want to observe (leader changes). */
export interface SoftState {
  readonly leader: NodeId;
  readonly role: Role;
}

/** The answer to a `readIndex(context)` call: once the local applied index
 * reaches `index`, a read of the state machine is linearizable. */
export interface ReadState {
  readonly index: number;
  readonly context: Uint8Array;
}

/** Fields every message has. `term` 0 is used only by local messages. */
export interface MessageBase {
  readonly from: NodeId;
  readonly to: NodeId;
  readonly term: number;
}

/** Pre-vote request: "would you vote for me in `term`?" (term is not bumped yet). */
export interface PreVoteMessage extends MessageBase {
  readonly type: 'pre-vote';
  readonly lastLogIndex: number;
  readonly lastLogTerm: number;
}

/** Answer to a pre-vote; `term` is the requested term when granted, the responder's term when rejected. */
export interface PreVoteResponseMessage extends MessageBase {
  readonly type: 'pre-vote-resp';
  readonly reject: boolean;
}

/** Vote request. `transfer` is set when the campaign was triggered by timeout-now
 * (leader transfer): it bypasses the leader-lease check of the receivers. */
export interface VoteMessage extends MessageBase {
  readonly type: 'vote';
  readonly lastLogIndex: number;
  readonly lastLogTerm: number;
  readonly transfer: boolean;
}

/** Answer to a vote request. */
export interface VoteResponseMessage extends MessageBase {
  readonly type: 'vote-resp';
  readonly reject: boolean;
}

/** AppendEntries: entries follow (prevIndex, prevTerm); `commit` is the leader's commit index. */
export interface AppendMessage extends MessageBase {
  readonly type: 'append';
  readonly prevIndex: number;
  readonly prevTerm: number;
  readonly entries: readonly Entry[];
  readonly commit: number;
}

/**
 * Answer to an append. On success `index` is the follower's last index that
 * matches the leader (prevIndex + entries.length). On rejection `index` is the
 * rejected prevIndex and (`hintIndex`, `hintTerm`) is the fast back-tracking
 * hint: the largest follower index <= hintIndex whose term is <= the leader's
 * prevTerm, and its term, so the leader skips a whole conflicting term at once.
 */
export interface AppendResponseMessage extends MessageBase {
  readonly type: 'append-resp';
  readonly reject: boolean;
  readonly index: number;
  readonly hintIndex: number;
  readonly hintTerm: number;
}

/** Leader heartbeat. `commit` is min(leader commit, follower match) so a follower never
 * commits past what it has; `context` is set when the round confirms ReadIndex requests. */
export interface HeartbeatMessage extends MessageBase {
  readonly type: 'heartbeat';
  readonly commit: number;
  readonly context?: Uint8Array;
}

/** Answer to a heartbeat; echoes `context`. */
export interface HeartbeatResponseMessage extends MessageBase {
  readonly type: 'heartbeat-resp';
  readonly context?: Uint8Array;
}

/**
 * One chunk of a snapshot sent to a lagging follower. Chunks of one snapshot
 * share `meta`; `offset` is the byte offset of `data` in the snapshot data,
 * `totalBytes` the full size; the follower installs the snapshot when it has
 * all bytes. The leader sends the next chunk when the previous is acknowledged.
 */
export interface SnapshotMessage extends MessageBase {
  readonly type: 'snapshot';
  readonly meta: SnapshotMeta;
  readonly offset: number;
  readonly totalBytes: number;
  readonly data: Uint8Array;
}

/**
 * Acknowledges snapshot chunks: `snapshotIndex` is the snapshot's meta.index,
 * `nextOffset` the next byte the follower expects (totalBytes when installed
 * or when the follower already has the data), `reject` when the follower
 * dropped the transfer (offset mismatch it cannot recover from).
 */
export interface SnapshotResponseMessage extends MessageBase {
  readonly type: 'snapshot-resp';
  readonly snapshotIndex: number;
  readonly nextOffset: number;
  readonly reject: boolean;
}

/** Leader transfer: the leader tells an up-to-date follower to campaign now. */
export interface TimeoutNowMessage extends MessageBase {
  readonly type: 'timeout-now';
}

/** ReadIndex request forwarded by a follower to the leader. */
export interface ReadIndexMessage extends MessageBase {
  readonly type: 'read-index';
  readonly context: Uint8Array;
}

/** Leader's answer to a forwarded ReadIndex: the read is safe at `index`, unless `reject`
 * (the leader could not serve it: not leader any more, or no commit in its term yet). */
export interface ReadIndexResponseMessage extends MessageBase {
  readonly type: 'read-index-resp';
  readonly context: Uint8Array;
  readonly index: number;
  readonly reject: boolean;
}

/** Leader transfer request forwarded by a follower to the leader. */
export interface TransferLeaderMessage extends MessageBase {
  readonly type: 'transfer-leader';
  /** The node that should become leader. */
  readonly transferee: NodeId;
}

/** Every message nodes exchange. Discriminated on `type`. */
export type Message =
  | PreVoteMessage
  | PreVoteResponseMessage
  | VoteMessage
  | VoteResponseMessage
  | AppendMessage
  | AppendResponseMessage
  | HeartbeatMessage
  | HeartbeatResponseMessage
  | SnapshotMessage
  | SnapshotResponseMessage
  | TimeoutNowMessage
  | ReadIndexMessage
  | ReadIndexResponseMessage
  | TransferLeaderMessage;

/** The `type` of a message. */
export type MessageType = Message['type'];

/**
 * A batch of work for the driver. Process strictly in this order:
 * 1. persist `hardState`, `entries` and `snapshot` to stable storage
 *    (apply `snapshot` to the log storage first, then append `entries`);
 * 2. send `messages`;
 * 3. apply `snapshot` (if any) then `committedEntries` to the state machine,
 *    and serve `readStates` once applied >= their index;
 * 4. call `advance(ready)`.
 */
export interface Ready {
  /** Set when the leader or role changed since the previous Ready. */
  readonly softState?: SoftState;
  /** Set when term, vote or commit changed since the previous Ready. */
  readonly hardState?: HardState;
  /** Entries to append to stable storage (they replace any stored entries at the same indexes and after). */
  readonly entries: readonly Entry[];
  /** A snapshot received from the leader, to persist and then restore the state machine from. */
  readonly snapshot?: Snapshot;
  /** Committed entries to apply, in order (already persisted in an earlier or this Ready). */
  readonly committedEntries: readonly Entry[];
  /** Messages to send after the persist step. */
  readonly messages: readonly Message[];
  /** ReadIndex results; each is linearizable once applied >= index. */
  readonly readStates: readonly ReadState[];
  /** True when hardState/entries/snapshot must be fsynced before sending. */
  readonly mustSync: boolean;
}

/** Outcome of a snapshot transfer, reported by the driver. */
export type SnapshotStatus = 'finish' | 'failure';

/** Replication progress state of a peer, as seen by the leader. */
export type ProgressState = 'probe' | 'replicate' | 'snapshot';

/** The leader's view of one peer. */
export interface ProgressStatus {
  readonly match: number;
  readonly next: number;
  readonly state: ProgressState;
  readonly recentActive: boolean;
  readonly isLearner: boolean;
  readonly inflight: number;
}

/** A read-only view of a node for status endpoints and tests. */
export interface RaftStatus {
  readonly id: NodeId;
  readonly hardState: HardState;
  readonly softState: SoftState;
  readonly applied: number;
  readonly lastIndex: number;
  readonly firstIndex: number;
  readonly confState: ConfState;
  /** Set when a leader transfer is under way. */
  readonly leadTransferee: NodeId;
  /** Set on the leader only: progress per peer (including itself). */
  readonly progress?: Readonly<Record<NodeId, ProgressStatus>>;
}

/** The index and term a proposal was appended at; it is acknowledged once that entry is
 * applied with the same term (if another term's entry shows up at that index, it was lost). */
export interface ProposalTicket {
  readonly index: number;
  readonly term: number;
}

/** A seeded source of randomness, injected (the core never calls Math.random). */
export interface Rand {
  /** A uniformly random integer in [0, maxExclusive). */
  int(maxExclusive: number): number;
}
