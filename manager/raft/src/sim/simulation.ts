/**
 * The seeded simulator: real RaftNodes (the driver that runs in production,
 * with its group commit, pipelined appends, request bookkeeping and
 * background compaction) over real FileWals on simulated disks
 * (sim-disk.ts), a simulated network (sim-links.ts) and simulated time
 * (sim-scheduler.ts). Everything random derives from the seed, so a seed
 * replays exactly; its trace hash proves it.
 *
 * One seed: a cluster of `nodes` voters (plus, on half the seeds, two spare
 * nodes that join and leave as learners and voters), 3 to 5 clients issuing
 * puts and ReadIndex gets back to back (hundreds of operations), and a
 * fault phase with drops, delays, duplicates, late and repeated heartbeat
 * acknowledgements, symmetric, asymmetric and flapping partitions, clock
 * skew, crashes at random times and at random points of a save (the disk
 * keeps only what was synced, torn at sector granularity), leader transfers
 * and snapshot installs. Then the network heals and every node restarts:
 * the cluster must make progress. On some seeds a majority is then lost for
 * good and the survivor forces a new cluster and grows back.
 *
 * Checked: the safety properties after every event (node-checker.ts), that
 * every node restarts from its WAL, no acknowledged write lost, a
 * linearizable client history, equal state machines at the end.
 */
import { createHash } from 'node:crypto';
import { isRaftError } from '../core/index.js';
import type { Entry, Message, NodeId, Snapshot } from '../core/index.js';
import { RaftNode } from '../node/index.js';
import type { StateMachine } from '../node/index.js';
import { FileWal } from '../storage/index.js';
import { KvStore, decodeKvCommand, encodeKvCommand } from './kv-store.js';
import { checkKvHistory } from './linearizability.js';
import type { KvOp } from './linearizability.js';
import { NodeSafetyChecker } from './node-checker.js';
import { SeededRand } from './seeded-rand.js';
import { SimCrashError, SimDisk } from './sim-disk.js';
import { SimLinks } from './sim-links.js';
import { SimScheduler } from './sim-scheduler.js';

/** Parameters of one run; everything random derives from `seed`. */
export interface SimOptions {
  readonly seed: number;
  readonly nodes: number;
  /** Simulated milliseconds of faults. Default 2,000. */
  readonly faultMs?: number;
  /** Simulated milliseconds allowed after healing for the cluster to make progress. Default 4,000. */
  readonly healMs?: number;
  /** Keep the event log (for replay). */
  readonly trace?: boolean;
  /** Disks whose fsync makes nothing durable: the checks must fail (proves they can). */
  readonly lyingDisks?: boolean;
}

/** One client operation as the client saw it (logical times from one event counter). */
export interface ClientEvent {
  readonly client: number;
  readonly kind: 'put' | 'get';
  readonly key: string;
  readonly value: string | undefined;
  /** ok: acknowledged; fail: definitely not applied; timeout: unknown outcome. */
  readonly outcome: 'ok' | 'fail' | 'timeout';
  readonly call: number;
  readonly ret: number;
}

/** Counters of a run. */
export interface SimStats {
  readonly ms: number;
  readonly events: number;
  readonly messages: number;
  readonly dropped: number;
  readonly lateAcks: number;
  readonly operations: number;
  readonly acked: number;
  readonly reads: number;
  readonly failed: number;
  readonly timedOut: number;
  readonly crashes: number;
  readonly crashesInSave: number;
  readonly lostSectors: number;
  readonly restarts: number;
  readonly snapshotsInstalled: number;
  readonly committed: number;
  readonly confChanges: number;
  readonly transferRequests: number;
  readonly forced: boolean;
}

/** The outcome of a run. */
export interface SimResult {
  readonly seed: number;
  readonly nodes: number;
  readonly ok: boolean;
  readonly violations: readonly string[];
  readonly stats: SimStats;
  /** SHA-256 of the run's event stream: equal for two runs of one seed. */
  readonly traceHash: string;
  readonly events: readonly string[];
  readonly history: readonly ClientEvent[];
}

