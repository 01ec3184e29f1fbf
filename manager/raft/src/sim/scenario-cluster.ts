import { MemoryStorage, bootstrapLog, isRaftError } from '../core/index.js';
import type { ConfChangeType, Entry, Message, NodeId } from '../core/index.js';
import { encodeKvCommand } from './kv-store.js';
import { formatEntry, formatMessage } from './format.js';
import { NodeHost } from './node-host.js';
import type { CompactionPolicy, HostRaftOptions } from './node-host.js';
import { SeededRand } from './seeded-rand.js';

/** How a scenario cluster starts. */
export interface ScenarioClusterOptions {
  readonly raft?: HostRaftOptions;
  readonly seed?: number;
  readonly compaction?: CompactionPolicy;
  /** `log`: bootstrap conf-change entries (real clusters); `conf`: membership in an empty snapshot (fixed-membership tests). */
  readonly boot?: 'log' | 'conf';
}

/**
 * A deterministic in-process cluster for scenario tests: messages go to one
 * FIFO queue and are delivered only by `stabilize()`/`deliver()`, so a test
 * controls every interleaving. Every delivered or dropped message is traced.
 */
export class ScenarioCluster {
  readonly hosts = new Map<NodeId, NodeHost>();
  readonly trace: string[] = [];
  #queue: Message[] = [];
  #cuts = new Set<string>();
  /** Links whose messages are held in flight (delayed) rather than delivered. */
  #holds = new Set<string>();
  #held: Message[] = [];
  readonly #rand: SeededRand;
  readonly #raft: HostRaftOptions;
  readonly #compaction: CompactionPolicy;
  readonly #voters: NodeId[];
  readonly #boot: 'log' | 'conf';

  constructor(ids: readonly NodeId[], opts: ScenarioClusterOptions = {}) {
    this.#rand = new SeededRand(opts.seed ?? 1);
    this.#raft = opts.raft ?? {};
    this.#compaction = opts.compaction ?? { snapshotEvery: 0, keepEntries: 0 };
    this.#voters = [...ids];
    this.#boot = opts.boot ?? 'log';
    for (const id of ids) this.#addHost(id, this.#bootStorage());
    // Apply the bootstrap entries so every node knows the membership.
    this.stabilize();
    this.trace.length = 0;
  }

