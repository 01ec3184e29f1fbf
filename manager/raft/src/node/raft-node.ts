/**
 * RaftNode: the driver that owns a RawNode (the pure core), its FileWal, a
 * Transport and the application's StateMachine, and runs them:
 *
 * - a tick timer (injected Timers) calls `tick()` every `tickMs`;
 * - received messages are stepped into the core as they arrive;
 * - proposals queue up and are handed to the core in one `proposeBatch` per
 *   loop turn, so everything that arrived while the previous fdatasync was
 *   running becomes one append and one fdatasync (group commit);
 * - the ready loop, strictly in order: persist (WAL save, fdatasync) ->
 *   send -> apply (snapshot, committed entries, conf changes, reads) ->
 *   advance -> maybe snapshot and compact.
 *
 * Lifecycle: `RaftNode.open(options)` (replays the WAL, restores the state
 * machine), `run(signal)` (resolves when stopped; rejects on a storage
 * failure, after stopping), `stop()` (closes transport and WAL).
 */
import { bootstrapLog, decodeConfChange, isRaftError, MemoryStorage, RaftError, RawNode } from '../core/index.js';
import type { ConfChange, Entry, HardState, NodeId, RaftConfig, RaftStatus, Rand, Ready, SoftState } from '../core/index.js';
import { FileWal } from '../storage/index.js';
import type { WalFs, WalKeyring } from '../storage/index.js';
import { systemTimers } from '../transport/index.js';
import type { TimerHandle, Timers, Transport } from '../transport/index.js';
import { RaftNodeError } from './errors.js';
import { unwrapSnapshotData, wrapSnapshotData } from './snapshot-envelope.js';
import { forceNewClusterLog } from './force-new-cluster.js';
import { PendingRequests } from './pending-requests.js';
import { readContextSource } from './read-context.js';
import type { Committed } from './pending-requests.js';
import type { StateMachine } from './state-machine.js';

/** Core options a RaftNode passes through (id, storage, rand, applied and timing are its own). */
export type RaftNodeCoreOptions = Omit<RaftConfig, 'id' | 'storage' | 'rand' | 'applied' | 'electionTicks' | 'heartbeatTicks'>;

/** A read-only view of a node's persisted log. */
export interface PersistedLogView {
  firstIndex(): number;
  lastIndex(): number;
  /** The term of entry `i` (firstIndex - 1 <= i <= lastIndex). */
  term(i: number): number;
  /** Entries [lo, hi). */
  entries(lo: number, hi: number): Entry[];
  /** The hard state persisted with this log (its commit index covers entries of this log). */
  hardState(): HardState;
}

/** Options of {@link RaftNode.open}. */
export interface RaftNodeOptions {
  readonly id: NodeId;
  /** The node's data directory (WAL and snapshots). */
  readonly dir: string;
  /** Owned by the node from now on: closed by stop(). */
  readonly transport: Transport;
  readonly stateMachine: StateMachine;
  /** Addresses of the other members known at start (members added later carry theirs in the conf change). */
  readonly peers?: Readonly<Record<NodeId, string>>;
  /** This node's own address as peers reach it; kept in snapshots so members that join later find it. */
  readonly address?: string;
  /** Initial voters (this node included) when the WAL is empty: a new cluster. Omit to join an existing one. */
  readonly bootstrap?: readonly NodeId[];
  /**
   * Restart from this node's WAL and snapshot as the only voter of a new
   * configuration, keeping the committed state (a cluster that lost quorum
   * for good; see force-new-cluster.ts). Nothing happens on an empty WAL.
   */
  readonly forceNewCluster?: boolean;
  /** Milliseconds per tick. Default 50 (see README: timing defaults). */
  readonly tickMs?: number;
  /** Election timeout in ticks, randomised in [n, 2n). Default 10 (0.5 to 1 s). */
  readonly electionTicks?: number;
  /** Heartbeat interval in ticks. Default 1. */
  readonly heartbeatTicks?: number;
  readonly timers?: Timers;
  readonly rand?: Rand;
  /** Snapshot and compact after this many applied entries. Default 10,000; 0 = never. */
  readonly snapshotEvery?: number;
  /** Entries kept in memory below a snapshot for slow followers. Default 1,000. */
  readonly keepEntries?: number;
  /** WAL segment size. Default 64 MiB. */
  readonly segmentBytes?: number;
  /** Seal WAL entries and snapshot files with these keys (see FileWalOptions.keyring); rotate with setKeyring(). */
  readonly keyring?: WalKeyring;
  /** The file system of the WAL (default: the real one; the simulator passes a simulated disk). */
  readonly walFs?: WalFs;
  /** How long readIndex() and transferLeadership() wait. Default 2 election timeouts. */
  readonly requestTimeoutMs?: number;
  readonly core?: RaftNodeCoreOptions;
  /** Let the leader send appends while it persists them (Raft thesis 10.2.1, see #maySendBeforePersist). Default true. */
  readonly pipelineAppends?: boolean;
  /**
   * Contexts of this node's ReadIndex requests; each must be unique across
   * nodes and restarts. Default {@link readContextSource} with a random nonce
   * (a test may pass a seeded source).
   */
  readonly readContexts?: () => Uint8Array;
}

