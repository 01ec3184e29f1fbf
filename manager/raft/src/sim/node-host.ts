import { RawNode, decodeConfChange } from '../core/index.js';
import type { Entry, Message, NodeId, RaftConfig, ReadState, Ready , MemoryStorage} from '../core/index.js';
import { KvStore, decodeKvCommand } from './kv-store.js';
import type { SeededRand } from './seeded-rand.js';

/** Raft options a host passes to its RawNode (id, storage and rand are the host's). */
export type HostRaftOptions = Omit<RaftConfig, 'id' | 'storage' | 'rand' | 'applied'>;

/** Callbacks from a host's driver loop. */
export interface HostHooks {
  /** A message to deliver (called after the Ready was persisted). */
  send(m: Message): void;
  /** An entry was applied to the state machine (after its Ready was persisted and sent). */
  onApply?(host: NodeHost, e: Entry): void;
  /** A snapshot was installed into the state machine. */
  onRestore?(host: NodeHost, index: number, term: number): void;
  /** A ReadIndex result can be served now (applied >= index). */
  onRead?(host: NodeHost, rs: ReadState): void;
  /** A Ready was produced (for traces). */
  onReady?(host: NodeHost, rd: Ready): void;
  /** Crash injection inside the driver loop: return true to crash right after the
   * persist step (messages never sent) or right after the send step (nothing applied). */
  crashAt?(host: NodeHost, point: 'persisted' | 'sent'): boolean;
}

/** When the host snapshots and compacts its log. */
export interface CompactionPolicy {
  /** Take a snapshot when this many entries were applied since the last one (0 = never). */
  readonly snapshotEvery: number;
  /** Entries kept in the log below the snapshot point (for slow followers). */
  readonly keepEntries: number;
}

/**
 * One simulated node: a RawNode, its "disk" (a MemoryStorage that survives
 * crashes) and a KV state machine (lost on crash, rebuilt from the snapshot
 * and the log). The driver loop persists, sends, applies, then advances —
 * exactly in that order — so a crash loses only what was never persisted.
 */
export class NodeHost {
  readonly id: NodeId;
  /** The stable storage: survives crash/restart. */
  storage: MemoryStorage;
  raw: RawNode | undefined;
  kv: KvStore;
  applied = 0;
  /** Readies whose messages left before they were persisted. */
  pipelinedReadies = 0;
  /** Bumped on every write to the disk (for incremental checks). */
  diskVersion = 0;
  readonly #rand: SeededRand;
  readonly #opts: HostRaftOptions;
  readonly #compaction: CompactionPolicy;
  #hooks: HostHooks;
  #pendingReads: ReadState[] = [];
  readonly #pipeline: boolean;
  /** A Ready whose messages left before it was persisted (pipelined leader appends). */
  #pendingSave: Ready | undefined;

  /**
   * `pipelineLeaderAppends`: like shoal's RaftNode driver (Raft thesis 10.2.1), a
   * leader sends a Ready's appends before persisting them when nothing in the
   * Ready depends on the save; the save then completes later (`finishSave`), while
   * messages keep being stepped, and a crash before it completes loses it.
   */
  constructor(
    id: NodeId,
    storage: MemoryStorage,
    rand: SeededRand,
    opts: HostRaftOptions,
    compaction: CompactionPolicy,
    hooks: HostHooks,
    driver: { pipelineLeaderAppends?: boolean } = {},
  ) {
    this.#pipeline = driver.pipelineLeaderAppends === true;
    this.id = id;
    this.storage = storage;
    this.#rand = rand;
    this.#opts = opts;
    this.#compaction = compaction;
    this.#hooks = hooks;
    this.kv = new KvStore();
    this.raw = undefined;
    this.restart();
  }

  get up(): boolean {
    return this.raw !== undefined;
  }

  /** Lose everything not on disk: the RawNode, the state machine, pending reads. */
  crash(): void {
    this.raw = undefined;
    this.#pendingSave = undefined;
    this.kv = new KvStore();
    this.#pendingReads = [];
  }

