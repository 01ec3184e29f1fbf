import { encodeConfChange } from './conf-change-codec.js';
import { RaftError } from './errors.js';
import type { Entry, HardState, NodeId } from './types.js';
import { NONE } from './types.js';

/**
 * The log a new cluster starts from: one committed add-voter entry per initial
 * voter (term 1, indexes 1..n, sorted by id), identical on every initial node,
 * and the hard state that marks them committed. Append the entries and set the
 * hard state on each initial member's empty storage before creating its RawNode;
 * nodes added later start empty and receive these entries from the leader.
 * The conf-change entries are delivered as committedEntries like any other, so
 * every node (initial or not) learns the membership through applyConfChange.
 */
export function bootstrapLog(voters: readonly NodeId[]): { entries: Entry[]; hardState: HardState } {
  const ids = [...new Set(voters)].sort();
  if (ids.length === 0 || ids.includes(NONE)) throw new RaftError('INVALID_CONFIG', 'bootstrap needs at least one non-empty voter id');
  const entries: Entry[] = ids.map((id, i) => ({
    term: 1,
    index: i + 1,
    type: 'conf-change',
    data: encodeConfChange({ type: 'add-voter', nodeId: id }),
  }));
  return { entries, hardState: { term: 1, vote: NONE, commit: ids.length } };
}
