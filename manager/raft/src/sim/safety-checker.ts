import type { Entry, NodeId } from '../core/index.js';
import type { NodeHost } from './node-host.js';

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Raft's safety properties (Figure 3 of the paper), checked on the live state
 * of simulated nodes: election safety, log matching, leader completeness and
 * state machine safety. Violations are collected as readable strings.
 */
export class SafetyChecker {
  readonly violations: string[] = [];
  readonly #leaderOfTerm = new Map<number, NodeId>();
  /** The entry applied at each index by any node (state machine safety). */
  readonly applied = new Map<number, { term: number; data: Uint8Array }>();
  readonly #leaderTermSeen = new Map<NodeId, number>();
  /** Disk versions at the last log matching check, per node. */
  readonly #checkedVersion = new Map<NodeId, number>();

  /** Record a failure found outside the checks (e.g. an exception). */
  report(s: string): void {
    this.#violate(s);
  }

  #violate(s: string): void {
    if (this.violations.length < 20) this.violations.push(s);
  }

  /** State machine safety: no two nodes apply different entries at one index. */
  onApply(host: NodeHost, e: Entry): void {
    const prev = this.applied.get(e.index);
    if (prev === undefined) this.applied.set(e.index, { term: e.term, data: e.data });
    else if (prev.term !== e.term || !sameBytes(prev.data, e.data)) {
      this.#violate(`state machine safety: ${host.id} applied ${e.index}/${e.term}, another node applied ${e.index}/${prev.term}`);
    }
  }

  /** Run every per-step check over the nodes that are up. */
  check(hosts: readonly NodeHost[], now: number): void {
    const up = hosts.filter((h) => h.raw !== undefined);
    for (const h of up) {
      if (h.raw!.softState().role !== 'leader') continue;
      const term = h.raw!.hardState().term;
      const other = this.#leaderOfTerm.get(term);
      if (other !== undefined && other !== h.id) this.#violate(`election safety: ${other} and ${h.id} both leaders of term ${term} (t=${now})`);
      this.#leaderOfTerm.set(term, h.id);
      if (this.#leaderTermSeen.get(h.id) !== term) {
        this.#leaderTermSeen.set(h.id, term);
        this.#checkLeaderCompleteness(h, term, now);
      }
    }
    this.#checkLogMatching(up, now);
  }

  /** Leader completeness: a new leader's log holds every entry applied (committed) so far. */
  #checkLeaderCompleteness(h: NodeHost, term: number, now: number): void {
    const first = h.storage.firstIndex();
    const last = h.storage.lastIndex();
    for (const [index, rec] of this.applied) {
      if (index < first) continue;
      if (index > last) {
        this.#violate(`leader completeness: leader ${h.id} of term ${term} lacks committed entry ${index}/${rec.term} (t=${now})`);
        return;
      }
      const t = h.storage.term(index);
      if (t !== rec.term) {
        this.#violate(`leader completeness: leader ${h.id} of term ${term} has ${index}/${t}, committed was ${index}/${rec.term} (t=${now})`);
        return;
      }
    }
  }

  /** Log matching: if two logs have an entry with the same index and term, they are identical up to it. */
  #checkLogMatching(up: readonly NodeHost[], now: number): void {
    const changed = up.map((h) => this.#checkedVersion.get(h.id) !== h.diskVersion);
    for (const h of up) this.#checkedVersion.set(h.id, h.diskVersion);
    for (let i = 0; i < up.length; i++) {
      for (let j = i + 1; j < up.length; j++) {
        if (!changed[i] && !changed[j]) continue;
        const a = up[i]!.storage;
        const b = up[j]!.storage;
        const lo = Math.max(a.firstIndex(), b.firstIndex());
        let hi = Math.min(a.lastIndex(), b.lastIndex());
        while (hi >= lo && a.term(hi) !== b.term(hi)) hi--;
        if (hi < lo) continue;
        const ea = a.entries(lo, hi + 1);
        const eb = b.entries(lo, hi + 1);
        for (let k = ea.length - 1; k >= 0; k--) {
          const x = ea[k]!;
          const y = eb[k]!;
          if (x.term !== y.term || !sameBytes(x.data, y.data)) {
            this.#violate(`log matching: ${up[i]!.id} and ${up[j]!.id} agree on ${hi}/${a.term(hi)} but differ at ${x.index} (t=${now})`);
            return;
          }
        }
      }
    }
  }
}