  /** Start from disk: the state machine from the snapshot, the log and hard state from storage. */
  restart(): void {
    const snap = this.storage.snapshot();
    this.kv = KvStore.restore(snap.data);
    this.applied = snap.meta.index;
    this.diskVersion++;
    this.raw = new RawNode({ ...this.#opts, id: this.id, storage: this.storage, rand: this.#rand.fork() });
  }

  /** Replace the disk (tests that set up a particular log) and restart from it. */
  replaceDisk(storage: MemoryStorage): void {
    this.crash();
    this.storage = storage;
    this.diskVersion++;
    this.restart();
  }

  /** True while a pipelined save is outstanding (the driver waits for it before the next Ready). */
  get saving(): boolean {
    return this.#pendingSave !== undefined;
  }

  /** Run one driver iteration if there is a Ready; returns whether there was one. */
  processReady(): boolean {
    const raw = this.raw;
    if (raw === undefined || this.#pendingSave !== undefined || !raw.hasReady()) return false;
    const rd = raw.ready();
    this.#hooks.onReady?.(this, rd);
    if (this.#pipeline && this.#maySendBeforePersist(raw, rd)) {
      for (const m of rd.messages) this.#hooks.send(m);
      if (this.#hooks.crashAt?.(this, 'sent') === true) {
        this.crash();
        return true;
      }
      this.#pendingSave = rd;
      this.pipelinedReadies++;
      return true;
    }
    // 1. persist: snapshot, entries, hard state.
    this.#persist(rd);
    if (this.#hooks.crashAt?.(this, 'persisted') === true) {
      this.crash();
      return true;
    }
    // 2. send.
    for (const m of rd.messages) this.#hooks.send(m);
    if (this.#hooks.crashAt?.(this, 'sent') === true) {
      this.crash();
      return true;
    }
    // 3. apply, 4. advance.
    this.#applyAndAdvance(raw, rd);
    return true;
  }

  /** Complete an outstanding pipelined save: persist, apply, advance. */
  finishSave(): boolean {
    const raw = this.raw;
    const rd = this.#pendingSave;
    if (raw === undefined || rd === undefined) return false;
    this.#pendingSave = undefined;
    this.#persist(rd);
    if (this.#hooks.crashAt?.(this, 'persisted') === true) {
      this.crash();
      return true;
    }
    this.#applyAndAdvance(raw, rd);
    return true;
  }

  /** Sending first is allowed only when no message depends on this save: a leader staying
   * leader, no snapshot, no term/vote change, and an announced commit index already durable. */
  #maySendBeforePersist(raw: RawNode, rd: Ready): boolean {
    if (rd.messages.length === 0 || rd.snapshot !== undefined) return false;
    if ((rd.softState?.role ?? raw.softState().role) !== 'leader') return false;
    const stored = this.storage.hardState();
    const hs = rd.hardState;
    if (hs !== undefined && (hs.term !== stored.term || hs.vote !== stored.vote)) return false;
    return raw.hardState().commit <= this.storage.lastIndex();
  }

  #persist(rd: Ready): void {
    if (rd.snapshot !== undefined) this.storage.applySnapshot(rd.snapshot);
    this.storage.append(rd.entries);
    if (rd.hardState !== undefined) this.storage.setHardState(rd.hardState);
    if (rd.snapshot !== undefined || rd.entries.length > 0) this.diskVersion++;
  }

  #applyAndAdvance(raw: RawNode, rd: Ready): void {
    if (rd.snapshot !== undefined) {
      this.kv = KvStore.restore(rd.snapshot.data);
      this.applied = rd.snapshot.meta.index;
      this.#hooks.onRestore?.(this, rd.snapshot.meta.index, rd.snapshot.meta.term);
    }
    for (const e of rd.committedEntries) {
      if (e.index <= this.applied) continue;
      if (e.type === 'conf-change') raw.applyConfChange(decodeConfChange(e.data));
      else if (e.data.length > 0) this.kv.apply(decodeKvCommand(e.data));
      this.applied = e.index;
      this.#hooks.onApply?.(this, e);
    }
    this.#pendingReads.push(...rd.readStates);
    this.#serveReads();
    raw.advance(rd);
    this.#maybeCompact(raw);
  }

  #serveReads(): void {
    if (this.#pendingReads.length === 0) return;
    const ready = this.#pendingReads.filter((r) => r.index <= this.applied);
    this.#pendingReads = this.#pendingReads.filter((r) => r.index > this.applied);
    for (const r of ready) this.#hooks.onRead?.(this, r);
  }

  #maybeCompact(raw: RawNode): void {
    const every = this.#compaction.snapshotEvery;
    if (every <= 0) return;
    const snapIndex = this.storage.snapshot().meta.index;
    if (this.applied - snapIndex < every || this.applied > this.storage.lastIndex()) return;
    this.storage.createSnapshot(this.applied, raw.status().confState, this.kv.snapshot());
    const compactTo = this.applied - this.#compaction.keepEntries;
    if (compactTo >= this.storage.firstIndex()) {
      this.storage.compact(compactTo);
      this.diskVersion++;
    }
  }

  /** Force a snapshot at the applied index and compact everything below it. */
  snapshotAndCompact(): void {
    const raw = this.raw;
    if (raw === undefined) return;
    if (this.applied > this.storage.snapshot().meta.index) this.storage.createSnapshot(this.applied, raw.status().confState, this.kv.snapshot());
    if (this.applied >= this.storage.firstIndex()) this.storage.compact(this.applied);
    this.diskVersion++;
  }
}
