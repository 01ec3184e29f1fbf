/**
 * A proposer without Raft, for tests and single-process tools: each
 * proposal is "committed" at the next index and applied to the store at
 * once (on a later microtask, as a Raft commit would be).
 */
import type { Proposer } from './store.js';

/** Commits every proposal at once, in order, to `apply` (the store's applyEntry). */
export class LocalProposer implements Proposer {
  #index = 0;
  #apply: ((index: number, data: Uint8Array) => void) | undefined;
  /** Every committed entry (tests: replay them into another store). */
  readonly log: Array<{ index: number; data: Uint8Array }> = [];

  /** Where committed entries go. */
  attach(apply: (index: number, data: Uint8Array) => void): void {
    this.#apply = apply;
  }

  async propose(data: Uint8Array): Promise<void> {
    await Promise.resolve();
    const index = ++this.#index;
    this.log.push({ index, data });
    this.#apply?.(index, data);
  }
}