interface QueuedProposal {
  readonly data: Uint8Array;
  readonly resolve: (c: Committed) => void;
  readonly reject: (err: unknown) => void;
}

const defaultRand: Rand = { int: (n) => Math.floor(Math.random() * n) };
const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder();

/** A running Raft member: see the module comment. */
export class RaftNode {
  readonly id: NodeId;
  readonly #wal: FileWal;
  readonly #storage: MemoryStorage;
  readonly #raw: RawNode;
  readonly #transport: Transport;
  readonly #sm: StateMachine;
  readonly #timers: Timers;
  readonly #tickMs: number;
  readonly #snapshotEvery: number;
  readonly #keepEntries: number;
  #applied: number;
  #soft: SoftState = { leader: '', role: 'follower' };
  #persistedHard: HardState;
  /** The latest commit-only hard state, not written yet (see #processReady). */
  #unsavedHard: HardState | undefined;
  readonly #pipelineAppends: boolean;
  /** Member addresses (from options, conf changes and snapshots); saved in every snapshot. */
  #addresses: Record<NodeId, string>;
  #proposals: QueuedProposal[] = [];
  readonly #pending: PendingRequests;
  readonly #softListeners = new Set<(s: SoftState) => void>();
  readonly #nextReadContext: () => Uint8Array;
  #wakeup: (() => void) | undefined;
  #tick: TimerHandle | undefined;
  #running: Promise<void> | undefined;
  /** The background compaction in flight, if any. */
  #compacting: Promise<void> | undefined;
  /** An error from outside the loop (background compaction) that must stop the node. */
  #fatal: unknown;
  /** Settles when the loop has ended, however (stop() waits on this, never on #running). */
  #loopDone: Promise<void> = Promise.resolve();
  #stopping = false;
  #stopped: Promise<void> | undefined;

  private constructor(o: RaftNodeOptions, wal: FileWal, storage: MemoryStorage, raw: RawNode, applied: number, addresses: Record<NodeId, string>) {
    this.id = o.id;
    this.#wal = wal;
    this.#storage = storage;
    this.#raw = raw;
    this.#transport = o.transport;
    this.#sm = o.stateMachine;
    this.#timers = o.timers ?? systemTimers;
    this.#tickMs = o.tickMs ?? 50;
    this.#snapshotEvery = o.snapshotEvery ?? 10_000;
    this.#keepEntries = o.keepEntries ?? 1_000;
    this.#pending = new PendingRequests(this.#timers, o.requestTimeoutMs ?? 2 * (o.electionTicks ?? 10) * this.#tickMs);
    this.#applied = applied;
    this.#persistedHard = storage.hardState();
    this.#pipelineAppends = o.pipelineAppends ?? true;
    this.#nextReadContext = o.readContexts ?? readContextSource(o.id);
    this.#addresses = addresses;
  }

