/**
 * Raft's safety properties (Figure 3 of the paper) checked on real RaftNodes
 * after every simulator event (each delivered message, tick, disk
 * completion): election safety, log matching over the persisted logs,
 * leader completeness against every entry known to be committed (not just
 * applied), and state machine safety over applied entries.
 */
import type { Entry, NodeId } from '../core/index.js';
import type { RaftNode } from '../node/index.js';

interface Known {
  readonly term: number;
  readonly data: Uint8Array;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.length).equals(Buffer.from(b.buffer, b.byteOffset, b.length));
}

/** A node as the checker sees it: its id and its running RaftNode (if up). */
export interface CheckedNode {
  readonly id: NodeId;
  readonly raft: RaftNode | undefined;
}

export class NodeSafetyChecker {
  readonly violations: string[] = [];
  /** Entries known to be committed (a node's commit index says so), by index. */
  readonly committed = new Map<number, Known>();
  /** Normal entries applied by any state machine, by index. */
  readonly applied = new Map<number, Known>();
  readonly #leaderOfTerm = new Map<number, NodeId>();
  /** Per node: the leader term whose completeness was checked. */
  readonly #completeFor = new Map<NodeId, number>();
  /** Per node: committed indexes already recorded from it. */
  readonly #recorded = new Map<NodeId, number>();
  /** Per node: log shape at the last log-matching check. */
  readonly #shape = new Map<NodeId, string>();

  report(s: string): void {
    if (this.violations.length < 20) this.violations.push(s);
  }

  /** State machine safety: no two nodes apply different entries at one index. */
  onApply(id: NodeId, e: Entry): void {
    const prev = this.applied.get(e.index);
    if (prev === undefined) this.applied.set(e.index, { term: e.term, data: e.data });
    else if (prev.term !== e.term || !sameBytes(prev.data, e.data)) {
      this.report(`state machine safety: ${id} applied ${e.index}/${e.term}, another node applied ${e.index}/${prev.term}`);
    }
  }

  /**
   * A forced new cluster starts a new history after `index`: what only the
   * lost nodes knew (entries above it, and the terms they led, which the
   * survivor may reuse) is forgotten; what is at or below it stays checked.
   */
  newHistoryAfter(index: number): void {
    for (const m of [this.committed, this.applied]) for (const i of [...m.keys()]) if (i > index) m.delete(i);
    for (const [id, r] of this.#recorded) this.#recorded.set(id, Math.min(r, index));
    this.#leaderOfTerm.clear();
    this.#completeFor.clear();
  }

  check(nodes: readonly CheckedNode[], now: number): void {
    const up = nodes.filter((n): n is { id: NodeId; raft: RaftNode } => n.raft !== undefined);
    for (const n of up) {
      const st = n.raft.status();
      const log = n.raft.persistedLog;
      // The persisted commit index goes with the persisted log (the core's may cover entries not saved yet).
      this.#recordCommitted(n.id, n.raft, Math.min(log.hardState().commit, log.lastIndex()), now);
      if (st.softState.role !== 'leader') continue;
      const term = st.hardState.term;
      const other = this.#leaderOfTerm.get(term);
      if (other !== undefined && other !== n.id) this.report(`election safety: ${other} and ${n.id} both leaders of term ${term} (t=${now})`);
      this.#leaderOfTerm.set(term, n.id);
      // Once the leader's own first entry is persisted, everything before it is too.
      if (this.#completeFor.get(n.id) !== term && log.lastIndex() >= log.firstIndex() && log.term(log.lastIndex()) === term) {
        this.#completeFor.set(n.id, term);
        this.#checkLeaderCompleteness(n.id, n.raft, term, now);
      }
    }
    this.#checkLogMatching(up, now);
  }

  #recordCommitted(id: NodeId, raft: RaftNode, commit: number, now: number): void {
    const log = raft.persistedLog;
    const from = Math.max((this.#recorded.get(id) ?? 0) + 1, log.firstIndex());
    if (from > commit) return;
    for (const e of log.entries(from, commit + 1)) {
      const known = this.committed.get(e.index);
      if (known === undefined) this.committed.set(e.index, { term: e.term, data: e.data });
      else if (known.term !== e.term || !sameBytes(known.data, e.data)) {
        this.report(`committed entries differ: ${id} has ${e.index}/${e.term} committed, another node had ${e.index}/${known.term} (t=${now})`);
        return;
      }
    }
    this.#recorded.set(id, commit);
  }

  /** Leader completeness: a leader of term T holds every entry of an earlier term known to be committed. */
  #checkLeaderCompleteness(id: NodeId, raft: RaftNode, term: number, now: number): void {
    const log = raft.persistedLog;
    const first = log.firstIndex();
    const last = log.lastIndex();
    for (const [index, rec] of this.committed) {
      if (index < first || rec.term >= term) continue;
      if (index > last) {
        this.report(`leader completeness: leader ${id} of term ${term} lacks committed entry ${index}/${rec.term} (t=${now})`);
        return;
      }
      const t = log.term(index);
      if (t !== rec.term) {
        this.report(`leader completeness: leader ${id} of term ${term} has ${index}/${t}, committed was ${index}/${rec.term} (t=${now})`);
        return;
      }
    }
  }

  /** Log matching: two logs with an entry of the same index and term are identical up to it. */
  #checkLogMatching(up: ReadonlyArray<{ id: NodeId; raft: RaftNode }>, now: number): void {
    const changed = up.map((n) => {
      const log = n.raft.persistedLog;
      const last = log.lastIndex();
      const shape = `${log.firstIndex()}:${last}:${log.term(last)}`;
      const was = this.#shape.get(n.id);
      this.#shape.set(n.id, shape);
      return was !== shape;
    });
    for (let i = 0; i < up.length; i++) {
      for (let j = i + 1; j < up.length; j++) {
        if (!changed[i] && !changed[j]) continue;
        const x = up[i] as { id: NodeId; raft: RaftNode };
        const y = up[j] as { id: NodeId; raft: RaftNode };
        const a = x.raft.persistedLog;
        const b = y.raft.persistedLog;
        const lo = Math.max(a.firstIndex(), b.firstIndex());
        let hi = Math.min(a.lastIndex(), b.lastIndex());
        while (hi >= lo && a.term(hi) !== b.term(hi)) hi--;
        if (hi < lo) continue;
        const ea = a.entries(lo, hi + 1);
        const eb = b.entries(lo, hi + 1);
        for (let k = ea.length - 1; k >= 0; k--) {
          const p = ea[k] as Entry;
          const q = eb[k] as Entry;
          if (p.term !== q.term || !sameBytes(p.data, q.data)) {
            this.report(`log matching: ${x.id} and ${y.id} agree on ${hi}/${a.term(hi)} but differ at ${p.index} (t=${now})`);
            return;
          }
        }
      }
    }
  }
}
