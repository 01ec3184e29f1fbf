import { MemoryStorage, bootstrapLog, isRaftError } from '../core/index.js';
import type { Entry, Message, NodeId, ProposalTicket } from '../core/index.js';
import { encodeKvCommand } from './kv-store.js';
import { checkKvHistory } from './linearizability.js';
import type { KvOp } from './linearizability.js';
import { NodeHost } from './node-host.js';
import { SafetyChecker } from './safety-checker.js';
import { SeededRand } from './seeded-rand.js';
import { SimNetwork } from './sim-network.js';

/** Parameters of one simulated run; everything random derives from `seed`. */
export interface SimOptions {
  readonly seed: number;
  readonly nodes: number;
  /** Steps with faults before the network heals. Default 300. */
  readonly faultSteps?: number;
  /** Steps allowed after healing for the cluster to make progress. Default 400. */
  readonly healSteps?: number;
  /** Simulated clients. Default 3. */
  readonly clients?: number;
  /** Record an event log (for replay). */
  readonly trace?: boolean;
}

/** One client operation as the client saw it (logical times from one event counter). */
export interface ClientEvent {
  readonly client: number;
  readonly kind: 'put' | 'get';
  readonly key: string;
  /** Put: the value written; get: the value read (ok only). */
  readonly value: string | undefined;
  /** ok: acknowledged; fail: definitely not applied (refused, or another entry took its index);
   * timeout: unknown (node crashed, snapshot hid the outcome, or no answer in time). */
  readonly outcome: 'ok' | 'fail' | 'timeout';
  readonly call: number;
  readonly ret: number;
}

/** The outcome of a run. */
export interface SimResult {
  readonly seed: number;
  readonly nodes: number;
  readonly ok: boolean;
  readonly violations: readonly string[];
  readonly stats: {
    readonly steps: number;
    readonly messages: number;
    readonly dropped: number;
    readonly acked: number;
    readonly failed: number;
    readonly timedOut: number;
    readonly reads: number;
    readonly crashes: number;
    readonly leaders: number;
    readonly snapshotsInstalled: number;
    readonly committed: number;
    readonly confChanges: number;
    readonly confRefused: number;
    readonly transferRequests: number;
    readonly pipelinedReadies: number;
  };
  readonly events: readonly string[];
  /** Every client operation with its outcome. */
  readonly history: readonly ClientEvent[];
}

/** The one command that replays a seed. */
export function replayCommand(seed: number, nodes: number): string {
  return `npx tsx manager/raft/src/sim/replay.ts --seed ${seed} --nodes ${nodes}`;
}

type Pending =
  | { kind: 'put'; client: number; key: string; value: string; call: number; node: NodeId; ticket: ProposalTicket; deadline: number }
  | { kind: 'get'; client: number; key: string; call: number; node: NodeId; ctx: string; deadline: number };

const KEYS = ['a', 'b', 'c'];
const OP_TIMEOUT = 40;

/**
 * One deterministic simulation: a cluster of NodeHosts on a SimNetwork with
 * random drops, delays, duplicates, partitions (symmetric, asymmetric,
 * flapping), crashes/restarts and clock skew; KV clients issue puts and
 * ReadIndex gets. Safety is checked after every step; at the end the network
 * heals, the cluster must make progress, no acknowledged write may be lost and
 * the client history must be linearizable.
 */
