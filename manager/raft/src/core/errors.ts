/**
 * Typed errors of raft-ts. raft-ts depends on nothing of shoal, so it has its
 * own tiny error class shaped like shoal's (code, HTTP status, retryable,
 * details): callers branch on `code`, never on the message.
 */

/** The definition of one error code. */
export interface RaftErrorDef {
  readonly status: number;
  readonly retryable: boolean;
  /** One line for docs: when it happens and what to do. */
  readonly doc: string;
}

const defs = {
  NOT_LEADER: { status: 503, retryable: true, doc: 'The node is not the leader; retry on the leader (details.leader names it when known).' },
  PROPOSAL_DROPPED: { status: 503, retryable: true, doc: 'The proposal was dropped (leader transfer in progress, no leader, or too many uncommitted bytes); retry later.' },
  CONF_CHANGE_PENDING: { status: 409, retryable: true, doc: 'A membership change is already pending (proposed but not applied); retry after it is applied.' },
  CONF_CHANGE_UNSAFE: { status: 409, retryable: true, doc: 'The membership change would leave the cluster without a reachable, caught-up quorum, or promotes a learner that has not caught up.' },
  CONF_CHANGE_INVALID: { status: 400, retryable: false, doc: 'The membership change makes no sense for the current configuration (unknown node, demotion of a voter, removing the last voter).' },
  COMPACTED: { status: 500, retryable: false, doc: 'The requested log index was compacted into a snapshot.' },
  UNAVAILABLE: { status: 500, retryable: false, doc: 'The requested log index is beyond the last stored index.' },
  SNAPSHOT_OUT_OF_DATE: { status: 500, retryable: false, doc: 'The snapshot is older than the storage\'s current snapshot.' },
  SNAPSHOT_TEMPORARILY_UNAVAILABLE: { status: 503, retryable: true, doc: 'The storage cannot produce a snapshot right now; the leader retries later.' },
  TRANSFER_IN_PROGRESS: { status: 409, retryable: true, doc: 'A leader transfer is already under way.' },
  TRANSFER_INVALID: { status: 400, retryable: false, doc: 'The transfer target is not a voter of the cluster, or is the leader itself.' },
  INVALID_CONFIG: { status: 400, retryable: false, doc: 'A RawNode configuration value is invalid; the message names it.' },
  INVALID_MESSAGE: { status: 400, retryable: false, doc: 'A message given to step() is malformed or local-only.' },
} as const satisfies Record<string, RaftErrorDef>;

/** The short names of raft-ts errors. */
export type RaftErrorName = keyof typeof defs;

/** The full code of a raft-ts error, e.g. `RAFT_NOT_LEADER`. */
export type RaftErrorCode = `RAFT_${RaftErrorName}`;

/** The one error class of raft-ts. */
export class RaftError extends Error {
  /** Stable code, e.g. `RAFT_NOT_LEADER`. */
  readonly code: RaftErrorCode;
  /** HTTP status an API edge can use. */
  readonly status: number;
  /** True when the same call may succeed later without a change of input. */
  readonly retryable: boolean;
  /** Structured details for logs and tests (never needed to branch). */
  readonly details: Readonly<Record<string, unknown>>;

  constructor(name: RaftErrorName, message: string, details: Record<string, unknown> = {}, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'RaftError';
    const def: RaftErrorDef = defs[name];
    this.code = `RAFT_${name}`;
    this.status = def.status;
    this.retryable = def.retryable;
    this.details = details;
  }
}

/** The registry: codes and their definitions (for docs/errors.md). */
export const raftErrors = {
  prefix: 'RAFT',
  defs: defs as Readonly<Record<RaftErrorName, RaftErrorDef>>,
  codes: Object.fromEntries(Object.keys(defs).map((k) => [k, `RAFT_${k}`])) as { readonly [K in RaftErrorName]: `RAFT_${K}` },
  make: (name: RaftErrorName, message: string, details?: Record<string, unknown>, cause?: unknown): RaftError =>
    new RaftError(name, message, details, cause),
};

/** True when `err` is a RaftError with the given code. */
export function isRaftError(err: unknown, code?: RaftErrorCode): err is RaftError {
  return err instanceof RaftError && (code === undefined || err.code === code);
}
