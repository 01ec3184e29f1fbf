/**
 * Typed errors of the driver (RaftNode) that the core's registry has no code
 * for. Core errors (RAFT_NOT_LEADER, RAFT_PROPOSAL_DROPPED, conf-change
 * errors) are passed through as the core's RaftError.
 */

const defs = {
  NODE_STOPPED: { status: 503, retryable: true, doc: 'The Raft node was stopped before the request completed; its outcome is unknown. Retry on a running node.' },
  OUTCOME_UNKNOWN: { status: 503, retryable: false, doc: 'The proposal was appended to the log but this node can no longer tell whether it commits (leadership was lost, or a snapshot replaced the log up to its index): read the state before proposing again, or a retry may apply it twice.' },
  READ_TIMEOUT: { status: 503, retryable: true, doc: 'A ReadIndex request was not confirmed by a quorum in time (no leader or a partition); retry.' },
  TRANSFER_TIMEOUT: { status: 503, retryable: true, doc: 'Leadership did not move to the requested node in time; retry or pick another node.' },
} as const;

/** Short names of driver errors. */
export type NodeErrorName = keyof typeof defs;

/** The driver's error class; `code` is e.g. `RAFT_NODE_STOPPED`. */
export class RaftNodeError extends Error {
  readonly code: `RAFT_${NodeErrorName}`;
  readonly status: number;
  readonly retryable: boolean;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(name: NodeErrorName, message: string, details: Record<string, unknown> = {}, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'RaftNodeError';
    this.code = `RAFT_${name}`;
    this.status = defs[name].status;
    this.retryable = defs[name].retryable;
    this.details = details;
  }
}

/** The registry (for docs/errors.md). */
export const raftNodeErrors = {
  prefix: 'RAFT',
  defs: defs as Readonly<Record<NodeErrorName, { status: number; retryable: boolean; doc: string }>>,
};
