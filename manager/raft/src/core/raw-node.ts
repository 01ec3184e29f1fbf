import type { RaftConfig } from './config.js';
import { Raft } from './raft.js';
import type { RaftNodeApi } from './raft-node-api.js';
import type {
  ConfChange,
  ConfState,
  HardState,
  Message,
  NodeId,
  ProposalTicket,
  RaftStatus,
  Ready,
  SnapshotStatus,
  SoftState,
} from './types.js';

function sameHardState(a: HardState, b: HardState): boolean {
  return a.term === b.term && a.vote === b.vote && a.commit === b.commit;
}

/**
 * A Raft node driven by its caller (etcd-io/raft's RawNode): pure, synchronous,
 * single-threaded. See {@link RaftNodeApi} and README for the driver loop.
 */
export class RawNode implements RaftNodeApi {
  readonly #raft: Raft;
  #prevSoft: SoftState;
  #prevHard: HardState;

  constructor(config: RaftConfig) {
    this.#raft = new Raft(config);
    this.#prevSoft = this.#raft.softState();
    this.#prevHard = this.#raft.hardState();
  }

  get id(): NodeId {
    return this.#raft.id;
  }

  tick(): void {
    this.#raft.tick();
  }

  step(msg: Message): void {
    this.#raft.step(msg);
  }

  propose(data: Uint8Array): ProposalTicket {
    return this.#raft.propose([data])[0]!;
  }

  proposeBatch(data: readonly Uint8Array[]): ProposalTicket[] {
    if (data.length === 0) return [];
    return this.#raft.propose(data);
  }

  proposeConfChange(cc: ConfChange): ProposalTicket {
    return this.#raft.proposeConfChange(cc);
  }

  readIndex(context: Uint8Array): void {
    this.#raft.readIndex(context);
  }

  transferLeader(to: NodeId): void {
    this.#raft.transferLeader(to);
  }

  campaign(): void {
    this.#raft.hup(false);
  }

  hasReady(): boolean {
    const r = this.#raft;
    const soft = r.softState();
    if (soft.leader !== this.#prevSoft.leader || soft.role !== this.#prevSoft.role) return true;
    if (!sameHardState(r.hardState(), this.#prevHard)) return true;
    return (
      r.hasPendingBroadcast() ||
      r.msgs.length > 0 ||
      r.readStates.length > 0 ||
      r.log.unstableEntries().length > 0 ||
      r.log.hasPendingSnapshot() ||
      r.log.hasNextCommittedEntries()
    );
  }

  ready(): Ready {
    const r = this.#raft;
    r.flushProposals();
    const soft = r.softState();
    const hard = r.hardState();
    const entries = [...r.log.unstableEntries()];
    const snapshot = r.log.unstableSnapshot();
    const softChanged = soft.leader !== this.#prevSoft.leader || soft.role !== this.#prevSoft.role;
    const hardChanged = !sameHardState(hard, this.#prevHard);
    const rd: Ready = {
      ...(softChanged ? { softState: soft } : {}),
      ...(hardChanged ? { hardState: hard } : {}),
      ...(snapshot !== undefined ? { snapshot } : {}),
      entries,
      committedEntries: r.log.nextCommittedEntries(),
      messages: r.msgs,
      readStates: r.readStates,
      // A snapshot must be durable before anything it implies is acknowledged
      // (a follower that acked it, lost it in a crash and then accepted the
      // leader's commit index would diverge).
      mustSync: entries.length > 0 || snapshot !== undefined
        || (hardChanged && (hard.term !== this.#prevHard.term || hard.vote !== this.#prevHard.vote)),
    };
    if (softChanged) this.#prevSoft = soft;
    r.msgs = [];
    r.readStates = [];
    return rd;
  }

  advance(rd: Ready): void {
    const r = this.#raft;
    if (rd.hardState !== undefined) this.#prevHard = rd.hardState;
    if (rd.snapshot !== undefined) {
      r.log.stableSnapshotTo(rd.snapshot.meta.index);
      if (rd.snapshot.meta.index > r.log.applied) r.log.appliedTo(rd.snapshot.meta.index);
    }
    const last = rd.entries[rd.entries.length - 1];
    if (last !== undefined) r.log.stableTo(last.index, last.term);
    const lastApplied = rd.committedEntries[rd.committedEntries.length - 1];
    if (lastApplied !== undefined) {
      r.log.appliedTo(lastApplied.index);
      r.reduceUncommittedSize(rd.committedEntries);
    }
  }

  applyConfChange(cc: ConfChange): ConfState {
    return this.#raft.applyConfChange(cc);
  }

  reportUnreachable(id: NodeId): void {
    this.#raft.reportUnreachable(id);
  }

  reportSnapshot(id: NodeId, status: SnapshotStatus): void {
    this.#raft.reportSnapshot(id, status);
  }

  /** Cheap view of role and leader (status() builds the whole picture). */
  softState(): SoftState {
    return this.#raft.softState();
  }

  /** Cheap view of term, vote and commit. */
  hardState(): HardState {
    return this.#raft.hardState();
  }

  status(): RaftStatus {
    return this.#raft.status();
  }
}
