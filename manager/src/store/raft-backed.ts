/**
 * The store on raft-ts: the state machine a RaftNode applies committed
 * entries to, and the proposer that hands the store's batches to that node.
 * Every manager runs one RaftNode with one Store; only the leader's
 * proposals succeed (followers' fail with STORE_PROPOSAL_FAILED carrying
 * RAFT_NOT_LEADER, for the control API to forward).
 */
import type { Entry, Snapshot, StateMachine } from 'raft-ts';
import type { Proposer, Store } from './store.js';

/** The RaftNode state machine of `store`. */
export function storeStateMachine(store: Store): StateMachine {
  return {
    apply: (e: Entry) => store.applyEntry(e.index, e.data),
    snapshot: () => store.snapshot(),
    restore: (s: Snapshot) => store.restore(s.data),
  };
}

/** The node's side a proposer needs. */
export interface ProposingNode {
  propose(data: Uint8Array): Promise<unknown>;
}

/**
 * Proposes through a RaftNode, bound once it is open (the node needs the
 * store's state machine first, the store needs this proposer).
 */
export class RaftProposer implements Proposer {
  #node: ProposingNode | undefined;

  bind(node: ProposingNode): void {
    this.#node = node;
  }

  async propose(data: Uint8Array): Promise<void> {
    if (this.#node === undefined) throw new Error('the store\'s Raft node is not open yet');
    await this.#node.propose(data);
  }
}
