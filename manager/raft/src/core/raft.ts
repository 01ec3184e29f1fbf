import type { RaftConfig, ResolvedConfig } from './config.js';
import { encodeConfChange } from './conf-change-codec.js';
import { checkConfChange } from './conf-change-safety.js';
import { RaftError, isRaftError } from './errors.js';
import { entrySize } from './entry-size.js';
import { Progress } from './progress.js';
import { committedIndex, hasQuorum, voteResult } from './quorum.js';
import { RaftLog } from './raft-log.js';
import { checkMessage } from './message-check.js';
import { contextKey, ReadOnlyQueue } from './read-only.js';
import { resolveConfig } from './resolve-config.js';
import { SnapshotReceiver } from './snapshot-receiver.js';
import type {
  AppendMessage,
  AppendResponseMessage,
  ConfChange,
  ConfState,
  Entry,
  EntryType,
  HardState,
  HeartbeatResponseMessage,
  Message,
  NodeId,
  ProposalTicket,
  RaftStatus,
  ReadState,
  Role,
  Snapshot,
  SnapshotMessage,
  SnapshotResponseMessage,
  SnapshotStatus,
  SoftState,
} from './types.js';
import { NONE } from './types.js';

/**
 * The Raft state machine (etcd-io/raft's `raft`), without I/O: messages to
 * send accumulate in `msgs`, read results in `readStates`. RawNode wraps it
 * with the Ready/advance protocol; use RawNode.
 */
export class Raft {
  readonly id: NodeId;
  readonly cfg: ResolvedConfig;
  readonly log: RaftLog;
  term = 0;
  vote: NodeId = NONE;
  role: Role = 'follower';
  leader: NodeId = NONE;
  msgs: Message[] = [];
  readStates: ReadState[] = [];
  leadTransferee: NodeId = NONE;

  #voters = new Set<NodeId>();
  #learners = new Set<NodeId>();
  #prs = new Map<NodeId, Progress>();
  #votes = new Map<NodeId, boolean>();
  #electionElapsed = 0;
  #heartbeatElapsed = 0;
  /** Ticks since the current leader transfer began (leader only). */
  #transferElapsed = 0;
  /**
   * A leader that applied its own removal, until a quorum of the remaining
   * voters acknowledged a heartbeat carrying a commit index at or past the
   * removal (see #startLeaving).
   */
  #leaving: { commit: number; tokens: Set<string>; acks: Set<NodeId>; elapsed: number } | undefined;
  #randomizedElectionTimeout = 0;
  #ticks = 0;
  #pendingConfIndex = 0;
  #uncommittedSize = 0;
  #readOnly = new ReadOnlyQueue();
  #pendingReadIndex: { context: Uint8Array; requester: NodeId }[] = [];
  readonly #snapRecv = new SnapshotReceiver();
  #needBcast = false;
  /** Ids removed by conf changes applied since start (refused if proposed again). */
  readonly #removed = new Set<NodeId>();

  constructor(config: RaftConfig) {
    this.cfg = resolveConfig(config);
    this.id = this.cfg.id;
    this.log = new RaftLog(this.cfg.storage, this.cfg.maxCommittedSizePerReady);
    const { hardState, confState } = this.cfg.storage.initialState();
    this.#setConf(confState);
    if (hardState.commit > this.log.lastIndex()) {
      throw new RaftError('INVALID_CONFIG', `hard state commit ${hardState.commit} is beyond the last index ${this.log.lastIndex()}`);
    }
    this.term = hardState.term;
    this.vote = hardState.vote;
    // The snapshot is committed by definition (the hard state's commit may be persisted
    // lazily and lag it), and the state machine restarts from it: applied starts there
    // even when the log keeps entries below it.
    const snapIndex = this.#snapshotIndex();
    this.log.commitTo(Math.max(hardState.commit, snapIndex));
    const applied = Math.max(this.cfg.applied ?? 0, snapIndex);
    if (applied > this.log.applied) this.log.appliedTo(Math.min(applied, this.log.committed));
    this.becomeFollower(this.term, NONE);
  }

  // ---- state ------------------------------------------------------------