/** The one command that replays a seed. */
export function replayCommand(seed: number, nodes: number): string {
  return `npm run sim:replay -w raft-ts -- --seed ${seed} --nodes ${nodes}`;
}

const KEYS = ['a', 'b', 'c', 'd'];
const TICK_MS = 10;
const ELECTION_TICKS = 10;
const OP_TIMEOUT_MS = 600;
/** A seed normally takes some thousands of events; far more is a livelock. */
const MAX_EVENTS = 200_000;

interface SimNode {
  readonly id: NodeId;
  readonly disk: SimDisk;
  readonly initial: boolean;
  raft: RaftNode | undefined;
  /** The state machine of the running incarnation. */
  machine: { store: KvStore } | undefined;
  incarnation: number;
  /** An open of this incarnation is in flight. */
  starting: boolean;
  /** Gone for good (a lost majority): never restarted. */
  destroyed: boolean;
}

interface Op {
  readonly client: number;
  readonly kind: 'put' | 'get';
  readonly key: string;
  readonly value: string | undefined;
  readonly call: number;
  readonly node: NodeId;
  done: boolean;
}

/** Lets every promise chain started by the last event run to completion (all of them are microtasks). */
function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Runs one seed. */
export async function runSimulation(opts: SimOptions): Promise<SimResult> {
  const rand = new SeededRand(opts.seed);
  const faultMs = opts.faultMs ?? 2_000;
  const healMs = opts.healMs ?? 4_000;
  const sched = new SimScheduler();
  const checker = new NodeSafetyChecker();
  const hash = createHash('sha256');
  const events: string[] = [];
  const log = (s: string): void => {
    hash.update(`${sched.now} ${s}\n`);
    if (opts.trace === true) events.push(`t=${sched.now} ${s}`);
  };

  // ---- the seed's profile ----------------------------------------------------
  const ids: NodeId[] = Array.from({ length: opts.nodes }, (_, i) => `n${i + 1}`);
  const membership = rand.chance(0.5);
  const spares: NodeId[] = membership ? ['s1', 's2'] : [];
  const transfers = rand.chance(0.3);
  const force = rand.chance(0.15);
  const clientCount = 3 + rand.int(3);
  const partitionRate = rand.pick([0, 0.01, 0.02, 0.04]);
  const crashRate = rand.pick([0, 0.005, 0.01, 0.02]);
  const saveCrash = rand.pick([0, 0.002, 0.01]);
  const core = {
    preVote: rand.chance(0.8),
    checkQuorum: rand.chance(0.8),
    maxInflightMsgs: rand.pick([1, 4, 64]),
    maxSizePerMsg: rand.pick([64, 512, 1 << 20]),
    maxSnapshotChunkBytes: rand.pick([32, 256, 1 << 20]),
  };
  const driver = {
    heartbeatTicks: rand.pick([1, 2]),
    snapshotEvery: rand.pick([0, 10, 30]),
    keepEntries: rand.pick([0, 3, 10]),
    segmentBytes: rand.pick([2048, 16384, 1 << 20]),
    pipelineAppends: rand.chance(0.7),
  };
  const links = new SimLinks(sched, rand.fork(), {
    drop: rand.pick([0, 0.01, 0.05, 0.1]),
    duplicate: rand.pick([0, 0.02, 0.05]),
    // Nothing crosses a network in no time: simulated time must advance with every exchange.
    minDelay: 1,
    maxDelay: rand.pick([1, 3, 8, 20]),
    lateAcks: rand.pick([0, 0.05, 0.2]),
    lateAckMaxDelay: 3 * ELECTION_TICKS * TICK_MS,
  });
  log(`profile ${JSON.stringify({ nodes: opts.nodes, membership, transfers, force, clientCount, partitionRate, crashRate, saveCrash, core, driver, faults: links.faults })}`);
  links.onDeliver = (m: Message) => log(`${m.from}>${m.to} ${m.type} t${m.term}`);

  // ---- nodes -------------------------------------------------------------------
  const nodes = new Map<NodeId, SimNode>();
  const stats = { crashes: 0, crashesInSave: 0, restarts: 0, snapshotsInstalled: 0, confChanges: 0, transferRequests: 0 };
  let inFaultPhase = true;
  const addNode = (id: NodeId, initial: boolean): SimNode => {
    const disk = new SimDisk(rand.fork(), (done) => sched.at(1 + rand.int(3), done), { lies: opts.lyingDisks === true });
    const n: SimNode = { id, disk, initial, raft: undefined, machine: undefined, incarnation: 0, starting: false, destroyed: false };
    disk.crashHook = () => inFaultPhase && n.raft !== undefined && rand.chance(saveCrash);
    disk.onCrash = () => {
      stats.crashesInSave++;
      takeDown(n, 'at a disk operation');
    };
    nodes.set(id, n);
    return n;
  };
  for (const id of ids) addNode(id, true);
  for (const id of spares) addNode(id, false);
  const all = (): SimNode[] => [...nodes.values()];
  const up = (): SimNode[] => all().filter((n) => n.raft !== undefined);

  const ops = new Map<number, Op>();
  const start = (n: SimNode, forceNewCluster = false): void => {
    if (n.destroyed || n.raft !== undefined || n.starting) return;
    n.starting = true;
    const incarnation = ++n.incarnation;
    const owner = `${n.id}#${incarnation}`;
    n.disk.revive();
    const kv = { store: new KvStore() };
    const sm: StateMachine = {
      apply: (e: Entry) => {
        checker.onApply(n.id, e);
        kv.store.apply(decodeKvCommand(e.data));
      },
      snapshot: () => kv.store.snapshot(),
      restore: (s: Snapshot) => {
        if (n.raft !== undefined) stats.snapshotsInstalled++;
        kv.store = KvStore.restore(s.data);
      },
    };
    let reads = 0;
    log(`start ${owner}${forceNewCluster ? ' forcing a new cluster' : ''}`);
    RaftNode.open({
      id: n.id,
      dir: `/sim/${n.id}`,
      walFs: n.disk,
      transport: links.transport(n.id, owner),
      stateMachine: sm,
      timers: sched.timersFor(owner),
      rand: rand.fork(),
      readContexts: () => new TextEncoder().encode(`${owner}/${++reads}`),
      tickMs: TICK_MS + rand.int(5) - 2, // clock skew
      electionTicks: ELECTION_TICKS,
      ...driver,
      core,
      ...(n.initial ? { bootstrap: ids } : {}),
      forceNewCluster,
    }).then(
      (raft) => {
        if (n.incarnation !== incarnation || n.disk.down) return;
        n.starting = false;
        n.raft = raft;
        n.machine = kv;
        raft.run().catch((err: unknown) => {
          if (err instanceof SimCrashError || n.incarnation !== incarnation) return;
          checker.report(`${n.id} stopped with an error: ${describe(err)} (t=${sched.now})`);
        });
      },
      (err: unknown) => {
        if (n.incarnation === incarnation) n.starting = false;
        if (err instanceof SimCrashError) return;
        checker.report(`${n.id} cannot start from its WAL: ${describe(err)} (t=${sched.now})`);
      },
    );
  };
  const takeDown = (n: SimNode, why: string): void => {
    const owner = `${n.id}#${n.incarnation}`;
    n.disk.crash();
    links.disconnect(n.id);
    sched.kill(owner);
    n.incarnation++; // an open still in flight belongs to the dead incarnation
    n.starting = false;
    n.raft = undefined;
    n.machine = undefined;
    stats.crashes++;
    log(`crash ${owner} ${why}`);
    for (const op of [...ops.values()]) if (op.node === n.id) finish(op, 'timeout');
  };

  // ---- clients -----------------------------------------------------------------
  let clock = 0;
  let opSeq = 0;
  const history: KvOp[] = [];
  const clientHistory: ClientEvent[] = [];
  const acked: Array<{ index: number; term: number }> = [];
  const counts = { failed: 0, timedOut: 0, reads: 0 };
  const hints = new Map<number, NodeId | undefined>();
  let clientsOn = true;
  const finish = (op: Op, outcome: 'ok' | 'fail' | 'timeout', value?: string): void => {
    if (op.done) return;
    op.done = true;
    ops.delete(op.client);
    const ev: ClientEvent = { client: op.client, kind: op.kind, key: op.key, value: op.kind === 'put' ? op.value : value, outcome, call: op.call, ret: ++clock };
    clientHistory.push(ev);
    log(`client ${op.client} ${op.kind} ${op.key}=${ev.value ?? '-'} ${outcome}`);
    if (outcome === 'ok') history.push({ kind: op.kind, key: op.key, value: ev.value, call: op.call, ret: ev.ret });
    else if (outcome === 'timeout' && op.kind === 'put') history.push({ kind: 'put', key: op.key, value: op.value, call: op.call, ret: Number.POSITIVE_INFINITY });
    if (outcome === 'fail') counts.failed++;
    if (outcome === 'timeout') counts.timedOut++;
    if (outcome === 'timeout') hints.set(op.client, undefined);
    sched.at(rand.int(20), () => issue(op.client));
  };
  /** An error of a put: definitely not applied (fail) or unknown (timeout). */
  const putOutcome = (op: Op, err: unknown): 'fail' | 'timeout' => {
    if (isRaftError(err) && (err.code === 'RAFT_NOT_LEADER' || err.code === 'RAFT_PROPOSAL_DROPPED')) {
      const leader = err.details.leader;
      hints.set(op.client, typeof leader === 'string' && leader !== '' ? leader : undefined);
      return 'fail';
    }
    if (err instanceof SimCrashError || (err as { code?: unknown }).code === 'RAFT_OUTCOME_UNKNOWN' || (err as { code?: unknown }).code === 'RAFT_NODE_STOPPED') return 'timeout';
    checker.report(`a put failed with an unexpected error: ${describe(err)}`);
    return 'timeout';
  };
  const issue = (client: number): void => {
    if (!clientsOn || ops.has(client)) return;
    const live = up();
    if (live.length === 0) {
      sched.at(TICK_MS, () => issue(client));
      return;
    }
    const hint = hints.get(client);
    const hinted = hint === undefined ? undefined : nodes.get(hint);
    const target = hinted?.raft !== undefined && rand.chance(0.8) ? hinted : rand.pick(live);
    const raft = target.raft as RaftNode;
    const key = rand.pick(KEYS);
    if (rand.chance(0.6)) {
      const value = `v${++opSeq}`;
      const op: Op = { client, kind: 'put', key, value, call: ++clock, node: target.id, done: false };
      ops.set(client, op);
      raft.propose(encodeKvCommand({ op: 'put', key, value })).then(
        (c) => {
          if (op.done) return;
          acked.push(c);
          finish(op, 'ok');
        },
        (err: unknown) => finish(op, putOutcome(op, err)),
      );
      sched.at(OP_TIMEOUT_MS, () => finish(op, 'timeout'));
    } else {
      const op: Op = { client, kind: 'get', key, value: undefined, call: ++clock, node: target.id, done: false };
      ops.set(client, op);
      raft.readIndex().then(
        () => {
          if (op.done || target.raft !== raft) return;
          counts.reads++;
          finish(op, 'ok', target.machine?.store.get(key));
        },
        () => finish(op, 'fail'),
      );
      sched.at(OP_TIMEOUT_MS, () => finish(op, 'timeout'));
    }
  };

  // ---- faults ----------------------------------------------------------------------
  const everMember = new Set(ids);
  const leaderNow = (): SimNode | undefined => {
    let best: SimNode | undefined;
    for (const n of up()) {
      const st = (n.raft as RaftNode).status();
      if (st.softState.role !== 'leader') continue;
      if (best === undefined || st.hardState.term > (best.raft as RaftNode).status().hardState.term) best = n;
    }
    return best;
  };
  const ignore = (p: Promise<unknown>): void => {
    p.catch(() => undefined);
  };
  const changeMembership = (): void => {
    const leader = leaderNow();
    if (leader === undefined) return;
    const raft = leader.raft as RaftNode;
    const cs = raft.status().confState;
    const fresh = spares.filter((id) => !everMember.has(id));
    const roll = rand.int(3);
    if (roll === 0 && fresh.length > 0) {
      const id = rand.pick(fresh);
      everMember.add(id);
      ignore(raft.addLearner(id, `sim:${id}`));
      log(`${leader.id} adds learner ${id}`);
    } else if (roll === 1 && cs.learners.length > 0) {
      const id = rand.pick(cs.learners);
      ignore(raft.addVoter(id, `sim:${id}`));
      log(`${leader.id} promotes ${id}`);
    } else if (cs.voters.length > 2 || cs.learners.length > 0) {
      const id = rand.pick(cs.voters.length > 2 ? [...cs.voters, ...cs.learners] : cs.learners);
      ignore(raft.removeNode(id));
      log(`${leader.id} removes ${id}`);
    } else return;
    stats.confChanges++;
  };
  const maxDown = Math.floor((opts.nodes - 1) / 2);
  let flapping: { a: NodeId; b: NodeId; until: number } | undefined;
  const allIds = [...ids, ...spares];
  const faultTick = (): void => {
    if (!inFaultPhase) return;
    sched.at(TICK_MS, faultTick);
    if (rand.chance(partitionRate)) {
      links.heal();
      flapping = undefined;
      const kind = rand.int(4);
      if (kind === 0) {
        const shuffled = [...allIds];
        for (let i = shuffled.length - 1; i > 0; i--) {
          const j = rand.int(i + 1);
          [shuffled[i], shuffled[j]] = [shuffled[j] as NodeId, shuffled[i] as NodeId];
        }
        const k = 1 + rand.int(allIds.length - 1);
        links.partition([shuffled.slice(0, k), shuffled.slice(k)]);
        log(`partition ${shuffled.slice(0, k).join(',')} | ${shuffled.slice(k).join(',')}`);
      } else if (kind === 1) {
        const a = rand.pick(allIds);
        const sends = rand.chance(0.5);
        for (const b of allIds) {
          if (b === a) continue;
          if (sends) links.cut(a, b);
          else links.cut(b, a);
        }
        log(`asymmetric: ${a} cannot ${sends ? 'send' : 'receive'}`);
      } else if (kind === 2) {
        const a = rand.pick(allIds);
        const b = rand.pick(allIds.filter((x) => x !== a));
        flapping = { a, b, until: sched.now + 200 + rand.int(600) };
        log(`flapping ${a}<->${b}`);
      } else log('heal');
    }
    if (flapping !== undefined) {
      if (sched.now >= flapping.until) flapping = undefined;
      else if (rand.chance(0.3)) {
        if (links.isCut(flapping.a, flapping.b)) {
          links.uncut(flapping.a, flapping.b);
          links.uncut(flapping.b, flapping.a);
        } else {
          links.cut(flapping.a, flapping.b);
          links.cut(flapping.b, flapping.a);
        }
      }
    }
    if (membership && rand.chance(0.03)) changeMembership();
    if (transfers && rand.chance(0.02)) {
      const leader = leaderNow();
      const voters = leader?.raft?.status().confState.voters.filter((v) => v !== leader.id) ?? [];
      if (leader !== undefined && voters.length > 0) {
        const to = rand.pick(voters);
        stats.transferRequests++;
        ignore((leader.raft as RaftNode).transferLeadership(to));
        log(`${leader.id} transfers leadership to ${to}`);
      }
    }
    if (rand.chance(crashRate)) {
      const live = up();
      if (live.length > 0 && (all().length - live.length < maxDown || rand.chance(0.2))) takeDown(rand.pick(live), 'at a random time');
    }
    for (const n of all()) {
      if (n.raft === undefined && !n.destroyed && rand.chance(0.05)) {
        stats.restarts++;
        start(n);
      }
    }
  };

  // ---- the run -------------------------------------------------------------------------
  let eventCount = 0;
  const runUntil = async (until: number, stop?: () => boolean): Promise<void> => {
    while (checker.violations.length === 0 && !(stop?.() ?? false)) {
      if (!sched.runNext(until)) return;
      if (++eventCount > MAX_EVENTS) {
        checker.report(`runaway: ${eventCount} events by t=${sched.now} (a livelock)`);
        return;
      }
      await settle();
      checker.check(all(), sched.now);
    }
  };
  /** Runs simulated time until `p` settles (its disk operations take simulated time too). */
  const drive = async <T>(p: Promise<T>): Promise<T> => {
    let settled = false;
    p.then(
      () => (settled = true),
      () => (settled = true),
    );
    await settle();
    while (!settled && sched.runNext(sched.now + 1_000)) await settle();
    return p;
  };
  for (const n of all()) start(n);
  sched.at(TICK_MS, faultTick);
  for (let c = 0; c < clientCount; c++) sched.at(rand.int(50), () => issue(c));
  await runUntil(faultMs);

  // Heal: a lossless network, every node back.
  inFaultPhase = false;
  links.heal();
  links.faults = { drop: 0, duplicate: 0, minDelay: 1, maxDelay: 2, lateAcks: 0, lateAckMaxDelay: 0 };
  log('heal all');
  let forcedFrom: NodeId | undefined;
  if (force && checker.violations.length === 0) forcedFrom = await loseMajority();
  for (const n of all()) start(n);

  let progressed = false;
  let finalMembers: SimNode[] = [];
  let finalTicket: Promise<unknown> | undefined;
  let finalDone = false;
  const healStart = sched.now;
  clientsOn = false;
  const grow = forcedFrom === undefined ? undefined : addNode('f1', false);
  if (grow !== undefined) start(grow);
  let growStep = 0;
  while (checker.violations.length === 0 && sched.now - healStart < healMs && !progressed) {
    await runUntil(sched.now + 50);
    if (opts.trace === true && (sched.now - healStart) % 500 === 0) {
      for (const n of up()) {
        const st = (n.raft as RaftNode).status();
        log(`${n.id} ${st.softState.role} term=${st.hardState.term} vote=${st.hardState.vote || '-'} leader=${st.softState.leader || '-'} commit=${st.hardState.commit} applied=${st.applied} last=${st.lastIndex} voters=${st.confState.voters.join(',')} learners=${st.confState.learners.join(',')}`);
      }
    }
    const leader = leaderNow();
    if (leader === undefined) continue;
    const raft = leader.raft as RaftNode;
    const cs = raft.status().confState;
    const members = new Set([...cs.voters, ...cs.learners]);
    if (!members.has(leader.id)) continue; // a leader that removed itself leads until the others know
    for (const n of all()) {
      // Nodes outside the configuration are shut down, as an operator would (and started again
      // should a change still in flight add them).
      if (n.raft !== undefined && !members.has(n.id) && n !== grow) takeDown(n, '(not a member)');
      else if (n.raft === undefined && members.has(n.id)) start(n);
    }
    if (grow !== undefined && !cs.voters.includes(grow.id)) {
      // Grow back after forcing: learner first, then voter once it replicates.
      if (growStep === 0) ignore(raft.addLearner(grow.id, 'sim:f1').then(() => (growStep = 1)));
      else if (growStep === 1 && raft.status().progress?.[grow.id]?.state === 'replicate') ignore(raft.addVoter(grow.id, 'sim:f1').then(() => (growStep = 2)));
      continue;
    }
    if (finalTicket === undefined) {
      finalTicket = raft.propose(encodeKvCommand({ op: 'put', key: 'final', value: `final-${opts.seed}` })).then(
        () => {
          finalDone = true;
        },
        () => {
          finalTicket = undefined;
        },
      );
      continue;
    }
    if (!finalDone) continue;
    const commit = raft.status().hardState.commit;
    const memberNodes = all().filter((n) => members.has(n.id));
    if (memberNodes.every((n) => n.raft !== undefined && n.raft.status().applied === commit && n.raft.status().hardState.commit === commit)) {
      finalMembers = memberNodes;
      progressed = true;
    }
  }
  for (const op of [...ops.values()]) finish(op, 'timeout');

  const violations = [...checker.violations];
  if (violations.length === 0 && !progressed) violations.push(`liveness: no progress within ${healMs} ms after the network healed`);
  if (violations.length === 0 && forcedFrom === undefined) {
    for (const t of acked) {
      const rec = checker.applied.get(t.index);
      if (rec?.term !== t.term) violations.push(`lost write: acknowledged ${t.index}/${t.term} but ${t.index}/${rec?.term} was applied`);
      for (const n of finalMembers) {
        const applied = n.raft?.status().applied ?? 0;
        if (applied < t.index) violations.push(`lost write: ${n.id} applied only ${applied} < acknowledged ${t.index}`);
      }
    }
    const lin = checkKvHistory(history);
    if (!lin.ok) violations.push(`linearizability: history of key(s) ${lin.badKeys.join(',')} is not linearizable`);
  }
  if (violations.length === 0) {
    const states = new Set(finalMembers.map((n) => new TextDecoder().decode(n.machine?.store.snapshot())));
    if (states.size !== 1) violations.push('state machines differ after healing');
  }
  for (const n of all()) if (n.raft !== undefined) takeDown(n, '(end of run)');
  return {
    seed: opts.seed,
    nodes: opts.nodes,
    ok: violations.length === 0,
    violations,
    stats: {
      ms: sched.now,
      events: eventCount,
      messages: links.sent,
      dropped: links.dropped,
      lateAcks: links.lateAcks,
      operations: clientHistory.length,
      acked: acked.length,
      reads: counts.reads,
      failed: counts.failed,
      timedOut: counts.timedOut,
      crashes: stats.crashes,
      crashesInSave: stats.crashesInSave,
      lostSectors: all().reduce((sum, n) => sum + n.disk.stats.lostSectors, 0),
      restarts: stats.restarts,
      snapshotsInstalled: stats.snapshotsInstalled,
      committed: Math.max(0, ...checker.committed.keys()),
      confChanges: stats.confChanges,
      transferRequests: stats.transferRequests,
      forced: forcedFrom !== undefined,
    },
    traceHash: hash.digest('hex'),
    events,
    history: clientHistory,
  };

  /**
   * Every node crashes; a majority of the voters is gone for good; one
   * survivor (with the longest committed log) forces a new cluster. What it
   * had committed must survive; what only the lost nodes knew may not.
   */
  async function loseMajority(): Promise<NodeId | undefined> {
    for (const n of all()) if (n.raft !== undefined || n.starting) takeDown(n, '(losing the majority)');
    const candidates = all().filter((n) => n.incarnation > 0);
    let survivor: SimNode | undefined;
    let best = -1;
    for (const n of candidates) {
      n.disk.revive();
      try {
        const { wal, state } = await drive(FileWal.open(`/sim/${n.id}`, { fs: n.disk }));
        await drive(wal.close());
        const commit = Math.max(state.hardState.commit, state.snapshot?.meta.index ?? 0);
        if (commit > best) {
          best = commit;
          survivor = n;
        }
      } catch (err) {
        checker.report(`${n.id} cannot open its WAL: ${describe(err)}`);
      }
    }
    if (survivor === undefined) return undefined;
    for (const n of all()) if (n !== survivor) n.destroyed = true;
    checker.newHistoryAfter(best);
    log(`majority lost for good; ${survivor.id} forces a new cluster from commit ${best}`);
    start(survivor, true);
    return survivor.id;
  }
}

function describe(err: unknown): string {
  if (err instanceof Error) return `${(err as { code?: string }).code ?? err.name}: ${err.message}`;
  return String(err);
}
