/**
 * Our nft table, kept in step with the endpoints: `rebuild()` applies the
 * full table planned from the current mappings, `update(add, remove)` one
 * element transaction (falling back to a rebuild when the kernel's maps
 * disagree with it). Both run in one queue, in call order, so a rebuild
 * always plans from the state as it is when it runs; queued rebuilds that
 * have not started are shared.
 */
import type { Logger } from '@shoal/common';
import { planNftDelta, planNftScript, type PortMapping } from './nft-plan.js';
import { nftApply } from './linux-net.js';

/** Where the table is and how to read the current mappings. */
export interface NftTableOptions {
  table: string;
  bridge: string;
  subnet: string;
  /** Current mappings, the ones that must win a key conflict first. */
  mappings: () => PortMapping[];
  log: Logger;
}

/** The queue of changes to our nft table. */
export class NftTable {
  #o: NftTableOptions;
  #chain: Promise<void> = Promise.resolve();
  #pendingRebuild: Promise<void> | null = null;

  constructor(opts: NftTableOptions) {
    this.#o = opts;
  }

  /** Apply the full table from the current mappings. Throws NETWORK_SETUP_FAILED. */
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

  /** Publish `add` and unpublish `remove` (the caller has already changed the state accordingly). */
  update(add: readonly PortMapping[], remove: readonly PortMapping[]): Promise<void> {
    const script = planNftDelta(this.#o.table, add, remove);
    if (script === '') return Promise.resolve();
    const p = this.#chain.then(async () => {
      try {
        await nftApply(script, `cannot update nftables table ${this.#o.table}`);
      } catch (e) {
        this.#o.log.warn({ err: e, table: this.#o.table }, 'nft element update failed; rebuilding the table');
        await this.#applyFull();
      }
    });
    this.#chain = p.catch(() => undefined);
    return p;
  }

  async #applyFull(): Promise<void> {
    const script = planNftScript({ table: this.#o.table, bridge: this.#o.bridge, subnet: this.#o.subnet, mappings: this.#o.mappings() });
    await nftApply(script, `cannot program nftables table ${this.#o.table}`);
  }
}