  /**
   * Opens the WAL in `dir`, restores the state machine from the latest
   * snapshot, and builds the core. Bootstraps a new cluster when the WAL is
   * empty and `bootstrap` is given. Does not start ticking: call run().
   */
  static async open(o: RaftNodeOptions): Promise<RaftNode> {
    const { wal, state } = await FileWal.open(o.dir, {
      ...(o.segmentBytes === undefined ? {} : { segmentBytes: o.segmentBytes }),
      ...(o.keyring === undefined ? {} : { keyring: o.keyring }),
      ...(o.walFs === undefined ? {} : { fs: o.walFs }),
    });
    try {
      const storage = new MemoryStorage();
      let applied = 0;
      const addresses: Record<NodeId, string> = {};
      if (state.snapshot !== undefined) {
        storage.applySnapshot(state.snapshot);
        const { addresses: known, app } = unwrapSnapshotData(state.snapshot.data);
        Object.assign(addresses, known);
        await o.stateMachine.restore({ meta: state.snapshot.meta, data: app });
        applied = state.snapshot.meta.index;
      }
      // Configured addresses win over those remembered in the snapshot.
      Object.assign(addresses, o.peers ?? {});
      if (o.address !== undefined) addresses[o.id] = o.address;
      let { hardState, entries } = state;
      if (o.forceNewCluster === true) {
        const forced = forceNewClusterLog(o.id, state);
        if (forced.entries.length > 0) {
          await wal.save(forced.hardState, forced.entries);
          const first = (forced.entries[0] as Entry).index;
          entries = [...entries.filter((e) => e.index < first), ...forced.entries];
          hardState = forced.hardState;
        }
        for (const id of forced.removed) delete addresses[id];
      }
      storage.setHardState(hardState);
      storage.append(entries);
      const fresh = state.snapshot === undefined && entries.length === 0 && hardState.term === 0;
      if (fresh && o.bootstrap !== undefined) {
        const boot = bootstrapLog(o.bootstrap);
        await wal.save(boot.hardState, boot.entries);
        storage.append(boot.entries);
        storage.setHardState(boot.hardState);
      }
      const raw = new RawNode({
        ...o.core,
        id: o.id,
        storage,
        rand: o.rand ?? defaultRand,
        electionTicks: o.electionTicks ?? 10,
        heartbeatTicks: o.heartbeatTicks ?? 1,
        applied,
      });
      for (const [peer, address] of Object.entries(addresses)) if (peer !== o.id) o.transport.addPeer(peer, address);
      return new RaftNode(o, wal, storage, raw, applied, addresses);
    } catch (err) {
      await wal.close();
      throw err;
    }
  }

