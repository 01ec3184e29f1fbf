/**
 * A manager's start: `initSwarm` makes a new swarm (node id, cluster id,
 * root CA, the node's manager certificate, join tokens, the cluster and
 * node objects in the store on a one-voter raft-ts), `joinManager` brings
 * a node that just got its manager certificate into Raft (a learner, then
 * a voter once caught up), and `openManager` brings a manager back from
 * its directory after a restart (same node id, certificate and store, from
 * the WAL and snapshots).
 *
 * Every manager serves the cluster port (cluster/server.ts): Raft, the CA,
 * the dispatcher (on the leader) and the manager service. The control
 * loop and node liveness run on the leader; a follower forwards the swarm
 * calls of the Engine API to the leader (`call`).
 *
 * Layout of `dir`: `state.json` (node id, cluster id, listen and advertise
 * addresses), `certificates/` (swarm-root-ca.crt, swarm-node.crt,
 * swarm-node.key), `raft/` (the WAL).
 */
import { randomBytes } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { cluster, ShoalError, silentLogger, writeFileAtomic, type Clock, type Logger } from '@shoal/common';
import { GrpcTransport, RaftNode, type SoftState } from 'raft-ts';
import { caDigest, createRootCA, makeJoinToken, newNodeId, newNodeKey, signNodeCSR } from './ca/index.js';
import { NodeControl } from './control/nodes.js';
import { ServiceControl } from './control/services.js';
import { Dispatcher } from './dispatcher/dispatcher.js';
import { ControlLoop } from './leader/control-loop.js';
import { NodeIssuer } from './ca/issuer.js';
import { peerChecker } from './ca/peer-identity.js';
import { callUnary, MANAGER_NAME, nodeClient, type ClusterClient } from './cluster/client.js';
import { ClusterServer, type ControlCall } from './cluster/server.js';
import { readNodeTls, writeNodeTls } from './ca/node-tls.js';
import { controlRouter, type FilterParser } from './control/router.js';
import { NodeLiveness } from './dispatcher/liveness.js';
import { RaftProposer, Store, storeStateMachine } from './store/index.js';

/** What the swarm is given at init (Docker's `swarm init` flags; shoal's defaults where Docker's are slower). */
export interface InitOptions {
  dir: string;
  clock: Clock;
  /** Random bytes (node:crypto's randomBytes in production). */
  random: (n: number) => Uint8Array;
  /** This node's hostname, engine version, platform and resources, for its node object. */
  description: { Hostname: string; Platform: { Architecture: string; OS: string }; Resources: { NanoCPUs: number; MemoryBytes: number }; Engine: { EngineVersion: string } };
  /** The address other nodes reach this one at (`--advertise-addr`), host:port. */
  advertiseAddr: string;
  /** The cluster port's listen address (`--listen-addr`), host:port; default 0.0.0.0:2377. */
  listenAddr?: string;
  /** `--task-history-limit`, default 5. */
  taskHistoryLimit?: number;
  /** `--dispatcher-heartbeat` in ms; shoal's default 1 s (Docker's 5 s). */
  dispatcherHeartbeatMs?: number;
  /** `--cert-expiry` in ms, default 90 days. */
  certExpiryMs?: number;
  log?: Logger;
  /** Docker's filters parameter parser (the Engine API's), for forwarded calls. */
  filters: FilterParser;
}

/** What a manager runs with (besides its directory). */
export interface ManagerEnv {
  clock: Clock;
  random: (n: number) => Uint8Array;
  log: Logger;
  filters: FilterParser;
}

/** A running manager: its node, store and identity. */
export interface RunningManager {
  nodeId: string;
  clusterId: string;
  store: Store;
  raft: RaftNode;
  /** Nodes (the control API; the Engine API reaches it through `call`). */
  nodes: NodeControl;
  /** The port the cluster server listens on. */
  clusterPort: number;
  /** Runs a swarm call of the Engine API here when leading, else on the leader. */
  call(c: ControlCall): Promise<{ status: number; body: unknown }>;
  /** The managers' cluster addresses (host:port), this one first. */
  managerAddrs(): string[];
  /** This manager's cluster address and the TLS material of its node (its agent uses them). */
  advertise: string;
  tls: { rootCaPem: string; certPem: string; keyPem: string };
  /** Stops the cluster server, the control loop and Raft (the state stays on disk). */
  stop(): Promise<void>;
}