  #snapshotIndex(): number {
    try {
      return this.cfg.storage.snapshot().meta.index;
    } catch (err) {
      if (isRaftError(err, 'RAFT_SNAPSHOT_TEMPORARILY_UNAVAILABLE')) return this.log.firstIndex() - 1;
      throw err;
    }
  }

  hardState(): HardState {
    return { term: this.term, vote: this.vote, commit: this.log.committed };
  }

  softState(): SoftState {
    return { leader: this.leader, role: this.role };
  }

  confState(): ConfState {
    return { voters: [...this.#voters].sort(), learners: [...this.#learners].sort() };
  }

  /** A voter of the current configuration (only voters campaign). */
  promotable(): boolean {
    return this.#voters.has(this.id);
  }

  hasPendingBroadcast(): boolean {
    return this.#needBcast;
  }

  status(): RaftStatus {
    const base = {
      id: this.id,
      hardState: this.hardState(),
      softState: this.softState(),
      applied: this.log.applied,
      lastIndex: this.log.lastIndex(),
      firstIndex: this.log.firstIndex(),
      confState: this.confState(),
      leadTransferee: this.leadTransferee,
    };
    if (this.role !== 'leader') return base;
    const progress: Record<NodeId, ReturnType<Progress['status']>> = {};
    for (const [id, pr] of this.#prs) progress[id] = pr.status();
    return { ...base, progress };
  }

  #setConf(cs: ConfState): void {
    this.#voters = new Set(cs.voters);
    this.#learners = new Set(cs.learners.filter((id) => !this.#voters.has(id)));
    const next = this.log.lastIndex() + 1;
    const prs = new Map<NodeId, Progress>();
    for (const id of [...this.#voters, ...this.#learners]) {
      const pr = this.#prs.get(id) ?? new Progress(next, this.cfg.maxInflightMsgs, false, this.#neverHeard());
      pr.isLearner = this.#learners.has(id);
      prs.set(id, pr);
    }
    this.#prs = prs;
  }

  #send(m: Message): void {
    this.msgs.push(m);
  }

  // ---- role transitions -------------------------------------------------

  #reset(term: number): void {
    if (this.term !== term) {
      this.term = term;
      this.vote = NONE;
    }
    this.leader = NONE;
    this.#electionElapsed = 0;
    this.#heartbeatElapsed = 0;
    this.#randomizedElectionTimeout = this.cfg.electionTicks + this.cfg.rand.int(this.cfg.electionTicks);
    this.leadTransferee = NONE;
    this.#votes.clear();
    const last = this.log.lastIndex();
    for (const [id, pr] of this.#prs) {
      const fresh = new Progress(last + 1, this.cfg.maxInflightMsgs, pr.isLearner, this.#neverHeard());
      if (id === this.id) fresh.match = last;
      this.#prs.set(id, fresh);
    }
    this.#pendingConfIndex = 0;
    this.#uncommittedSize = 0;
    this.#readOnly.reset();
    this.#pendingReadIndex = [];
    this.#needBcast = false;
    this.#leaving = undefined;
  }

  becomeFollower(term: number, leader: NodeId): void {
    this.#reset(term);
    this.leader = leader;
    this.role = 'follower';
  }

  #becomePreCandidate(): void {
    // Pre-vote does not change term or vote; it only asks.
    this.#votes.clear();
    this.leader = NONE;
    this.role = 'pre-candidate';
  }

  #becomeCandidate(): void {
    this.#reset(this.term + 1);
    this.vote = this.id;
    this.role = 'candidate';
  }

  #becomeLeader(): void {
    this.#reset(this.term);
    this.leader = this.id;
    this.role = 'leader';
    const self = this.#prs.get(this.id);
    if (self !== undefined) self.becomeReplicate();
    for (const pr of this.#prs.values()) pr.recentActive = true;
    // The no-op entry of the new term: committing it commits every earlier entry
    // (Raft §5.4.2) and is what ReadIndex and conf changes wait for.
    this.#appendEntries([{ type: 'normal', data: new Uint8Array(0) }]);
    // No conf change before this term's no-op is applied (single-step change safety).
    this.#pendingConfIndex = this.log.lastIndex();
    this.#bcastAppend();
  }

  // ---- ticks ------------------------------------------------------------

  tick(): void {
    this.#ticks++;
    if (this.role === 'leader') this.#tickHeartbeat();
    else this.#tickElection();
  }

  #tickElection(): void {
    this.#electionElapsed++;
    if (this.promotable() && this.#electionElapsed >= this.#randomizedElectionTimeout) {
      this.#electionElapsed = 0;
      this.hup(false);
    }
  }

  #tickHeartbeat(): void {
    this.#heartbeatElapsed++;
    this.#electionElapsed++;
    if (this.#electionElapsed >= this.cfg.electionTicks) {
      this.#electionElapsed = 0;
      if (this.cfg.checkQuorum && !this.#checkQuorumActive()) {
        this.becomeFollower(this.term, NONE);
        return;
      }
    }
    // A transfer that did not finish within an election timeout is abandoned. It has a
    // counter of its own: transfer requests must not postpone the check-quorum above.
    if (this.leadTransferee !== NONE && ++this.#transferElapsed >= this.cfg.electionTicks) {
      this.leadTransferee = NONE;
    }
    if (this.#leaving !== undefined && ++this.#leaving.elapsed >= this.cfg.electionTicks) {
      // No quorum confirmed within an election timeout: leave anyway (they may be down).
      this.becomeFollower(this.term, NONE);
      return;
    }
    if (this.#heartbeatElapsed >= this.cfg.heartbeatTicks) {
      this.#heartbeatElapsed = 0;
      if (this.#leaving !== undefined) this.#bcastLeaveRound();
      else this.#bcastHeartbeat(this.#readOnly.lastPendingToken());
    }
  }

  /** True when a quorum of voters was heard from since the last check; resets the marks. */
  #checkQuorumActive(): boolean {
    const ok = hasQuorum(this.#voters, (id) => id === this.id || this.#prs.get(id)?.recentActive === true);
    for (const [id, pr] of this.#prs) if (id !== this.id) pr.recentActive = false;
    return ok;
  }

  // ---- elections --------------------------------------------------------

  /** Start an election (pre-vote first when enabled), unless leader, not a voter,
   * or a committed conf change is still unapplied. `transfer` skips pre-vote. */
  hup(transfer: boolean): void {
    if (this.role === 'leader' || !this.promotable()) return;
    if (this.#hasUnappliedConfChange()) return;
    if (this.cfg.preVote && !transfer) this.#campaign('pre-vote', false);
    else this.#campaign('vote', transfer);
  }

  #hasUnappliedConfChange(): boolean {
    if (this.log.committed <= this.log.applied) return false;
    const lo = Math.max(this.log.applied + 1, this.log.firstIndex());
    if (lo > this.log.committed) return false;
    return this.log.slice(lo, this.log.committed + 1).some((e) => e.type === 'conf-change');
  }

  #campaign(kind: 'pre-vote' | 'vote', transfer: boolean): void {
    let voteTerm: number;
    if (kind === 'pre-vote') {
      this.#becomePreCandidate();
      voteTerm = this.term + 1;
    } else {
      this.#becomeCandidate();
      voteTerm = this.term;
    }
    this.#votes.set(this.id, true);
    if (voteResult(this.#voters, this.#votes) === 'won') {
      if (kind === 'pre-vote') this.#campaign('vote', false);
      else this.#becomeLeader();
      return;
    }
    const lastLogIndex = this.log.lastIndex();
    const lastLogTerm = this.log.lastTerm();
    for (const id of [...this.#voters].sort()) {
      if (id === this.id) continue;
      if (kind === 'pre-vote') this.#send({ type: 'pre-vote', from: this.id, to: id, term: voteTerm, lastLogIndex, lastLogTerm });
      else this.#send({ type: 'vote', from: this.id, to: id, term: voteTerm, lastLogIndex, lastLogTerm, transfer });
    }
  }

  // ---- step -------------------------------------------------------------

  step(m: Message): void {
    checkMessage(m, this.id);
    if (m.term > this.term) {
      if (m.type === 'vote' || m.type === 'pre-vote') {
        const force = m.type === 'vote' && m.transfer;
        const inLease = this.cfg.checkQuorum && this.leader !== NONE && this.#electionElapsed < this.cfg.electionTicks;
        // Leader lease: a node that hears from a live leader ignores campaigns
        // (a partitioned node cannot depose a working leader).
        if (!force && inLease) return;
      }
      if (m.type === 'pre-vote') {
        // Never change term on a pre-vote request.
      } else if (m.type === 'pre-vote-resp' && !m.reject) {
        // A granted pre-vote carries the future term; counted below.
      } else if (m.type === 'append' || m.type === 'heartbeat' || m.type === 'snapshot') {
        this.becomeFollower(m.term, m.from);
      } else {
        // Raft Figure 2: the election timer restarts only on hearing from the leader or
        // granting a vote, not on seeing a higher term; otherwise a node with a stale log
        // and a fast clock (no pre-vote) could keep every other node from ever campaigning.
        const elapsed = this.#electionElapsed;
        this.becomeFollower(m.term, NONE);
        this.#electionElapsed = elapsed;
      }
    } else if (m.term < this.term) {
      if ((this.cfg.checkQuorum || this.cfg.preVote) && (m.type === 'append' || m.type === 'heartbeat')) {
        // Tell a stale leader about the newer term so it steps down (it may have been
        // cut off while we moved on without disrupting anyone, thanks to pre-vote).
        this.#send({ type: 'append-resp', from: this.id, to: m.from, term: this.term, reject: false, index: 0, hintIndex: 0, hintTerm: 0 });
      } else if (m.type === 'pre-vote') {
        this.#send({ type: 'pre-vote-resp', from: this.id, to: m.from, term: this.term, reject: true });
      }
      return;
    }

    if (m.type === 'vote' || m.type === 'pre-vote') {
      const canVote =
        this.vote === m.from || (this.vote === NONE && this.leader === NONE) || (m.type === 'pre-vote' && m.term > this.term);
      const respType = m.type === 'vote' ? 'vote-resp' : 'pre-vote-resp';
      if (canVote && this.log.isUpToDate(m.lastLogIndex, m.lastLogTerm)) {
        this.#send({ type: respType, from: this.id, to: m.from, term: m.term, reject: false });
        if (m.type === 'vote') {
          this.#electionElapsed = 0;
          this.vote = m.from;
        }
      } else {
        this.#send({ type: respType, from: this.id, to: m.from, term: this.term, reject: true });
      }
      return;
    }

    switch (this.role) {
      case 'leader':
        this.#stepLeader(m);
        return;
      case 'candidate':
      case 'pre-candidate':
        this.#stepCandidate(m);
        return;
      case 'follower':
        this.#stepFollower(m);
        return;
    }
  }

  #stepFollower(m: Message): void {
    switch (m.type) {
      case 'append':
        this.#electionElapsed = 0;
        this.leader = m.from;
        this.#handleAppend(m);
        return;
      case 'heartbeat':
        this.#electionElapsed = 0;
        this.leader = m.from;
        this.log.commitTo(Math.min(m.commit, this.log.lastIndex()));
        this.#send(this.#heartbeatResp(m.from, m.context));
        return;
      case 'snapshot':
        this.#electionElapsed = 0;
        this.leader = m.from;
        this.#handleSnapshot(m);
        return;
      case 'timeout-now':
        // Leader transfer: campaign at once, skipping pre-vote and the lease.
        this.hup(true);
        return;
      case 'read-index-resp':
        if (!m.reject) this.readStates.push({ index: m.index, context: m.context });
        return;
      case 'transfer-leader':
        if (this.leader !== NONE) this.#send({ ...m, to: this.leader, term: this.term });
        return;
      default:
        return;
    }
  }

  #heartbeatResp(to: NodeId, context: Uint8Array | undefined): HeartbeatResponseMessage {
    return context === undefined
      ? { type: 'heartbeat-resp', from: this.id, to, term: this.term }
      : { type: 'heartbeat-resp', from: this.id, to, term: this.term, context };
  }

  #stepCandidate(m: Message): void {
    switch (m.type) {
      case 'append':
        this.becomeFollower(m.term, m.from);
        this.#handleAppend(m);
        return;
      case 'heartbeat':
        this.becomeFollower(m.term, m.from);
        this.#stepFollower(m);
        return;
      case 'snapshot':
        this.becomeFollower(m.term, m.from);
        this.#handleSnapshot(m);
        return;
      case 'pre-vote-resp':
      case 'vote-resp': {
        const mine = this.role === 'pre-candidate' ? 'pre-vote-resp' : 'vote-resp';
        if (m.type !== mine) return;
        if (!this.#votes.has(m.from)) this.#votes.set(m.from, !m.reject);
        const res = voteResult(this.#voters, this.#votes);
        if (res === 'won') {
          if (this.role === 'pre-candidate') this.#campaign('vote', false);
          else this.#becomeLeader();
        } else if (res === 'lost') {
          this.becomeFollower(this.term, NONE);
        }
        return;
      }
      default:
        return;
    }
  }

  // ---- follower handlers -----------------------------------------------

  #appendResp(to: NodeId, fields: Pick<AppendResponseMessage, 'reject' | 'index' | 'hintIndex' | 'hintTerm'>): AppendResponseMessage {
    return { type: 'append-resp', from: this.id, to, term: this.term, ...fields };
  }

  #handleAppend(m: AppendMessage): void {
    if (m.prevIndex < this.log.committed) {
      this.#send(this.#appendResp(m.from, { reject: false, index: this.log.committed, hintIndex: 0, hintTerm: 0 }));
      return;
    }
    const lastNew = this.log.maybeAppend(m.prevIndex, m.prevTerm, m.commit, m.entries);
    if (lastNew !== undefined) {
      this.#send(this.#appendResp(m.from, { reject: false, index: lastNew, hintIndex: 0, hintTerm: 0 }));
      return;
    }
    // Fast back-tracking: point the leader at the last index whose term is <= prevTerm.
    const hintIndex = this.log.findConflictByTerm(Math.min(m.prevIndex, this.log.lastIndex()), m.prevTerm);
    const hintTerm = this.log.termOrUndefined(hintIndex) ?? 0;
    this.#send(this.#appendResp(m.from, { reject: true, index: m.prevIndex, hintIndex, hintTerm }));
  }

  #snapResp(to: NodeId, snapshotIndex: number, nextOffset: number, reject: boolean): SnapshotResponseMessage {
    return { type: 'snapshot-resp', from: this.id, to, term: this.term, snapshotIndex, nextOffset, reject };
  }

  #handleSnapshot(m: SnapshotMessage): void {
    const idx = m.meta.index;
    if (idx <= this.log.committed) {
      // Already have everything the snapshot covers.
      this.#snapRecv.reset();
      this.#send(this.#snapResp(m.from, idx, m.totalBytes, false));
      return;
    }
    const r = this.#snapRecv.receive(m);
    if (r.snapshot !== undefined) this.#restore(r.snapshot);
    this.#send(this.#snapResp(m.from, idx, r.nextOffset, false));
  }

  #restore(snap: Snapshot): boolean {
    if (snap.meta.index <= this.log.committed) return false;
    if (this.log.matchTerm(snap.meta.index, snap.meta.term)) {
      // We have the entry: just fast-forward the commit index.
      this.log.commitTo(snap.meta.index);
      return false;
    }
    this.log.restore(snap);
    this.#setConf(snap.meta.confState);
    return true;
  }

  // ---- leader -----------------------------------------------------------

  #stepLeader(m: Message): void {
    switch (m.type) {
      case 'read-index':
        this.#handleReadIndex(m.context, m.from);
        return;
      case 'transfer-leader':
        this.#handleTransfer(m.transferee, false);
        return;
      default:
        break;
    }
    const pr = this.#prs.get(m.from);
    if (pr === undefined) return;
    switch (m.type) {
      case 'append-resp':
        pr.recentActive = true;
        pr.lastHeardTick = this.#ticks;
        this.#handleAppendResp(m, pr);
        return;
      case 'heartbeat-resp':
        pr.recentActive = true;
        pr.lastHeardTick = this.#ticks;
        this.#handleHeartbeatResp(m, pr);
        return;
      case 'snapshot-resp':
        pr.recentActive = true;
        pr.lastHeardTick = this.#ticks;
        this.#handleSnapshotResp(m, pr);
        return;
      default:
        return;
    }
  }

  #handleAppendResp(m: AppendResponseMessage, pr: Progress): void {
    if (m.reject) {
      let nextProbe = m.hintIndex;
      if (m.hintTerm > 0) nextProbe = this.log.findConflictByTerm(m.hintIndex, m.hintTerm);
      if (pr.maybeDecrTo(m.index, nextProbe)) {
        if (pr.state === 'replicate') pr.becomeProbe();
        this.#maybeSendAppend(m.from, true);
      }
      return;
    }
    const oldPaused = pr.isPaused();
    // An ack at the current match still ends a probe (e.g. right after a snapshot).
    if (!pr.maybeUpdate(m.index) && !(pr.state === 'probe' && pr.match === m.index)) return;
    if (pr.state === 'probe') {
      pr.becomeReplicate();
    } else if (pr.state === 'snapshot' && pr.match >= pr.pendingSnapshot) {
      pr.becomeReplicate();
    } else if (pr.state === 'replicate') {
      pr.inflights.freeLE(m.index);
    }
    if (this.#maybeCommit()) {
      this.#bcastAppend();
    } else if (oldPaused) {
      this.#maybeSendAppend(m.from, true);
    }
    while (this.#maybeSendAppend(m.from, false)) {
      // Fill the inflight window.
    }
    if (m.from === this.leadTransferee && pr.match === this.log.lastIndex()) this.#sendTimeoutNow(m.from);
  }

  #handleHeartbeatResp(m: HeartbeatResponseMessage, pr: Progress): void {
    pr.probeSent = false;
    if (pr.state === 'replicate' && pr.inflights.full()) pr.inflights.freeFirstOne();
    if (pr.state === 'snapshot') {
      // The last chunk or its ack may have been lost: send the current chunk again.
      this.#sendSnapshotChunk(m.from, pr);
    } else if (pr.match < this.log.lastIndex()) {
      this.#maybeSendAppend(m.from, true);
    }
    // The context of a heartbeat ack is the token of the read round it answers.
    if (m.context === undefined) return;
    if (this.#leaving !== undefined) {
      const leaving = this.#leaving;
      if (!leaving.tokens.has(contextKey(m.context))) return;
      leaving.acks.add(m.from);
      if (hasQuorum(this.#voters, (id) => leaving.acks.has(id))) this.becomeFollower(this.term, NONE);
      return;
    }
    const acks = this.#readOnly.recvAck(m.from, m.context);
    if (acks === undefined || !hasQuorum(this.#voters, (id) => acks.has(id))) return;
    for (const req of this.#readOnly.advance(m.context)) this.#respondRead(req.context, req.requester, req.index);
  }

  #handleSnapshotResp(m: SnapshotResponseMessage, pr: Progress): void {
    if (pr.state !== 'snapshot' || m.snapshotIndex !== pr.pendingSnapshot || pr.snapshot === undefined) return;
    if (m.reject) {
      pr.snapshot = undefined;
      pr.becomeProbe();
      return;
    }
    if (m.nextOffset >= pr.snapshot.data.length) {
      // Installed (or not needed): the follower has everything up to the snapshot index.
      pr.maybeUpdate(m.snapshotIndex);
      pr.becomeProbe();
      this.#maybeSendAppend(m.from, true);
      return;
    }
    if (m.nextOffset === pr.snapshotOffset) return; // duplicate ack of a chunk already re-sent
    pr.snapshotOffset = m.nextOffset;
    this.#sendSnapshotChunk(m.from, pr);
  }

  #maybeCommit(): boolean {
    const mci = committedIndex(this.#voters, (id) => this.#prs.get(id)?.match ?? 0);
    if (!Number.isFinite(mci) || mci <= this.log.committed) return false;
    // Raft §5.4.2: only entries of the current term are committed by counting replicas.
    if (this.log.termOrUndefined(mci) !== this.term) return false;
    this.log.commitTo(mci);
    if (this.#pendingReadIndex.length > 0) {
      const pending = this.#pendingReadIndex;
      this.#pendingReadIndex = [];
      for (const r of pending) this.#handleReadIndex(r.context, r.requester);
    }
    return true;
  }

  /** Send appends to every peer, filling each replicate window (entries beyond maxSizePerMsg go in further messages). */
  #bcastAppend(): void {
    for (const id of this.#prs.keys()) {
      if (id === this.id || !this.#maybeSendAppend(id, true)) continue;
      while (this.#maybeSendAppend(id, false)) {
        // Fill the inflight window.
      }
    }
  }

  /**
   * The leader applied its own removal. Stepping down at once would leave the
   * remaining voters possibly not knowing that the removal committed: they
   * would keep the old configuration, which counts this node, and in a
   * cluster left with one voter that one could never win an election once
   * this node is gone (one lost heartbeat suffices). So it stays leader,
   * accepting no proposals or reads, replicating and sending heartbeats whose
   * commit index covers the removal, and steps down once a quorum of the
   * remaining voters acknowledged such a heartbeat (a member of that quorum
   * can then win with the new configuration), or after an election timeout.
   */
  #startLeaving(): void {
    this.#readOnly.reset();
    this.#pendingReadIndex = [];
    this.leadTransferee = NONE;
    if (this.#voters.size === 0) {
      this.becomeFollower(this.term, NONE);
      return;
    }
    this.#leaving = { commit: this.log.committed, tokens: new Set(), acks: new Set(), elapsed: 0 };
    this.#bcastAppend();
    this.#bcastLeaveRound();
  }

  /** A heartbeat round of a leaving leader: the token only to voters whose commit can reach the removal. */
  #bcastLeaveRound(): void {
    const leaving = this.#leaving!;
    const token = this.#readOnly.nextToken(this.term);
    leaving.tokens.add(contextKey(token));
    for (const [id, pr] of this.#prs) {
      if (id === this.id) continue;
      const commit = Math.min(pr.match, this.log.committed);
      this.#send(this.#voters.has(id) && commit >= leaving.commit
        ? { type: 'heartbeat', from: this.id, to: id, term: this.term, commit, context: token }
        : { type: 'heartbeat', from: this.id, to: id, term: this.term, commit });
    }
  }

  #bcastHeartbeat(context: Uint8Array | undefined): void {
    for (const [id, pr] of this.#prs) {
      if (id === this.id) continue;
      const commit = Math.min(pr.match, this.log.committed);
      this.#send(
        context === undefined
          ? { type: 'heartbeat', from: this.id, to: id, term: this.term, commit }
          : { type: 'heartbeat', from: this.id, to: id, term: this.term, commit, context },
      );
    }
  }

  /** Send the next append to `to` if flow control allows; returns whether something was sent. */
  #maybeSendAppend(to: NodeId, sendIfEmpty: boolean): boolean {
    const pr = this.#prs.get(to);
    if (pr === undefined || pr.isPaused()) return false;
    const prevIndex = pr.next - 1;
    const prevTerm = this.log.termOrUndefined(prevIndex);
    let ents: Entry[] | undefined;
    if (prevTerm !== undefined) {
      try {
        ents = this.log.entriesFrom(pr.next, this.cfg.maxSizePerMsg);
      } catch (err) {
        if (!isRaftError(err, 'RAFT_COMPACTED')) throw err;
      }
    }
    if (prevTerm === undefined || ents === undefined) return this.#sendSnapshot(to, pr);
    if (ents.length === 0 && !sendIfEmpty) return false;
    this.#send({ type: 'append', from: this.id, to, term: this.term, prevIndex, prevTerm, entries: ents, commit: this.log.committed });
    if (ents.length > 0 && pr.state === 'replicate') {
      const last = ents[ents.length - 1]!.index;
      pr.optimisticUpdate(last);
      pr.inflights.add(last);
    } else if (pr.state === 'probe') {
      pr.probeSent = true;
    }
    return true;
  }

  #sendSnapshot(to: NodeId, pr: Progress): boolean {
    if (!pr.recentActive) return false;
    let snap: Snapshot;
    try {
      snap = this.log.storage.snapshot();
    } catch (err) {
      if (isRaftError(err, 'RAFT_SNAPSHOT_TEMPORARILY_UNAVAILABLE')) return false;
      throw err;
    }
    if (snap.meta.index === 0) throw new Error('raft invariant: a follower needs a snapshot but storage has none');
    pr.becomeSnapshot(snap);
    this.#sendSnapshotChunk(to, pr);
    return true;
  }

  #sendSnapshotChunk(to: NodeId, pr: Progress): void {
    const snap = pr.snapshot;
    if (snap === undefined) return;
    const off = pr.snapshotOffset;
    const data = snap.data.subarray(off, Math.min(snap.data.length, off + this.cfg.maxSnapshotChunkBytes));
    this.#send({ type: 'snapshot', from: this.id, to, term: this.term, meta: snap.meta, offset: off, totalBytes: snap.data.length, data });
  }

  #sendTimeoutNow(to: NodeId): void {
    this.#send({ type: 'timeout-now', from: this.id, to, term: this.term });
  }

  // ---- proposals ---------------------------------------------------------

  #appendEntries(items: readonly { type: EntryType; data: Uint8Array }[]): ProposalTicket[] {
    let index = this.log.lastIndex();
    const ents: Entry[] = items.map((it) => ({ term: this.term, index: ++index, type: it.type, data: it.data }));
    this.log.append(ents);
    this.#prs.get(this.id)?.maybeUpdate(this.log.lastIndex());
    this.#maybeCommit();
    return ents.map((e) => ({ index: e.index, term: e.term }));
  }

  #checkCanPropose(bytes: number): void {
    if (this.role !== 'leader') {
      throw new RaftError('NOT_LEADER', `node ${this.id} is not the leader`, { leader: this.leader });
    }
    if (this.leadTransferee !== NONE) {
      throw new RaftError('PROPOSAL_DROPPED', `leadership is being transferred to ${this.leadTransferee}`, { transferee: this.leadTransferee });
    }
    if (!this.#prs.has(this.id)) throw new RaftError('PROPOSAL_DROPPED', `node ${this.id} is not a member any more`);
    const max = this.cfg.maxUncommittedEntriesSize;
    if (max > 0 && this.#uncommittedSize > 0 && this.#uncommittedSize + bytes > max) {
      throw new RaftError('PROPOSAL_DROPPED', `too many uncommitted bytes (${this.#uncommittedSize})`);
    }
  }

  /** Append proposals to the leader's log; they are sent to followers in the next Ready (batched). */
  propose(data: readonly Uint8Array[]): ProposalTicket[] {
    const bytes = data.reduce((n, d) => n + d.length, 0);
    this.#checkCanPropose(bytes);
    this.#uncommittedSize += bytes;
    const tickets = this.#appendEntries(data.map((d) => ({ type: 'normal' as const, data: d })));
    this.#needBcast = true;
    return tickets;
  }

  /** Send the appends for proposals made since the last call (one message per peer). */
  flushProposals(): void {
    if (!this.#needBcast) return;
    this.#needBcast = false;
    if (this.role === 'leader') this.#bcastAppend();
  }

  /** Entries were applied: release their bytes from the uncommitted budget. */
  reduceUncommittedSize(ents: readonly Entry[]): void {
    if (this.role !== 'leader') return;
    let n = 0;
    for (const e of ents) n += entrySize(e);
    this.#uncommittedSize = Math.max(0, this.#uncommittedSize - n);
  }

  proposeConfChange(cc: ConfChange): ProposalTicket {
    this.#checkCanPropose(0);
    if (this.#pendingConfIndex > this.log.applied) {
      throw new RaftError('CONF_CHANGE_PENDING', `a membership change (up to index ${this.#pendingConfIndex}) is not applied yet`, {
        pendingIndex: this.#pendingConfIndex,
        applied: this.log.applied,
      });
    }
    checkConfChange(cc, {
      voters: this.#voters,
      learners: this.#learners,
      removed: this.#removed,
      healthy: (id) => this.#healthy(id),
      matchOf: (id) => this.#prs.get(id)?.match ?? 0,
      lastIndex: this.log.lastIndex(),
      learnerCatchUpSlack: this.cfg.learnerCatchUpSlack,
    });
    const [ticket] = this.#appendEntries([{ type: 'conf-change', data: encodeConfChange(cc) }]);
    this.#pendingConfIndex = ticket!.index;
    this.#needBcast = true;
    return ticket!;
  }

  /** A lastHeardTick that counts as "not heard from recently" (a peer must answer before it counts as healthy). */
  #neverHeard(): number {
    return this.#ticks - this.cfg.electionTicks - 1;
  }

  /** A peer counts as healthy for conf-change safety when heard from within an election timeout and replicating. */
  #healthy(id: NodeId): boolean {
    if (id === this.id) return true;
    const pr = this.#prs.get(id);
    // Caught up enough to count: its match point is known (replicate state), not probing or
    // receiving a snapshot.
    return pr !== undefined && this.#ticks - pr.lastHeardTick <= this.cfg.electionTicks && pr.state === 'replicate';
  }

  /** Apply a committed membership change (called by the driver when it applies the entry). Idempotent. */
  applyConfChange(cc: ConfChange): ConfState {
    const id = cc.nodeId;
    const next = this.log.lastIndex() + 1;
    switch (cc.type) {
      case 'add-voter':
        this.#learners.delete(id);
        this.#voters.add(id);
        break;
      case 'add-learner':
        if (this.#voters.has(id)) return this.confState();
        this.#learners.add(id);
        break;
      case 'remove-node':
        this.#voters.delete(id);
        this.#learners.delete(id);
        this.#prs.delete(id);
        this.#removed.add(id);
        break;
    }
    let added = false;
    if (cc.type !== 'remove-node') {
      let pr = this.#prs.get(id);
      if (pr === undefined) {
        pr = new Progress(next, this.cfg.maxInflightMsgs, false, this.#neverHeard());
        pr.recentActive = true;
        this.#prs.set(id, pr);
        added = true;
      }
      pr.isLearner = this.#learners.has(id);
    }
    if (this.role === 'leader') {
      if (!this.#voters.has(this.id)) {
        this.#startLeaving();
      } else {
        if (this.leadTransferee !== NONE && !this.#voters.has(this.leadTransferee)) this.leadTransferee = NONE;
        if (this.#maybeCommit()) this.#bcastAppend();
        else for (const peer of this.#prs.keys()) if (peer !== this.id) this.#maybeSendAppend(peer, false);
        // Start probing a new member at once rather than at the next heartbeat.
        if (added && id !== this.id) this.#maybeSendAppend(id, true);
      }
    }
    return this.confState();
  }

  // ---- reads and transfers ---------------------------------------------

  /** A ReadIndex request from the application (requester = self) or a follower. */
  readIndex(context: Uint8Array): void {
    if (this.role === 'leader') {
      this.#handleReadIndex(context, this.id);
      return;
    }
    if (this.leader === NONE) throw new RaftError('NOT_LEADER', `node ${this.id} knows no leader to confirm a read`, { leader: NONE });
    this.#send({ type: 'read-index', from: this.id, to: this.leader, term: this.term, context });
  }

  #handleReadIndex(context: Uint8Array, requester: NodeId): void {
    if (this.#leaving !== undefined) {
      // Removed from the cluster: it confirms no reads (the requester asks again elsewhere).
      if (requester === this.id) throw new RaftError('NOT_LEADER', `node ${this.id} was removed from the cluster`, { leader: NONE });
      this.#send({ type: 'read-index-resp', from: this.id, to: requester, term: this.term, context, index: 0, reject: true });
      return;
    }
    if (this.log.termOrUndefined(this.log.committed) !== this.term) {
      // Until the leader commits an entry of its term it does not know the
      // commit index of the cluster: hold the request.
      this.#pendingReadIndex.push({ context, requester });
      return;
    }
    if (this.#voters.size === 1 && this.#voters.has(this.id)) {
      this.#respondRead(context, requester, this.log.committed);
      return;
    }
    this.#bcastHeartbeat(this.#readOnly.add(this.log.committed, context, requester, this.id, this.term));
  }

  #respondRead(context: Uint8Array, requester: NodeId, index: number): void {
    if (requester === this.id) this.readStates.push({ index, context });
    else this.#send({ type: 'read-index-resp', from: this.id, to: requester, term: this.term, context, index, reject: false });
  }

  transferLeader(to: NodeId): void {
    if (this.role === 'leader') {
      this.#handleTransfer(to, true);
      return;
    }
    if (this.leader === NONE) throw new RaftError('NOT_LEADER', `node ${this.id} knows no leader`, { leader: NONE });
    if (to === this.leader) return;
    this.#send({ type: 'transfer-leader', from: this.id, to: this.leader, term: this.term, transferee: to });
  }

  #handleTransfer(transferee: NodeId, local: boolean): void {
    if (this.#leaving !== undefined) return;
    if (!this.#voters.has(transferee) || transferee === this.id) {
      if (local && transferee !== this.id) throw new RaftError('TRANSFER_INVALID', `${transferee} is not a voter`, { transferee });
      return;
    }
    if (this.leadTransferee === transferee) return;
    this.#transferElapsed = 0;
    this.leadTransferee = transferee;
    const pr = this.#prs.get(transferee)!;
    if (pr.match === this.log.lastIndex()) this.#sendTimeoutNow(transferee);
    else this.#maybeSendAppend(transferee, true);
  }

  reportUnreachable(id: NodeId): void {
    if (this.role !== 'leader') return;
    const pr = this.#prs.get(id);
    if (pr !== undefined && pr.state === 'replicate') pr.becomeProbe();
  }

  reportSnapshot(id: NodeId, status: SnapshotStatus): void {
    if (this.role !== 'leader') return;
    const pr = this.#prs.get(id);
    if (pr === undefined || pr.state !== 'snapshot') return;
    if (status === 'failure') pr.snapshot = undefined;
    pr.becomeProbe();
    pr.probeSent = true; // wait for the next heartbeat response before probing
  }
}
