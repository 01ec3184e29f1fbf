import type { RaftConfig, ResolvedConfig } from './config.js';
import { RaftError } from './errors.js';

function positiveInt(name: string, v: number): number {
  if (!Number.isInteger(v) || v <= 0) throw new RaftError('INVALID_CONFIG', `${name} must be a positive integer, got ${v}`, { name });
  return v;
}

/** Fill in defaults and validate a RaftConfig (throws RAFT_INVALID_CONFIG). */
export function resolveConfig(c: RaftConfig): ResolvedConfig {
  if (typeof c.id !== 'string' || c.id === '') throw new RaftError('INVALID_CONFIG', 'id must be a non-empty string');
  const electionTicks = positiveInt('electionTicks', c.electionTicks ?? 10);
  const heartbeatTicks = positiveInt('heartbeatTicks', c.heartbeatTicks ?? 1);
  if (electionTicks <= heartbeatTicks) {
    throw new RaftError('INVALID_CONFIG', `electionTicks (${electionTicks}) must be greater than heartbeatTicks (${heartbeatTicks})`);
  }
  const learnerCatchUpSlack = c.learnerCatchUpSlack ?? 0;
  if (!Number.isInteger(learnerCatchUpSlack) || learnerCatchUpSlack < 0) throw new RaftError('INVALID_CONFIG', 'learnerCatchUpSlack must be >= 0');
  const maxUncommittedEntriesSize = c.maxUncommittedEntriesSize ?? 0;
  if (maxUncommittedEntriesSize < 0) throw new RaftError('INVALID_CONFIG', 'maxUncommittedEntriesSize must be >= 0');
  return {
    id: c.id,
    storage: c.storage,
    rand: c.rand,
    electionTicks,
    heartbeatTicks,
    maxInflightMsgs: positiveInt('maxInflightMsgs', c.maxInflightMsgs ?? 256),
    maxSizePerMsg: positiveInt('maxSizePerMsg', c.maxSizePerMsg ?? 1024 * 1024),
    maxCommittedSizePerReady: positiveInt('maxCommittedSizePerReady', c.maxCommittedSizePerReady ?? 16 * 1024 * 1024),
    maxUncommittedEntriesSize,
    maxSnapshotChunkBytes: positiveInt('maxSnapshotChunkBytes', c.maxSnapshotChunkBytes ?? 1024 * 1024),
    preVote: c.preVote ?? true,
    checkQuorum: c.checkQuorum ?? true,
    applied: c.applied,
    learnerCatchUpSlack,
  };
}