interface SavedState {
  nodeId: string;
  clusterId: string;
  /** The cluster port's listen address (host:port). */
  clusterListen: string;
  /** This manager's cluster address as others reach it (host:port): Raft's address too. */
  advertise: string;
}

const NS = 1_000_000;
const DAY = 24 * 3600 * 1000;

/** Resolves once `pred` holds for `node`'s soft state, or after `ms` (forever without). */
function untilSoft(node: RaftNode, pred: (s: { leader: string; role: string }) => boolean, ms?: number): Promise<void> {
  if (pred({ leader: node.leader, role: node.isLeader ? 'leader' : '' })) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = ms === undefined ? undefined : setTimeout(done, ms);
    const off = node.onSoftState((s: SoftState) => { if (pred(s)) done(); });
    function done(): void {
      clearTimeout(timer);
      off();
      resolve();
    }
  });
}

/** Resolves once `node` leads (a one-voter cluster elects itself within an election timeout). */
function leading(node: RaftNode): Promise<void> {
  return untilSoft(node, (s) => s.role === 'leader');
}

/** Resolves once `node` knows a leader (itself, leading, or another), or after `ms`. */
function knowsLeader(node: RaftNode, ms: number): Promise<void> {
  return untilSoft(node, (s) => s.leader !== '' && (s.leader !== node.id || s.role === 'leader'), ms);
}

function randomId(random: (n: number) => Uint8Array): () => string {
  return () => newNodeId(random(16));
}

