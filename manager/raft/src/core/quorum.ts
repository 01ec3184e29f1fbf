import type { NodeId } from './types.js';

/** Votes needed out of `n` voters: a strict majority. An empty configuration needs 0. */
export function majority(n: number): number {
  return n === 0 ? 0 : Math.floor(n / 2) + 1;
}

/**
 * The largest index acknowledged by a majority of `voters`, given each voter's
 * match index (missing = 0). For no voters it is +Infinity (nothing to wait for),
 * which callers must treat as "no constraint".
 */
export function committedIndex(voters: Iterable<NodeId>, matchOf: (id: NodeId) => number): number {
  const matches: number[] = [];
  for (const id of voters) matches.push(matchOf(id));
  if (matches.length === 0) return Number.POSITIVE_INFINITY;
  matches.sort((a, b) => b - a);
  return matches[majority(matches.length) - 1]!;
}

/** The result of an election so far. */
export type VoteResult = 'won' | 'lost' | 'pending';

/** Count the votes of `voters` (a missing entry = not answered yet). */
export function voteResult(voters: Iterable<NodeId>, votes: ReadonlyMap<NodeId, boolean>): VoteResult {
  let n = 0;
  let granted = 0;
  let rejected = 0;
  for (const id of voters) {
    n++;
    const v = votes.get(id);
    if (v === true) granted++;
    else if (v === false) rejected++;
  }
  const q = majority(n);
  if (granted >= q) return 'won';
  if (n - rejected < q) return 'lost';
  return 'pending';
}

/** True when the nodes satisfying `ok` form a majority of `voters`. */
export function hasQuorum(voters: Iterable<NodeId>, ok: (id: NodeId) => boolean): boolean {
  let n = 0;
  let yes = 0;
  for (const id of voters) {
    n++;
    if (ok(id)) yes++;
  }
  return yes >= majority(n);
}