  #bootStorage(): MemoryStorage {
    if (this.#boot === 'conf') return new MemoryStorage({ initialConfState: { voters: this.#voters, learners: [] } });
    const storage = new MemoryStorage();
    const { entries, hardState } = bootstrapLog(this.#voters);
    storage.append(entries);
    storage.setHardState(hardState);
    return storage;
  }

  #addHost(id: NodeId, storage: MemoryStorage): NodeHost {
    const host = new NodeHost(id, storage, this.#rand.fork(), this.#raft, this.#compaction, {
      send: (m) => this.#queue.push(m),
      onReady: (h, rd) => {
        if (rd.softState !== undefined) this.trace.push(`[${h.id} is ${rd.softState.role} at term ${h.raw!.status().hardState.term}, leader ${rd.softState.leader || 'none'}]`);
      },
      onRead: (h, rs) => this.trace.push(`[${h.id} read ctx=${new TextDecoder().decode(rs.context)} index=${rs.index}]`),
    });
    this.hosts.set(id, host);
    return host;
  }

  host(id: NodeId): NodeHost {
    const h = this.hosts.get(id);
    if (h === undefined) throw new Error(`no node ${id}`);
    return h;
  }

  /** Add an empty node (a joiner that learns everything from the leader). */
  addNode(id: NodeId): void {
    this.#addHost(id, new MemoryStorage());
  }

  /** Replace a node's disk with a log of the given terms (normal entries) and hard state term. */
  setLog(id: NodeId, term: number, terms: readonly number[]): void {
    const storage = new MemoryStorage({ initialConfState: { voters: this.#voters, learners: [] } });
    const ents: Entry[] = terms.map((t, i) => ({ term: t, index: i + 1, type: 'normal', data: encodeKvCommand({ op: 'put', key: 'k', value: `e${i + 1}` }) }));
    storage.append(ents);
    storage.setHardState({ term, vote: '', commit: 0 });
    this.host(id).replaceDisk(storage);
  }

  /** Process readies and deliver messages until nothing moves. */
  stabilize(): void {
    for (;;) {
      let progress = false;
      for (const id of [...this.hosts.keys()].sort()) if (this.host(id).processReady()) progress = true;
      if (this.#queue.length > 0) {
        progress = true;
        this.deliver();
      }
      if (!progress) return;
    }
  }

  /** Deliver every message queued now (not the ones they cause). */
  deliver(): void {
    const batch = this.#queue;
    this.#queue = [];
    for (const m of batch) {
      const to = this.hosts.get(m.to);
      if (this.#holds.has(`${m.from}->${m.to}`)) {
        this.trace.push(`${formatMessage(m)} HELD`);
        this.#held.push(m);
        continue;
      }
      if (to === undefined || !to.up || this.#cuts.has(`${m.from}->${m.to}`)) {
        this.trace.push(`${formatMessage(m)} DROPPED`);
        continue;
      }
      this.trace.push(formatMessage(m));
      to.raw!.step(m);
    }
  }

  /** Drop every queued message (a lossy network moment). */
  dropAll(): void {
    for (const m of this.#queue) this.trace.push(`${formatMessage(m)} DROPPED`);
    this.#queue = [];
  }

  /** Run processReady on every node without delivering (messages stay queued). */
  flushReadies(): void {
    for (const id of [...this.hosts.keys()].sort()) while (this.host(id).processReady()) { /* drain */ }
  }

  tick(id: NodeId, n = 1): void {
    for (let i = 0; i < n; i++) this.host(id).raw?.tick();
  }

  tickAll(n = 1): void {
    for (let i = 0; i < n; i++) for (const id of [...this.hosts.keys()].sort()) this.host(id).raw?.tick();
  }

  cut(a: NodeId, b: NodeId, oneWay = false): void {
    this.#cuts.add(`${a}->${b}`);
    if (!oneWay) this.#cuts.add(`${b}->${a}`);
  }

  isolate(id: NodeId): void {
    for (const other of this.hosts.keys()) if (other !== id) this.cut(id, other);
  }

  heal(): void {
    this.#cuts.clear();
  }

  /** Hold (delay) the messages from `a` to `b` until {@link release}. */
  hold(a: NodeId, b: NodeId): void {
    this.#holds.add(`${a}->${b}`);
  }

  /**
   * Deliver now, in order, the messages held from `a` to `b` (they were in
   * flight before any later cut, so cuts do not stop them; a node that is
   * down does), and stop holding that link.
   */
  release(a: NodeId, b: NodeId): void {
    this.#holds.delete(`${a}->${b}`);
    const mine = this.#held.filter((m) => m.from === a && m.to === b);
    this.#held = this.#held.filter((m) => !(m.from === a && m.to === b));
    for (const m of mine) {
      const to = this.hosts.get(m.to);
      if (to === undefined || !to.up) {
        this.trace.push(`${formatMessage(m)} DROPPED`);
        continue;
      }
      this.trace.push(`${formatMessage(m)} LATE`);
      to.raw!.step(m);
    }
  }

  /** Run an action, returning its result or the RaftError code it threw. */
  attempt<T>(fn: () => T): { ok: T } | { error: string } {
    try {
      return { ok: fn() };
    } catch (err) {
      if (isRaftError(err)) return { error: err.code };
      throw err;
    }
  }

  propose(id: NodeId, value: string): string {
    const r = this.attempt(() => this.host(id).raw!.propose(encodeKvCommand({ op: 'put', key: 'k', value })));
    return 'ok' in r ? `proposed at ${r.ok.index}/${r.ok.term}` : `error ${r.error}`;
  }

  confChange(id: NodeId, type: ConfChangeType, nodeId: NodeId): string {
    const r = this.attempt(() => this.host(id).raw!.proposeConfChange({ type, nodeId }));
    return 'ok' in r ? `proposed at ${r.ok.index}/${r.ok.term}` : `error ${r.error}`;
  }

  /** The leaders (by their own view). */
  leaders(): NodeId[] {
    return [...this.hosts.values()].filter((h) => h.raw?.status().softState.role === 'leader').map((h) => h.id).sort();
  }

  /** One line per node: role, term, leader, commit, applied, last index, membership. */
  statusLines(): string[] {
    return [...this.hosts.keys()].sort().map((id) => {
      const h = this.host(id);
      if (h.raw === undefined) return `${id}: down`;
      const s = h.raw.status();
      const cs = s.confState;
      const learners = cs.learners.length > 0 ? ` learners=${cs.learners.join(',')}` : '';
      return `${id}: ${s.softState.role} term=${s.hardState.term} leader=${s.softState.leader || 'none'} commit=${s.hardState.commit} applied=${h.applied} last=${s.lastIndex} voters=${cs.voters.join(',')}${learners}`;
    });
  }

  /** The node's whole log (from storage and unstable entries) as `index/term` items. */
  logLine(id: NodeId): string {
    const h = this.host(id);
    const st = h.raw!.status();
    const ents = st.firstIndex <= st.lastIndex ? h.storage.entries(h.storage.firstIndex(), h.storage.lastIndex() + 1) : [];
    const snap = h.storage.firstIndex() - 1;
    return `${id}: ${snap > 0 ? `snap=${snap} ` : ''}${ents.map(formatEntry).join(' ')}`;
  }

  takeTrace(): string[] {
    return this.trace.splice(0, this.trace.length);
  }
}