  /**
   * Runs the node until `signal` aborts or stop() is called. Resolves when
   * stopped; rejects (after stopping) when the WAL fails, since a node that
   * cannot persist must not keep voting or acknowledging, and when the core
   * throws anything but a typed refusal (a bug: its state may be half
   * updated), rather than run on.
   */
  run(signal?: AbortSignal): Promise<void> {
    if (this.#running !== undefined) return this.#running;
    this.#transport.onMessage((m) => {
      if (this.#stopping || this.#fatal !== undefined) return;
      try {
        this.#raw.step(m);
      } catch (err) {
        // A malformed or local-only message from a peer is dropped (the core refused it before
        // changing anything). Anything else is a bug that may have left the core half-updated:
        // the node stops with that error rather than run on.
        if (!(isRaftError(err) && err.code === 'RAFT_INVALID_MESSAGE')) this.#fatal ??= err;
      }
      this.#wake();
    });
    this.#transport.onUnreachable((peer) => {
      if (this.#stopping || this.#fatal !== undefined) return;
      try {
        this.#raw.reportUnreachable(peer);
        // A snapshot chunk queued to it was lost with the stream: the leader restarts the transfer
        // (a no-op unless the peer is in the snapshot state).
        this.#raw.reportSnapshot(peer, 'failure');
      } catch (err) {
        this.#fatal ??= err;
      }
      this.#wake();
    });
    signal?.addEventListener('abort', () => void this.stop().catch(() => undefined), { once: true });
    this.#scheduleTick();
    const loop = this.#loop();
    this.#loopDone = loop.then(
      () => undefined,
      () => undefined,
    );
    // Settles only once stop() has finished (WAL and transport closed), however the loop ended.
    this.#running = loop.then(
      () => this.stop(),
      async (err: unknown) => {
        await this.stop();
        throw err;
      },
    );
    return this.#running;
  }

  /** Stops ticking and the loop, fails pending requests with RAFT_NODE_STOPPED, closes transport and WAL. Idempotent. */
  stop(): Promise<void> {
    if (this.#stopped !== undefined) return this.#stopped;
    this.#stopping = true;
    this.#stopped = (async () => {
      this.#tick?.cancel();
      this.#wake();
      await this.#loopDone;
      await this.#compacting;
      const stopped = (): Error => new RaftNodeError('NODE_STOPPED', `raft node ${this.id} stopped`);
      for (const p of this.#proposals) p.reject(stopped());
      this.#proposals = [];
      this.#pending.failAll(stopped);
      const hs = this.#unsavedHard;
      this.#unsavedHard = undefined;
      if (hs !== undefined) await this.#wal.save(hs, []).catch(() => undefined);
      await this.#transport.close();
      await this.#wal.close();
    })();
    return this.#stopped;
  }

  /**
   * Proposes `data`; resolves once the entry is committed and applied here.
   * Rejects with RAFT_NOT_LEADER (details.leader) when this node is not the
   * leader, RAFT_PROPOSAL_DROPPED (refused or replaced: not committed; a retry
   * is safe), RAFT_OUTCOME_UNKNOWN (appended, then leadership was lost or a
   * snapshot overtook it: it may still commit; read before retrying), or
   * RAFT_NODE_STOPPED.
   */
  propose(data: Uint8Array): Promise<Committed> {
    if (this.#stopping) return Promise.reject(new RaftNodeError('NODE_STOPPED', `raft node ${this.id} is stopped`));
    if (this.#soft.role !== 'leader') return Promise.reject(this.#notLeader());
    return new Promise((resolve, reject) => {
      this.#proposals.push({ data, resolve, reject });
      this.#wake();
    });
  }

  /**
   * Resolves when a read of the local state machine is linearizable: a quorum
   * confirmed the leader's commit index and this node has applied up to it.
   * Rejects with RAFT_NOT_LEADER (no leader known), RAFT_READ_TIMEOUT, RAFT_NODE_STOPPED.
   */
  readIndex(): Promise<void> {
    if (this.#stopping) return Promise.reject(new RaftNodeError('NODE_STOPPED', `raft node ${this.id} is stopped`));
    const ctx = this.#nextReadContext();
    return new Promise((resolve, reject) => {
      try {
        this.#raw.readIndex(ctx);
      } catch (err) {
        reject(err);
        return;
      }
      this.#pending.addRead(ctx, resolve, reject);
      this.#wake();
    });
  }

  /** Adds a voter (or promotes a learner); resolves when the change is applied here. */
  addVoter(id: NodeId, address: string): Promise<Committed> {
    return this.#confChange({ type: 'add-voter', nodeId: id, context: textEncoder.encode(address) });
  }

  /** Adds a learner; resolves when the change is applied here. */
  addLearner(id: NodeId, address: string): Promise<Committed> {
    return this.#confChange({ type: 'add-learner', nodeId: id, context: textEncoder.encode(address) });
  }

  /** Removes a member; resolves when the change is applied here. */
  removeNode(id: NodeId): Promise<Committed> {
    return this.#confChange({ type: 'remove-node', nodeId: id });
  }

  /** Hands leadership to `to`; resolves when this node sees `to` as leader, else RAFT_TRANSFER_TIMEOUT. */
  transferLeadership(to: NodeId): Promise<void> {
    if (this.#stopping) return Promise.reject(new RaftNodeError('NODE_STOPPED', `raft node ${this.id} is stopped`));
    if (this.#soft.leader === to) return Promise.resolve();
    return new Promise((resolve, reject) => {
      try {
        this.#raw.transferLeader(to);
      } catch (err) {
        reject(err);
        return;
      }
      this.#pending.addTransfer(to, resolve, reject);
      this.#wake();
    });
  }

  /** The core's view of this node (role, leader, indexes, progress on the leader). */
  status(): RaftStatus {
    return this.#raw.status();
  }

  /** WAL counters (saves, fdatasyncs, bytes) since open: group commit shows as syncs << proposals. */
  storageStats(): Readonly<{ saves: number; syncs: number; bytes: number }> {
    return this.#wal.stats;
  }

  /**
   * Rotates the keys the WAL seals with: what is written from now on uses
   * `keyring.current`. Ids in `keyIdsInUse()` must stay in later keyrings.
   */
  setKeyring(keyring: WalKeyring): Promise<void> {
    return this.#wal.setKeyring(keyring);
  }

  /** Ids of the keys the WAL segments and snapshot file on disk are sealed with. */
  keyIdsInUse(): readonly string[] {
    return this.#wal.keyIdsInUse;
  }

  /** Calls `listener` on every leader or role change seen by this node; returns an unsubscribe function. */
  onSoftState(listener: (s: SoftState) => void): () => void {
    this.#softListeners.add(listener);
    return () => this.#softListeners.delete(listener);
  }

  /**
   * The log as persisted by this node (what its WAL holds past the snapshot),
   * read-only: for status tools and the simulator's invariant checks.
   */
  get persistedLog(): PersistedLogView {
    return this.#storage;
  }

  /** The current leader ('' when unknown). */
  get leader(): NodeId {
    return this.#soft.leader;
  }

  get isLeader(): boolean {
    return this.#soft.role === 'leader';
  }

  // ---- the loop -----------------------------------------------------------

  async #loop(): Promise<void> {
    while (!this.#stopping) {
      if (this.#fatal !== undefined) throw this.#fatal;
      this.#flushProposals();
      if (this.#raw.hasReady()) {
        await this.#processReady(this.#raw.ready());
        continue;
      }
      await new Promise<void>((resolve) => {
        this.#wakeup = resolve;
      });
    }
  }

  #wake(): void {
    const w = this.#wakeup;
    this.#wakeup = undefined;
    w?.();
  }

  #scheduleTick(): void {
    this.#tick = this.#timers.setTimeout(() => {
      if (this.#stopping) return;
      this.#raw.tick();
      this.#wake();
      this.#scheduleTick();
    }, this.#tickMs);
  }

  #flushProposals(): void {
    if (this.#proposals.length === 0) return;
    const batch = this.#proposals;
    this.#proposals = [];
    let tickets;
    try {
      tickets = this.#raw.proposeBatch(batch.map((p) => p.data));
    } catch (err) {
      for (const p of batch) p.reject(err);
      // A typed refusal (not leader, dropped) changed nothing; anything else stops the node.
      if (!isRaftError(err)) this.#fatal ??= err;
      return;
    }
    tickets.forEach((t, i) => {
      const p = batch[i] as QueuedProposal;
      this.#pending.addProposal(t.index, t.term, p.resolve, p.reject);
    });
  }

  async #processReady(rd: Ready): Promise<void> {
    // Committed entries that were made durable by an earlier Ready are applied
    // while this Ready's fdatasync runs (apply does not depend on it); the
    // others only after it. Every entry is still persisted before it is sent
    // or applied.
    const durable = rd.snapshot === undefined ? this.#wal.lastIndex : 0;
    const early = rd.committedEntries.filter((e) => e.index <= durable);
    const late = early.length === rd.committedEntries.length ? [] : rd.committedEntries.slice(early.length);
    const sendFirst = rd.messages.length > 0 && this.#maySendBeforePersist(rd, durable);
    // The role is visible (isLeader, propose) before any message of this Ready can tell a peer
    // about it; listeners and failing the proposals of a lost leadership come after apply.
    const wasLeader = this.#soft.role === 'leader';
    if (rd.softState !== undefined) this.#soft = rd.softState;
    if (sendFirst) this.#transport.send(rd.messages);
    // 1. persist (returns after fdatasync), then make it visible to the core's storage.
    // A Ready that only moves the commit index (mustSync false, nothing else to store) is not
    // written now: the commit index may be persisted lazily, so it rides along with the next
    // save (or the final one in stop()). That spares a write per replication round.
    let saving: Promise<void> = Promise.resolve();
    const lazyCommitOnly = !rd.mustSync && rd.snapshot === undefined && rd.entries.length === 0;
    if (lazyCommitOnly) {
      if (rd.hardState !== undefined) this.#unsavedHard = rd.hardState;
    } else {
      saving = this.#wal.save(rd.hardState ?? this.#unsavedHard, rd.entries, rd.snapshot);
      this.#unsavedHard = undefined;
    }
    try {
      await this.#applyEntries(early);
    } finally {
      await saving;
    }
    if (rd.hardState !== undefined) this.#persistedHard = rd.hardState;
    if (rd.snapshot !== undefined) this.#storage.applySnapshot(rd.snapshot);
    this.#storage.append(rd.entries);
    if (rd.hardState !== undefined) this.#storage.setHardState(rd.hardState);
    // 2. send.
    if (rd.messages.length > 0 && !sendFirst) this.#transport.send(rd.messages);
    // 3. apply.
    if (rd.snapshot !== undefined) {
      const { addresses, app } = unwrapSnapshotData(rd.snapshot.data);
      this.#addresses = { ...addresses, ...this.#addresses };
      for (const [peer, address] of Object.entries(addresses)) if (peer !== this.id) this.#transport.addPeer(peer, address);
      await this.#sm.restore({ meta: rd.snapshot.meta, data: app });
      this.#applied = rd.snapshot.meta.index;
      this.#pending.snapshotInstalled(this.#applied);
    }
    await this.#applyEntries(late);
    for (const rs of rd.readStates) this.#pending.readState(rs);
    this.#pending.serveReads(this.#applied);
    // After applying, so entries committed in this Ready settle before a leadership loss fails the rest.
    if (rd.softState !== undefined) this.#softStateChanged(rd.softState, wasLeader);
    // 4. advance.
    this.#raw.advance(rd);
    await this.#maybeCompact();
  }

  /**
   * Raft thesis 10.2.1: a leader may send its appends while it persists the
   * same entries, since it counts itself only towards commits that become
   * visible (client acks, commit indexes in messages) in a later Ready, which
   * this loop processes only after this save returned. Allowed only when
   * the Ready carries nothing whose sending depends on this save: the node
   * is and stays leader, no snapshot, no term/vote change, and the commit
   * index it announces is already durable here (a single voter commits its
   * own entries at once: those wait for the save).
   */
  #maySendBeforePersist(rd: Ready, durable: number): boolean {
    if (!this.#pipelineAppends || rd.snapshot !== undefined) return false;
    if ((rd.softState?.role ?? this.#soft.role) !== 'leader') return false;
    const hs = rd.hardState;
    if (hs === undefined) return this.#persistedHard.commit <= durable;
    return hs.term === this.#persistedHard.term && hs.vote === this.#persistedHard.vote && hs.commit <= durable;
  }

  async #applyEntries(entries: readonly Entry[]): Promise<void> {
    for (const e of entries) {
      if (e.index <= this.#applied) continue;
      await this.#applyEntry(e);
    }
  }

  async #applyEntry(e: Entry): Promise<void> {
    if (e.type === 'conf-change') {
      const cc = decodeConfChange(e.data);
      this.#raw.applyConfChange(cc);
      if (cc.nodeId !== this.id) {
        if (cc.type === 'remove-node') {
          this.#transport.removePeer(cc.nodeId);
          delete this.#addresses[cc.nodeId];
        } else if (cc.context !== undefined && cc.context.length > 0) {
          const address = textDecoder.decode(cc.context);
          this.#addresses[cc.nodeId] = address;
          this.#transport.addPeer(cc.nodeId, address);
        }
      }
    } else if (e.data.length > 0) {
      await this.#sm.apply(e);
    }
    this.#applied = e.index;
    this.#pending.applied(e);
  }

  #softStateChanged(s: SoftState, wasLeader: boolean): void {
    for (const l of [...this.#softListeners]) l(s);
    if (wasLeader && s.role !== 'leader') this.#pending.leadershipLost(s.leader);
    this.#pending.leaderIs(s.leader);
  }

  /**
   * Snapshots the state machine at the applied index (in the loop, between
   * applies, so the data matches the index) and compacts in the background:
   * the WAL writes the snapshot file while appends go on, and the in-memory
   * log is trimmed once the WAL has recorded it. A failure fails the node.
   */
  async #maybeCompact(): Promise<void> {
    if (this.#snapshotEvery <= 0 || this.#compacting !== undefined) return;
    const snapIndex = this.#storage.snapshot().meta.index;
    if (this.#applied - snapIndex < this.#snapshotEvery || this.#applied > this.#storage.lastIndex()) return;
    const data = wrapSnapshotData(this.#addresses, await this.#sm.snapshot());
    const snap = this.#storage.createSnapshot(this.#applied, this.#raw.status().confState, data);
    const compactTo = this.#applied - this.#keepEntries;
    this.#compacting = this.#wal.compact(snap).then(
      () => {
        this.#compacting = undefined;
        if (compactTo >= this.#storage.firstIndex() && compactTo <= this.#storage.lastIndex()) this.#storage.compact(compactTo);
      },
      (err: unknown) => {
        this.#compacting = undefined;
        this.#fatal ??= err;
        this.#wake();
      },
    );
  }

  #confChange(cc: ConfChange): Promise<Committed> {
    if (this.#stopping) return Promise.reject(new RaftNodeError('NODE_STOPPED', `raft node ${this.id} is stopped`));
    return new Promise((resolve, reject) => {
      let t;
      try {
        t = this.#raw.proposeConfChange({ ...cc, context: cc.context ?? new Uint8Array(0) });
      } catch (err) {
        reject(err);
        return;
      }
      this.#pending.addProposal(t.index, t.term, resolve, reject);
      this.#wake();
    });
  }

  #notLeader(): RaftError {
    return new RaftError('NOT_LEADER', `node ${this.id} is not the leader`, { leader: this.#soft.leader });
  }
}