export function runSimulation(opts: SimOptions): SimResult {
  const rand = new SeededRand(opts.seed);
  const n = opts.nodes;
  const ids: NodeId[] = Array.from({ length: n }, (_, i) => `n${i + 1}`);
  const faultSteps = opts.faultSteps ?? 300;
  const healSteps = opts.healSteps ?? 400;
  const clientCount = opts.clients ?? 3;
  const events: string[] = [];
  const log = (now: number, s: string): void => {
    if (opts.trace === true) events.push(`t=${now} ${s}`);
  };

  // Per-seed fault profile.
  const faults = {
    drop: rand.pick([0, 0.01, 0.05, 0.1, 0.2]),
    duplicate: rand.pick([0, 0.02, 0.05]),
    minDelay: 0,
    maxDelay: rand.pick([1, 2, 4, 6]),
  };
  const partitionRate = rand.pick([0, 0.01, 0.02, 0.04]);
  const crashRate = rand.pick([0, 0.005, 0.01, 0.02]);
  const preVote = rand.chance(0.8);
  const checkQuorum = rand.chance(0.8);
  // Half the seeds also change membership: two spare nodes start empty and
  // are added as learners, promoted, removed, while the faults go on.
  const membership = rand.chance(0.5);
  const spares: NodeId[] = membership ? ['s1', 's2'] : [];
  const allIds = [...ids, ...spares];
  // Some seeds also move leadership around with leader transfer (timeout-now).
  const transfers = rand.chance(0.3);
  // Some seeds drive leaders like shoal's RaftNode: appends leave before they are persisted.
  const pipelineLeaderAppends = rand.chance(0.3);
  let transferRequests = 0;
  let confChanges = 0;
  const everMember = new Set(ids);
  let confRefused = 0;
  const net = new SimNetwork(rand.fork(), faults);
  const checker = new SafetyChecker();
  let now = 0;
  let eventClock = 0;
  const history: KvOp[] = [];
  const acked: ProposalTicket[] = [];
  const pending = new Map<number, Pending>();
  let failed = 0;
  let timedOut = 0;
  let reads = 0;
  let crashes = 0;
  let snapshotsInstalled = 0;
  let opSeq = 0;
  let inFaultPhase = true;

  const clientHistory: ClientEvent[] = [];
  /** Record a finished operation; ok and unknown-outcome puts go to the linearizability history. */
  const record = (ev: ClientEvent): void => {
    clientHistory.push(ev);
    if (ev.outcome === 'ok') history.push({ kind: ev.kind, key: ev.key, value: ev.value, call: ev.call, ret: ev.ret });
    else if (ev.outcome === 'timeout' && ev.kind === 'put') history.push({ kind: 'put', key: ev.key, value: ev.value, call: ev.call, ret: Number.POSITIVE_INFINITY });
  };
  const complete = (p: Pending, value: string | undefined, ret: number): void => {
    pending.delete(p.client);
    record({ client: p.client, kind: p.kind, key: p.key, value: p.kind === 'put' ? p.value : value, outcome: 'ok', call: p.call, ret });
  };

  const onApply = (host: NodeHost, e: Entry): void => {
    checker.onApply(host, e);
    for (const p of pending.values()) {
      if (p.kind === 'put' && p.node === host.id && p.ticket.index === e.index) {
        if (e.term === p.ticket.term) {
          acked.push(p.ticket);
          complete(p, undefined, ++eventClock);
        } else {
          // Another entry won that index: the proposal was never committed.
          pending.delete(p.client);
          failed++;
          record({ client: p.client, kind: 'put', key: p.key, value: p.value, outcome: 'fail', call: p.call, ret: ++eventClock });
        }
      }
    }
  };

  const hosts = new Map<NodeId, NodeHost>();
  /** Unreachable reports, delivered to the sender's RawNode at the next step. */
  let unreachable: [NodeId, NodeId][] = [];
  const raftOpts = {
    electionTicks: 10,
    heartbeatTicks: 2,
    preVote,
    checkQuorum,
    maxInflightMsgs: rand.pick([1, 4, 64]),
    maxSizePerMsg: rand.pick([64, 512, 1 << 20]),
    maxSnapshotChunkBytes: rand.pick([32, 256, 1 << 20]),
  };
  const compaction = { snapshotEvery: rand.pick([0, 10, 30]), keepEntries: rand.pick([0, 3, 10]) };
  for (const id of allIds) {
    const storage = new MemoryStorage();
    if (ids.includes(id)) {
      const boot = bootstrapLog(ids);
      storage.append(boot.entries);
      storage.setHardState(boot.hardState);
    }
    hosts.set(
      id,
      new NodeHost(id, storage, rand.fork(), raftOpts, compaction, {
        send: (m: Message) => {
          // Like a transport that notices a dead link, report some cut links back to the sender.
          if (net.isCut(m.from, m.to) && rand.chance(0.3)) unreachable.push([m.from, m.to]);
          net.send(m, now);
        },
        onApply,
        crashAt: (host, point) => {
          if (!inFaultPhase || !rand.chance(crashRate / 20)) return false;
          crashes++;
          log(now, `crash ${host.id} inside its driver loop (${point === 'persisted' ? 'persisted, nothing sent' : 'sent, nothing applied'})`);
          for (const p of [...pending.values()]) if (p.node === host.id) timeoutOp(p);
          return true;
        },
        onReady: (host, rd) => {
          if (opts.trace === true && rd.softState !== undefined) {
            const st = host.raw!.status();
            log(now, `${host.id} is ${rd.softState.role} term=${st.hardState.term} last=${st.lastIndex} commit=${st.hardState.commit} voters=${st.confState.voters.join(',')}`);
          }
        },
        onRestore: (host, index) => {
          snapshotsInstalled++;
          log(now, `${host.id} installed snapshot ${index}`);
          for (const p of [...pending.values()]) {
            if (p.kind === 'put' && p.node === host.id && p.ticket.index <= index) {
              // The outcome is hidden inside the snapshot: unknown to the client.
              pending.delete(p.client);
              timedOut++;
              record({ client: p.client, kind: 'put', key: p.key, value: p.value, outcome: 'timeout', call: p.call, ret: ++eventClock });
            }
          }
        },
        onRead: (host, rs) => {
          const ctx = new TextDecoder().decode(rs.context);
          for (const p of pending.values()) {
            if (p.kind === 'get' && p.node === host.id && p.ctx === ctx) {
              reads++;
              complete(p, host.kv.get(p.key), ++eventClock);
            }
          }
        },
      }, { pipelineLeaderAppends }),
    );
  }
  log(0, `profile: ${JSON.stringify({ faults, partitionRate, crashRate, preVote, checkQuorum, membership, transfers, pipelineLeaderAppends, raftOpts, compaction })}`);
  const all = (): NodeHost[] => allIds.map((id) => hosts.get(id)!);
  const currentLeader = (): NodeHost | undefined => {
    let best: NodeHost | undefined;
    for (const h of all()) {
      if (h.raw?.softState().role !== 'leader') continue;
      if (best === undefined || h.raw.hardState().term > best.raw!.hardState().term) best = h;
    }
    return best;
  };
  /** Voters and learners in the configuration of `h`. */
  const membersOf = (h: NodeHost): Set<NodeId> => {
    const cs = h.raw!.status().confState;
    return new Set([...cs.voters, ...cs.learners]);
  };
  const transferLeadership = (): void => {
    const leader = currentLeader();
    if (leader === undefined) return;
    const voters = leader.raw!.status().confState.voters.filter((v) => v !== leader.id);
    if (voters.length === 0) return;
    const to = rand.pick(voters);
    try {
      leader.raw!.transferLeader(to);
      transferRequests++;
      log(now, `${leader.id} transfers leadership to ${to}`);
    } catch (err) {
      if (!isRaftError(err)) throw err;
    }
  };
  const changeMembership = (): void => {
    const leader = currentLeader();
    if (leader === undefined) return;
    const cs = leader.raw!.status().confState;
    // Node ids are never reused: a removed node does not come back (it would replay
    // old configurations that name it a voter; etcd refuses removed ids the same way).
    const candidates = allIds.filter((id) => !everMember.has(id));
    const roll = rand.int(3);
    let type: 'add-voter' | 'add-learner' | 'remove-node';
    let nodeId: NodeId;
    if (roll === 0 && candidates.length > 0) {
      type = 'add-learner';
      nodeId = rand.pick(candidates);
    } else if (roll === 1 && cs.learners.length > 0) {
      type = 'add-voter';
      nodeId = rand.pick(cs.learners);
    } else if (cs.voters.length > 2 || (cs.learners.length > 0 && roll === 2)) {
      type = 'remove-node';
      nodeId = rand.pick(cs.voters.length > 2 ? [...cs.voters, ...cs.learners] : cs.learners);
    } else return;
    try {
      const ticket = leader.raw!.proposeConfChange({ type, nodeId });
      confChanges++;
      everMember.add(nodeId);
      log(now, `${leader.id} proposed ${type} ${nodeId} at ${ticket.index}/${ticket.term}`);
    } catch (err) {
      if (!isRaftError(err)) throw err;
      confRefused++;
      log(now, `${leader.id} refused ${type} ${nodeId}: ${err.code}`);
    }
  };

  // Clock skew: each node ticks at its own rate (ticks per step).
  const rates = new Map(allIds.map((id) => [id, 0.6 + rand.float() * 0.8]));
  const phase = new Map(allIds.map((id) => [id, rand.float()]));
  let flapping: { a: NodeId; b: NodeId; until: number } | undefined;
  // Each client's idea of the leader (learned from NOT_LEADER errors, dropped on timeouts).
  const hints = new Map<number, NodeId | undefined>();

  const maxDown = Math.floor((n - 1) / 2);
  const injectFaults = (): void => {
    if (rand.chance(partitionRate)) {
      const kind = rand.int(4);
      net.heal();
      flapping = undefined;
      if (kind === 0) {
        const shuffled = [...allIds];
        for (let i = shuffled.length - 1; i > 0; i--) {
          const j = rand.int(i + 1);
          [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
        }
        const k = 1 + rand.int(n - 1);
        net.partition([shuffled.slice(0, k), shuffled.slice(k)]);
        log(now, `partition ${shuffled.slice(0, k).join(',')} | ${shuffled.slice(k).join(',')}`);
      } else if (kind === 1) {
        const a = rand.pick(allIds);
        if (rand.chance(0.5)) {
          for (const b of allIds) if (b !== a) net.cut(a, b);
          log(now, `asymmetric: ${a} cannot send`);
        } else {
          for (const b of allIds) if (b !== a) net.cut(b, a);
          log(now, `asymmetric: ${a} cannot receive`);
        }
      } else if (kind === 2) {
        const a = rand.pick(allIds);
        const b = rand.pick(allIds.filter((x) => x !== a));
        flapping = { a, b, until: now + 20 + rand.int(60) };
        log(now, `flapping ${a}<->${b}`);
      } else {
        log(now, 'heal');
      }
    }
    if (flapping !== undefined) {
      if (now >= flapping.until) flapping = undefined;
      else if (rand.chance(0.3)) {
        if (net.isCut(flapping.a, flapping.b)) {
          net.uncut(flapping.a, flapping.b);
          net.uncut(flapping.b, flapping.a);
        } else {
          net.cut(flapping.a, flapping.b);
          net.cut(flapping.b, flapping.a);
        }
      }
    }
    if (membership && rand.chance(0.03)) changeMembership();
    if (transfers && rand.chance(0.02)) transferLeadership();
    if (rand.chance(crashRate)) {
      const upHosts = all().filter((h) => h.up);
      const downCount = allIds.length - upHosts.length;
      if (upHosts.length > 0 && (downCount < maxDown || rand.chance(0.2))) {
        const h = rand.pick(upHosts);
        h.crash();
        crashes++;
        log(now, `crash ${h.id}`);
        for (const p of [...pending.values()]) if (p.node === h.id) timeoutOp(p);
      }
    }
    for (const h of all()) {
      if (!h.up && rand.chance(0.05)) {
        h.restart();
        log(now, `restart ${h.id}`);
      }
    }
  };

  const timeoutOp = (p: Pending): void => {
    pending.delete(p.client);
    hints.set(p.client, undefined);
    timedOut++;
    // A write with unknown outcome may take effect at any later time; an unanswered read has no effect.
    record({ client: p.client, kind: p.kind, key: p.key, value: p.kind === 'put' ? p.value : undefined, outcome: 'timeout', call: p.call, ret: ++eventClock });
  };

  const clientStep = (client: number, final: boolean): void => {
    if (pending.has(client) || (!final && !rand.chance(0.3))) return;
    const upHosts = all().filter((h) => h.up);
    if (upHosts.length === 0) return;
    const hint = hints.get(client);
    const target = hint !== undefined && hosts.get(hint)!.up && rand.chance(0.8) ? hosts.get(hint)! : rand.pick(upHosts);
    const key = rand.pick(KEYS);
    const call = ++eventClock;
    if (final || rand.chance(0.6)) {
      const value = `v${++opSeq}`;
      try {
        const ticket = target.raw!.propose(encodeKvCommand({ op: 'put', key, value }));
        pending.set(client, { kind: 'put', client, key, value, call, node: target.id, ticket, deadline: now + OP_TIMEOUT });
        hints.set(client, target.id);
      } catch (err) {
        if (!isRaftError(err)) throw err;
        failed++;
        record({ client, kind: 'put', key, value, outcome: 'fail', call, ret: ++eventClock });
        const leader = err.details.leader;
        hints.set(client, typeof leader === 'string' && leader !== '' ? leader : undefined);
      }
    } else {
      const ctx = `r${++opSeq}`;
      try {
        target.raw!.readIndex(new TextEncoder().encode(ctx));
        pending.set(client, { kind: 'get', client, key, call, node: target.id, ctx, deadline: now + OP_TIMEOUT });
      } catch (err) {
        if (!isRaftError(err)) throw err;
        failed++;
        record({ client, kind: 'get', key, value: undefined, outcome: 'fail', call, ret: ++eventClock });
      }
    }
  };

  const step = (withFaults: boolean, clients: boolean): void => {
    try {
      stepOnce(withFaults, clients);
    } catch (err) {
      // A thrown invariant (or any bug) fails the seed, with the event log kept for replay.
      const e = err as Error;
      checker.report(`exception at t=${now}: ${e.stack?.split('\n').slice(0, 3).join(' | ') ?? String(err)}`);
    }
  };
  const stepOnce = (withFaults: boolean, clients: boolean): void => {
    now++;
    if (withFaults) injectFaults();
    for (const h of all()) {
      if (!h.up) continue;
      const before = Math.floor(phase.get(h.id)! + (now - 1) * rates.get(h.id)!);
      const after = Math.floor(phase.get(h.id)! + now * rates.get(h.id)!);
      for (let k = before; k < after; k++) h.raw!.tick();
    }
    for (const [from, to] of unreachable) hosts.get(from)!.raw?.reportUnreachable(to);
    unreachable = [];
    for (const m of net.due(now)) {
      const to = hosts.get(m.to);
      if (to?.raw !== undefined) to.raw.step(m);
    }
    // Outstanding pipelined saves complete now or in a later step (messages keep arriving meanwhile).
    for (const h of all()) if (h.saving && (!withFaults || rand.chance(0.5))) h.finishSave();
    if (clients) for (let c = 0; c < clientCount; c++) clientStep(c, false);
    for (const p of [...pending.values()]) if (now >= p.deadline) timeoutOp(p);
    for (const h of all()) {
      for (let k = 0; k < 8 && h.processReady(); k++) {
        // Drain (bounded: each iteration is one full persist/send/apply cycle).
      }
    }
    checker.check(all(), now);
  };

  for (let i = 0; i < faultSteps && checker.violations.length === 0; i++) step(true, true);

  inFaultPhase = false;
  // Heal: no more faults, every node back, lossless network; the cluster must make progress.
  net.heal();
  net.faults = { drop: 0, duplicate: 0, minDelay: 0, maxDelay: 1 };
  for (const h of all()) if (!h.up) h.restart();
  log(now, 'heal all, restart all');
  let progressed = false;
  let finalMembers: NodeHost[] = [];
  let finalTicket: ProposalTicket | undefined;
  const healStart = now;
  while (now - healStart < healSteps && checker.violations.length === 0) {
    step(false, false);
    if ((now - healStart) % 50 === 0) {
      for (const h of all()) {
        if (h.raw === undefined) continue;
        const st = h.raw.status();
        log(now, `${h.id} ${st.softState.role} term=${st.hardState.term} vote=${st.hardState.vote || '-'} leader=${st.softState.leader || '-'} commit=${st.hardState.commit} applied=${h.applied} last=${st.lastIndex}/${h.storage.term(st.lastIndex)}`);
      }
    }
    const leader = currentLeader();
    if (leader === undefined) continue;
    // Nodes removed from the cluster are shut down, as an operator would. A leader that
    // removed itself leads until the remaining voters know (see Raft #startLeaving): wait.
    const members = membersOf(leader);
    if (!members.has(leader.id)) continue;
    for (const h of all()) {
      if (h.up && !members.has(h.id)) {
        h.crash();
        log(now, `stop ${h.id} (not a member)`);
      } else if (!h.up && members.has(h.id)) {
        h.restart();
        log(now, `start ${h.id} (a member)`);
      }
    }
    if (finalTicket === undefined || leader.raw!.hardState().term !== finalTicket.term) {
      try {
        finalTicket = leader.raw!.propose(encodeKvCommand({ op: 'put', key: 'final', value: `final-${opts.seed}` }));
      } catch (err) {
        if (!isRaftError(err)) throw err;
      }
      continue;
    }
    const commit = leader.raw!.hardState().commit;
    const memberHosts = all().filter((h) => members.has(h.id));
    if (commit >= finalTicket.index && memberHosts.every((h) => h.up && h.applied === commit && h.raw!.hardState().commit === commit)) {
      finalMembers = memberHosts;
      progressed = true;
      break;
    }
  }
  // Outstanding client operations end with unknown outcome.
  for (const p of [...pending.values()]) timeoutOp(p);

  const violations = [...checker.violations];
  if (violations.length === 0 && !progressed) violations.push(`liveness: no progress within ${healSteps} steps after the network healed`);
  if (violations.length === 0) {
    // No acknowledged write lost: every node applied it, and the applied entry at its index is the acknowledged one.
    for (const t of acked) {
      const rec = checker.applied.get(t.index);
      if (rec?.term !== t.term) violations.push(`lost write: acknowledged ${t.index}/${t.term} but ${t.index}/${rec?.term} was applied`);
      for (const h of finalMembers) if (h.applied < t.index) violations.push(`lost write: ${h.id} applied only ${h.applied} < acknowledged ${t.index}`);
    }
    const states = new Set(finalMembers.map((h) => new TextDecoder().decode(h.kv.snapshot())));
    if (states.size !== 1) violations.push('state machines differ after healing');
    const lin = checkKvHistory(history);
    if (!lin.ok) violations.push(`linearizability: history of key(s) ${lin.badKeys.join(',')} is not linearizable`);
  }
  const leaderTerms = new Set<number>();
  for (const h of all()) if (h.raw !== undefined) leaderTerms.add(h.raw.hardState().term);
  return {
    seed: opts.seed,
    nodes: n,
    ok: violations.length === 0,
    violations,
    stats: {
      steps: now,
      messages: net.sent,
      dropped: net.dropped,
      acked: acked.length,
      failed,
      timedOut,
      reads,
      crashes,
      leaders: Math.max(...leaderTerms),
      snapshotsInstalled,
      committed: Math.max(...all().map((h) => h.applied)),
      confChanges,
      confRefused,
      transferRequests,
      pipelinedReadies: all().reduce((n, h) => n + h.pipelinedReadies, 0),
    },
    events,
    history: clientHistory,
  };
}
