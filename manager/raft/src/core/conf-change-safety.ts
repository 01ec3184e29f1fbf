import { RaftError } from './errors.js';
import { majority } from './quorum.js';
import type { ConfChange, NodeId } from './types.js';

/** What the leader knows when it vets a membership change. */
export interface MembershipView {
  readonly voters: ReadonlySet<NodeId>;
  readonly learners: ReadonlySet<NodeId>;
  /** Ids this node saw removed (best effort: entries applied since its last restart or snapshot). */
  readonly removed?: ReadonlySet<NodeId>;
  /** Heard from within an election timeout and replicating (match point known; the leader itself always). */
  healthy(id: NodeId): boolean;
  matchOf(id: NodeId): number;
  readonly lastIndex: number;
  readonly learnerCatchUpSlack: number;
}

/**
 * Vet a single-step membership change (pure). Throws RAFT_CONF_CHANGE_INVALID
 * when it makes no sense for the configuration, RAFT_CONF_CHANGE_UNSAFE when
 * the current voters lack a healthy majority (the change could not commit),
 * when the new voters would lack one, or when a learner to promote has not
 * caught up.
 */
export function checkConfChange(cc: ConfChange, v: MembershipView): void {
  const id = cc.nodeId;
  const newVoters = new Set(v.voters);
  if (cc.type !== 'remove-node' && v.removed?.has(id) === true) {
    // A removed id must not come back: the node would replay old configurations naming it a voter.
    throw new RaftError('CONF_CHANGE_INVALID', `${id} was removed from the cluster; a node rejoins under a new id`, { nodeId: id });
  }
  switch (cc.type) {
    case 'add-voter': {
      if (v.voters.has(id)) throw new RaftError('CONF_CHANGE_INVALID', `${id} is already a voter`, { nodeId: id });
      if (v.learners.has(id)) {
        const match = v.matchOf(id);
        if (!v.healthy(id) || match + v.learnerCatchUpSlack < v.lastIndex) {
          throw new RaftError('CONF_CHANGE_UNSAFE', `learner ${id} has not caught up (match ${match}, last ${v.lastIndex})`, {
            nodeId: id,
            match,
            lastIndex: v.lastIndex,
          });
        }
      }
      newVoters.add(id);
      break;
    }
    case 'add-learner':
      if (v.voters.has(id)) throw new RaftError('CONF_CHANGE_INVALID', `${id} is a voter; demotion is not supported`, { nodeId: id });
      if (v.learners.has(id)) throw new RaftError('CONF_CHANGE_INVALID', `${id} is already a learner`, { nodeId: id });
      break;
    case 'remove-node':
      if (!v.voters.has(id) && !v.learners.has(id)) throw new RaftError('CONF_CHANGE_INVALID', `${id} is not a member`, { nodeId: id });
      if (v.voters.has(id) && v.voters.size === 1) throw new RaftError('CONF_CHANGE_INVALID', `cannot remove the last voter ${id}`);
      newVoters.delete(id);
      break;
  }
  const reachable = [...v.voters].filter((x) => v.healthy(x)).length;
  if (reachable < majority(v.voters.size)) {
    throw new RaftError('CONF_CHANGE_UNSAFE', `only ${reachable} of ${v.voters.size} current voters are reachable: the change could not commit`, {
      nodeId: id,
      healthy: reachable,
      voters: v.voters.size,
    });
  }
  const healthy = [...newVoters].filter((x) => v.healthy(x)).length;
  if (healthy < majority(newVoters.size)) {
    throw new RaftError(
      'CONF_CHANGE_UNSAFE',
      `after ${cc.type} ${id} only ${healthy} of ${newVoters.size} voters would be reachable and caught up (need ${majority(newVoters.size)})`,
      { nodeId: id, healthy, voters: newVoters.size },
    );
  }
}
