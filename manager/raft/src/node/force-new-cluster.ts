/**
 * Forcing a new cluster: what `swarm init --force-new-cluster` needs when a
 * cluster has lost quorum for good. A node restarts from its own WAL and
 * snapshot as the only voter of a new configuration and keeps its
 * committed state. As etcd does it: entries after the commit index are
 * dropped (nothing says they committed), and committed conf-change entries
 * are appended that remove every other member (and make this node a voter
 * if it was a learner). Applying them on restart shrinks the configuration
 * to this node, which then elects itself; members are added back as usual,
 * with empty data: the forced entries carry a term of their own (the
 * current term + 1), yet a removed member that kept its old log and later
 * terms could still disagree with the new history.
 */
import { decodeConfChange, encodeConfChange } from '../core/index.js';
import type { ConfChange, Entry, HardState, NodeId, Snapshot } from '../core/index.js';

/** What forcing writes: the entries that replace the log after `commit`, and the new hard state. */
export interface ForcedLog {
  /** Starts at the old commit index + 1; committed by `hardState`. Empty when nothing changes. */
  readonly entries: Entry[];
  readonly hardState: HardState;
  /** The members the new configuration no longer has. */
  readonly removed: NodeId[];
  /** Entries after the commit index that were dropped. */
  readonly droppedUncommitted: number;
}

/** The membership at the commit index: the snapshot's, then every committed conf change. */
export function membershipAt(snapshot: Snapshot | undefined, entries: readonly Entry[], commit: number): { voters: Set<NodeId>; learners: Set<NodeId> } {
  const voters = new Set(snapshot?.meta.confState.voters ?? []);
  const learners = new Set(snapshot?.meta.confState.learners ?? []);
  for (const e of entries) {
    if (e.index > commit) break;
    if (e.type !== 'conf-change') continue;
    const cc = decodeConfChange(e.data);
    voters.delete(cc.nodeId);
    learners.delete(cc.nodeId);
    if (cc.type === 'add-voter') voters.add(cc.nodeId);
    if (cc.type === 'add-learner') learners.add(cc.nodeId);
  }
  return { voters, learners };
}

/**
 * The log `self` restarts from to lead a new one-voter cluster, given what
 * its WAL holds (entries after the snapshot, contiguous).
 */
export function forceNewClusterLog(self: NodeId, state: { hardState: HardState; snapshot: Snapshot | undefined; entries: readonly Entry[] }): ForcedLog {
  const snapIndex = state.snapshot?.meta.index ?? 0;
  const commit = Math.max(state.hardState.commit, snapIndex);
  const { voters, learners } = membershipAt(state.snapshot, state.entries, commit);
  const changes: ConfChange[] = [];
  if (!voters.has(self)) changes.push({ type: 'add-voter', nodeId: self });
  const removed = [...new Set([...voters, ...learners])].filter((id) => id !== self).sort();
  for (const id of removed) changes.push({ type: 'remove-node', nodeId: id });
  const lastIndex = state.entries.at(-1)?.index ?? snapIndex;
  const droppedUncommitted = Math.max(0, lastIndex - commit);
  if (changes.length === 0 && droppedUncommitted === 0) return { entries: [], hardState: state.hardState, removed, droppedUncommitted };
  // A new term: the forced entries must not share (index, term) with an entry some leader of the
  // current term may have written there (Log Matching).
  const term = state.hardState.term + 1;
  const entries: Entry[] = changes.map((cc, i) => ({ index: commit + 1 + i, term, type: 'conf-change', data: encodeConfChange(cc) }));
  // With nothing to change, the uncommitted tail still goes: an empty entry of the current term replaces it.
  if (entries.length === 0) entries.push({ index: commit + 1, term, type: 'normal', data: new Uint8Array(0) });
  const hardState: HardState = { term, vote: '', commit: commit + entries.length };
  return { entries, hardState, removed, droppedUncommitted };
}