/** Our error back from another manager's gRPC answer (code, HTTP status and message as it made them). */
function fromGrpc(e: unknown): Error {
  const g = e as grpc.ServiceError;
  const code = g.metadata?.get('shoal-code')[0];
  const status = Number(g.metadata?.get('http-status')[0] ?? 503);
  if (typeof code === 'string') return new ShoalError(code, status, g.details ?? g.message, { cause: e });
  return new ShoalError('STORE_PROPOSAL_FAILED', 503, `the leader did not answer: ${g.details ?? g.message}`, { cause: e });
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

interface Started {
  m: RunningManager;
  store: Store;
  raft: RaftNode;
  /** Joins Raft through the manager at `via` and waits until caught up. */
  joinThrough(via: string): Promise<void>;
}

/**
 * Starts a manager from its directory: the cluster server (with Raft on
 * it), Raft, the store and the roles. `bootstrap`: a new one-voter swarm.
 */
async function startManager(dir: string, state: SavedState, env: ManagerEnv, bootstrap: boolean): Promise<Started> {
  const { clock, random, log } = env;
  const tls = await readNodeTls(dir);
  const { rootCaPem, certPem, keyPem } = tls;
  const proposer = new RaftProposer();
  let n = 0;
  const store = new Store({ proposer, clock, newId: () => `${state.nodeId}-${clock.now().toString(36)}-${++n}` });
  const services = new ServiceControl({ store, clock, random });
  let raft: RaftNode | undefined;
  const nodes = new NodeControl(store, (id) => {
    if (raft === undefined) return undefined;
    const st = raft.status();
    if (![...st.confState.voters, ...(st.confState.learners ?? [])].includes(id)) return undefined;
    const reachable = id === state.nodeId || (st.progress !== undefined ? st.progress[id]?.recentActive === true : raft.leader === id);
    return { Leader: raft.leader === id, Reachability: reachable ? 'reachable' : 'unreachable' };
  });
  const dispatcher = new Dispatcher({ store, clock });
  const heartbeatMs = (): number => {
    const c = store.view((tx) => tx.get('clusters', state.clusterId)) as { Spec?: { Dispatcher?: { HeartbeatPeriod?: number } } } | undefined;
    return (c?.Spec?.Dispatcher?.HeartbeatPeriod ?? 1000 * NS) / NS;
  };
  const liveness = new NodeLiveness({ store, clock, selfId: '', periodMs: heartbeatMs, log: log.child({ part: 'liveness' }) });
  const router = controlRouter(services, nodes, env.filters);
  const managerAddrs = (): string[] => {
    const others = store.view((tx) => tx.find('nodes', 'role', 'manager'))
      .map((x) => (x.ManagerStatus as { Addr?: string } | undefined)?.Addr).filter((a): a is string => a !== undefined && a !== '' && a !== state.advertise);
    return [state.advertise, ...others];
  };
  const clients = new Map<string, ClusterClient>();
  const clientOf = (addr: string): ClusterClient => {
    let c = clients.get(addr);
    if (c === undefined) {
      c = nodeClient(cluster.ManagerService, addr, tls);
      clients.set(addr, c);
    }
    return c;
  };
  const leaderAddr = (): string => {
    const id = raft?.leader ?? '';
    const leader = id === '' ? undefined : store.view((tx) => tx.get('nodes', id));
    const addr = (leader?.ManagerStatus as { Addr?: string } | undefined)?.Addr;
    if (addr === undefined || addr === '') throw new ShoalError('STORE_PROPOSAL_FAILED', 503, 'the swarm has no leader right now (a quorum of managers is needed); try again');
    return addr;
  };
  /** Runs a control call here (leader) or on the leader. */
  const call = async (c: ControlCall): Promise<{ status: number; body: unknown }> => {
    if (raft?.isLeader === true) return router(c);
    const r = await callUnary<cluster.ControlResponse>(clientOf(leaderAddr()), 'control', cluster.create(cluster.ControlRequestSchema, {
      route: c.route, paramsJson: encoder.encode(JSON.stringify(c.params)), queryJson: encoder.encode(JSON.stringify(c.query)),
      bodyJson: c.body === undefined ? new Uint8Array() : encoder.encode(JSON.stringify(c.body)),
    }), 30_000).catch((e: unknown) => { throw fromGrpc(e); });
    return { status: r.status, body: r.bodyJson.length === 0 ? undefined : JSON.parse(decoder.decode(r.bodyJson)) };
  };
  /** On the leader: the manager at `addr` becomes a learner, then a voter once it has the log. */
  const joinRaft = async (peer: { nodeId: string }, addr: string): Promise<number> => {
    const r = raft as RaftNode;
    if (!r.isLeader) {
      const out = await callUnary<cluster.JoinRaftResponse>(clientOf(leaderAddr()), 'joinRaft', cluster.create(cluster.JoinRaftRequestSchema, { addr }), 60_000).catch((e: unknown) => { throw fromGrpc(e); });
      return Number(out.index);
    }
    const members = r.status().confState;
    if (![...members.voters].includes(peer.nodeId)) {
      if (![...(members.learners ?? [])].includes(peer.nodeId)) await r.addLearner(peer.nodeId, addr);
      const deadline = clock.now() + 60_000;
      for (;;) {
        const st = r.status();
        const match = st.progress?.[peer.nodeId]?.match ?? 0;
        if (match >= st.hardState.commit) break;
        if (clock.now() > deadline) throw new ShoalError('STORE_PROPOSAL_FAILED', 503, `manager ${peer.nodeId} did not catch up with the Raft log in time`);
        await new Promise((res) => setTimeout(res, 50));
      }
      await r.addVoter(peer.nodeId, addr);
    }
    await store.update((tx) => {
      const node = tx.get('nodes', peer.nodeId);
      if (node === undefined) return;
      tx.update('nodes', { ...structuredClone(node), ManagerStatus: { Reachability: 'reachable', Addr: addr } } as never);
    });
    log.info({ node: peer.nodeId, addr }, 'manager joined Raft');
    return r.status().hardState.commit;
  };
  const server = new ClusterServer({
    ...tls, issuer: new NodeIssuer({ store, clusterId: state.clusterId, clock, random }), dispatcher, liveness, heartbeatMs,
    managers: managerAddrs, isLeader: () => raft?.isLeader === true, joinRaft, control: router, clock, log: log.child({ part: 'cluster' }),
  });
  const checker = peerChecker(rootCaPem, () => clock.now());
  const transport = GrpcTransport.serve(server.server, {
    id: state.nodeId, advertise: state.advertise,
    channelCredentials: grpc.credentials.createSsl(Buffer.from(rootCaPem), Buffer.from(keyPem), Buffer.from(certPem)),
    channelOptions: { 'grpc.ssl_target_name_override': MANAGER_NAME },
    // Raft only from managers of this swarm, each speaking for itself.
    peerIdentity: ({ certificate }) => {
      const p = checker(certificate?.raw);
      return p?.role === 'manager' ? p.nodeId : undefined;
    },
  });
  const port = await server.bind(state.clusterListen);
  try {
    raft = await RaftNode.open({
      id: state.nodeId, dir: join(dir, 'raft'), transport, stateMachine: storeStateMachine(store), address: state.advertise,
      ...(bootstrap ? { bootstrap: [state.nodeId] } : {}),
    });
  } catch (e) {
    await server.stop();
    throw e;
  }
  const r = raft;
  proposer.bind(r);
  const running = r.run();
  let loop: ControlLoop | undefined;
  const lead = (leader: boolean): void => {
    if (leader && loop === undefined) {
      loop = new ControlLoop({ store, clock, newId: randomId(random), log, clusterId: state.clusterId });
      loop.start();
      liveness.start();
    } else if (!leader && loop !== undefined) {
      void loop.stop();
      liveness.stop();
      loop = undefined;
    }
  };
  const off = r.onSoftState((s: SoftState) => lead(s.role === 'leader'));
  lead(r.isLeader);
  const stop = async (): Promise<void> => {
    off();
    liveness.stop();
    await loop?.stop();
    loop = undefined;
    for (const c of clients.values()) c.close();
    await server.stop();
    await r.stop();
    await running.catch(() => undefined);
  };
  if (bootstrap) {
    // A storage failure ends run() before any election: do not wait for a leadership that cannot come.
    await Promise.race([leading(r), running.then(() => { throw new Error(`raft node ${state.nodeId} stopped before it led`); })]).catch(async (e: unknown) => {
      await stop();
      throw e;
    });
  }
  const m: RunningManager = {
    nodeId: state.nodeId, clusterId: state.clusterId, store, raft: r, nodes, clusterPort: port,
    call, managerAddrs, advertise: state.advertise, tls, stop,
  };
  const joinThrough = async (via: string): Promise<void> => {
    const out = await callUnary<cluster.JoinRaftResponse>(clientOf(via), 'joinRaft', cluster.create(cluster.JoinRaftRequestSchema, { addr: state.advertise }), 90_000)
      .catch((e: unknown) => { throw fromGrpc(e); });
    const deadline = clock.now() + 60_000;
    while (store.appliedIndex < Number(out.index)) {
      if (clock.now() > deadline) throw new ShoalError('STORE_PROPOSAL_FAILED', 503, 'this manager did not receive the swarm\'s state in time');
      await new Promise((res) => setTimeout(res, 50));
    }
  };
  return { m, store, raft: r, joinThrough };
}

/** A new swarm with this node as its only manager (Docker's `swarm init`). */
export async function initSwarm(o: InitOptions): Promise<RunningManager> {
  const now = o.clock.now();
  const nodeId = newNodeId(o.random(16));
  const clusterId = newNodeId(o.random(16));
  const ca = await createRootCA({ now, serial: o.random(16) });
  const key = await newNodeKey();
  const certExpiryMs = o.certExpiryMs ?? 90 * DAY;
  const cert = await signNodeCSR(ca, key.csrPem, { nodeId, role: 'manager', organization: clusterId, now, serial: o.random(16), expiryMs: certExpiryMs });
  await writeNodeTls(o.dir, { rootCaPem: ca.certPem, certPem: cert, keyPem: key.keyPem });
  const state: SavedState = { nodeId, clusterId, clusterListen: o.listenAddr ?? '0.0.0.0:2377', advertise: o.advertiseAddr };
  await writeFileAtomic(join(o.dir, 'state.json'), JSON.stringify(state));
  const digest = caDigest(ca.certPem);
  const { m, store } = await startManager(o.dir, state, { clock: o.clock, random: o.random, log: o.log ?? silentLogger(), filters: o.filters }, true);
  try {
    await store.update((tx) => {
      tx.create('clusters', {
        ID: clusterId,
        Spec: {
          Name: 'default', Labels: {},
          Orchestration: { TaskHistoryRetentionLimit: o.taskHistoryLimit ?? 5 },
          Raft: { SnapshotInterval: 10000, KeepOldSnapshots: 0, LogEntriesForSlowFollowers: 1000, ElectionTick: 10, HeartbeatTick: 1 },
          Dispatcher: { HeartbeatPeriod: (o.dispatcherHeartbeatMs ?? 1000) * NS },
          CAConfig: { NodeCertExpiry: certExpiryMs * NS },
          TaskDefaults: {},
          EncryptionConfig: { AutoLockManagers: false },
        },
        JoinTokens: { Worker: makeJoinToken(digest, o.random(16)), Manager: makeJoinToken(digest, o.random(16)) },
        TLSInfo: { TrustRoot: ca.certPem },
        RootRotationInProgress: false,
        DefaultAddrPool: ['10.0.0.0/8'], SubnetSize: 24, DataPathPort: 4789,
        // The root key lives in the replicated store, so that any manager can sign (as swarmkit); the API never shows it.
        RootCA: { CACert: ca.certPem, CAKey: ca.keyPem },
      });
      tx.create('nodes', {
        ID: nodeId,
        Spec: { Labels: {}, Role: 'manager', Availability: 'active' },
        Description: { ...o.description, TLSInfo: { TrustRoot: ca.certPem } },
        Status: { State: 'ready', Addr: o.advertiseAddr.replace(/:\d+$/, '') },
        ManagerStatus: { Reachability: 'reachable', Addr: o.advertiseAddr },
        Certificate: cert,
      });
    });
  } catch (e) {
    await m.stop();
    throw e;
  }
  return m;
}

/**
 * A node that just got its manager certificate (`swarm join` with the
 * manager token; `certificates/` written by the caller): its state, then
 * Raft through the manager at `via` (a learner, a voter once caught up).
 */
export async function joinManager(o: { dir: string; nodeId: string; clusterId: string; listenAddr: string; advertiseAddr: string; via: string } & ManagerEnv): Promise<RunningManager> {
  const state: SavedState = { nodeId: o.nodeId, clusterId: o.clusterId, clusterListen: o.listenAddr, advertise: o.advertiseAddr };
  await writeFileAtomic(join(o.dir, 'state.json'), JSON.stringify(state));
  const started = await startManager(o.dir, state, o, false);
  try {
    await started.joinThrough(o.via);
  } catch (e) {
    await started.m.stop();
    throw e;
  }
  return started.m;
}

/** The manager of `dir` after a restart; undefined when this node is in no swarm (no state.json). */
export async function openManager(dir: string, env: Partial<ManagerEnv> & { clock: Clock; filters: FilterParser }): Promise<RunningManager | undefined> {
  const text = await readFile(join(dir, 'state.json'), 'utf8').catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') return undefined;
    throw e;
  });
  if (text === undefined) return undefined;
  const state = JSON.parse(text) as SavedState;
  const { m, raft } = await startManager(dir, state, { clock: env.clock, filters: env.filters, log: env.log ?? silentLogger(), random: env.random ?? ((n) => new Uint8Array(randomBytes(n))) }, false);
  // Give the swarm a moment to have a leader (this one, alone, elects itself within an election timeout); go on without one.
  await knowsLeader(raft, 3000);
  return m;
}

/** Leaving for good: the manager stopped, its directory (keys, WAL) removed. */
export async function removeManagerState(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}
