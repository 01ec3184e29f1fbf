/**
 * One nftables table of ours, kept in step with its owner's state:
 * `rebuild()` applies the full table the owner plans from its current state,
 * `applyDelta(script)` one small transaction (falling back to a rebuild when
 * the kernel disagrees with it, e.g. an element already gone). Both run in
 * one queue, in call order, so a rebuild always plans from the state as it
 * is when it runs; queued rebuilds that have not started are shared.
 */
import type { Logger } from '@shoal/common';
import { nftApply } from './linux-net.js';

/** The table's name and how to plan it in full. */
export interface NftTableOptions {
  table: string;
  /** The full script (delete and recreate the table), planned from the owner's current state. */
  planFull: () => string;
  log: Logger;
}

/** The queue of changes to one nft table. */
export class NftTable {
  #o: NftTableOptions;
  #chain: Promise<void> = Promise.resolve();
  #pendingRebuild: Promise<void> | null = null;

  constructor(opts: NftTableOptions) {
    this.#o = opts;
  }

  /** Apply the full table. Throws NET_SETUP_FAILED. */
  rebuild(): Promise<void> {
    if (this.#pendingRebuild !== null) return this.#pendingRebuild;
    const p = this.#chain.then(() => {
      this.#pendingRebuild = null;
      return this.#applyFull();
    });
    this.#pendingRebuild = p;
    this.#chain = p.catch(() => undefined);
    return p;
  }

  /** Apply `script` (the caller has already changed its state accordingly); '' does nothing. */
  applyDelta(script: string): Promise<void> {
    if (script === '') return Promise.resolve();
    const p = this.#chain.then(async () => {
      try {
        await nftApply(script, `cannot update nftables table ${this.#o.table}`);
      } catch (e) {
        this.#o.log.warn({ err: e, table: this.#o.table }, 'nft update failed; rebuilding the table');
        await this.#applyFull();
      }
    });
    this.#chain = p.catch(() => undefined);
    return p;
  }

  async #applyFull(): Promise<void> {
    await nftApply(this.#o.planFull(), `cannot program nftables table ${this.#o.table}`);
  }
}
