/**
 * A manager's start: `initSwarm` makes a new single-manager swarm (node id,
 * cluster id, root CA, the node's manager certificate, join tokens, the
 * cluster and node objects in the store on a one-voter raft-ts), and
 * `openManager` brings a manager back from its directory after a restart
 * (same node id, certificate and store, from the WAL and snapshots).
 *
 * Layout of `dir`: `state.json` (node id, cluster id, raft address),
 * `certificates/` (swarm-root-ca.crt, swarm-node.crt, swarm-node.key),
 * `raft/` (the WAL).
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { silentLogger, writeFileAtomic, type Clock, type Logger } from '@shoal/common';
import { GrpcTransport, RaftNode, type SoftState } from 'raft-ts';
import { caDigest, createRootCA, makeJoinToken, newNodeId, newNodeKey, signNodeCSR } from './ca/index.js';
import { NodeControl } from './control/nodes.js';
import { ServiceControl } from './control/services.js';
import { Dispatcher } from './dispatcher/dispatcher.js';
import { ControlLoop } from './leader/control-loop.js';
import { NodeIssuer } from './ca/issuer.js';
import { startClusterServer, type ClusterServer } from './cluster/server.js';
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
  /** Where Raft listens; default 127.0.0.1 on a free port (managers do not join yet). */
  raftListen?: string;
  /** The cluster port's listen address (`--listen-addr`), host:port; default 0.0.0.0:2377. */
  listenAddr?: string;
  /** `--task-history-limit`, default 5. */
  taskHistoryLimit?: number;
  /** `--dispatcher-heartbeat` in ms; shoal's default 1 s (Docker's 5 s). */
  dispatcherHeartbeatMs?: number;
  /** `--cert-expiry` in ms, default 90 days. */
  certExpiryMs?: number;
  log?: Logger;
}

/** A running manager: its node, store and identity. */
export interface RunningManager {
  nodeId: string;
  clusterId: string;
  store: Store;
  raft: RaftNode;
  /** Services and tasks (the control API). */
  control: ServiceControl;
  /** Nodes (the control API). */
  nodes: NodeControl;
  /** The manager's end of the node sessions. */
  dispatcher: Dispatcher;
  /** The port the cluster server listens on. */
  clusterPort: number;
  /** Stops the cluster server, the control loop and Raft (the state stays on disk). */
  stop(): Promise<void>;
}

interface SavedState {
  nodeId: string;
  clusterId: string;
  raftListen: string;
  /** The cluster port's listen address (absent in state written before it existed: 0.0.0.0:2377). */
  clusterListen?: string;
  /** This manager's cluster address as others reach it (host:port). */
  advertise?: string;
}

const NS = 1_000_000;
const DAY = 24 * 3600 * 1000;

/** Resolves once `node` leads (a one-voter cluster elects itself within an election timeout). */
function leading(node: RaftNode): Promise<void> {
  if (node.isLeader) return Promise.resolve();
  return new Promise((resolve) => {
    const off = node.onSoftState((s: SoftState) => {
      if (s.role !== 'leader') return;
      off();
      resolve();
    });
  });
}

async function startRaft(dir: string, state: SavedState, clock: Clock, bootstrap: boolean): Promise<{ store: Store; raft: RaftNode; running: Promise<void> }> {
  const transport = await GrpcTransport.listen({ id: state.nodeId, listen: state.raftListen });
  const proposer = new RaftProposer();
  let n = 0;
  const store = new Store({ proposer, clock, newId: () => `${state.nodeId}-${clock.now().toString(36)}-${++n}` });
  const raft = await RaftNode.open({
    id: state.nodeId, dir: join(dir, 'raft'), transport, stateMachine: storeStateMachine(store), address: `127.0.0.1:${transport.port}`,
    ...(bootstrap ? { bootstrap: [state.nodeId] } : {}),
  });
  proposer.bind(raft);
  const running = raft.run();
  // A storage failure ends run() before any election: do not wait for a leadership that cannot come.
  await Promise.race([leading(raft), running.then(() => { throw new Error(`raft node ${state.nodeId} stopped before it led`); })]);
  return { store, raft, running };
}

function randomId(random: (n: number) => Uint8Array): () => string {
  return () => newNodeId(random(16));
}

/**
 * The manager's roles over its store: the control API everywhere; while
 * this manager leads, the control loop (orchestrators, scheduler, reaper)
 * and node liveness; the cluster server (CA and dispatcher) on the
 * cluster port.
 */
async function assemble(dir: string, state: SavedState, started: { store: Store; raft: RaftNode; running: Promise<void> }, clock: Clock, random: (n: number) => Uint8Array, log: Logger): Promise<RunningManager> {
  const { store, raft, running } = started;
  const ids = { nodeId: state.nodeId, clusterId: state.clusterId };
  const control = new ServiceControl({ store, clock, random });
  const dispatcher = new Dispatcher({ store, clock });
  const heartbeatMs = (): number => {
    const c = store.view((tx) => tx.get('clusters', state.clusterId)) as { Spec?: { Dispatcher?: { HeartbeatPeriod?: number } } } | undefined;
    return (c?.Spec?.Dispatcher?.HeartbeatPeriod ?? 1000 * NS) / NS;
  };
  const liveness = new NodeLiveness({ store, clock, selfId: state.nodeId, periodMs: heartbeatMs, log: log.child({ part: 'liveness' }) });
  let loop: ControlLoop | undefined;
  const lead = (leader: boolean): void => {
    if (leader && loop === undefined) {
      loop = new ControlLoop({ store, clock, newId: randomId(random), log, clusterId: ids.clusterId });
      loop.start();
      liveness.start();
    } else if (!leader && loop !== undefined) {
      void loop.stop();
      liveness.stop();
      loop = undefined;
    }
  };
  const certs = join(dir, 'certificates');
  const [rootCaPem, certPem, keyPem] = await Promise.all(['swarm-root-ca.crt', 'swarm-node.crt', 'swarm-node.key'].map((f) => readFile(join(certs, f), 'utf8')));
  let server: ClusterServer;
  try {
    server = await startClusterServer({
      listen: state.clusterListen ?? '0.0.0.0:2377', rootCaPem: rootCaPem as string, certPem: certPem as string, keyPem: keyPem as string,
      issuer: new NodeIssuer({ store, clusterId: state.clusterId, clock, random }), dispatcher, liveness, heartbeatMs,
      managers: () => (state.advertise !== undefined ? [state.advertise] : []), clock, log: log.child({ part: 'cluster' }),
    });
  } catch (e) {
    await raft.stop();
    await running.catch(() => undefined);
    throw e;
  }
  const off = raft.onSoftState((s: SoftState) => lead(s.role === 'leader'));
  lead(raft.isLeader);
  return {
    ...ids, store, raft, control, dispatcher, nodes: new NodeControl(store), clusterPort: server.port,
    stop: async () => {
      off();
      liveness.stop();
      await server.stop();
      await loop?.stop();
      loop = undefined;
      await raft.stop();
      await running.catch(() => undefined);
    },
  };
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
  const certs = join(o.dir, 'certificates');
  await mkdir(certs, { recursive: true, mode: 0o700 });
  await writeFileAtomic(join(certs, 'swarm-root-ca.crt'), ca.certPem);
  await writeFileAtomic(join(certs, 'swarm-node.crt'), cert);
  await writeFileAtomic(join(certs, 'swarm-node.key'), key.keyPem, { mode: 0o600 });
  const state: SavedState = { nodeId, clusterId, raftListen: o.raftListen ?? '127.0.0.1:0', clusterListen: o.listenAddr ?? '0.0.0.0:2377', advertise: o.advertiseAddr };
  await writeFileAtomic(join(o.dir, 'state.json'), JSON.stringify(state));
  const digest = caDigest(ca.certPem);
  const started = await startRaft(o.dir, state, o.clock, true);
  const { store, raft, running } = started;
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
        ManagerStatus: { Leader: true, Reachability: 'reachable', Addr: o.advertiseAddr },
        Certificate: cert,
      });
    });
  } catch (e) {
    await raft.stop();
    await running.catch(() => undefined);
    throw e;
  }
  return assemble(o.dir, state, started, o.clock, o.random, o.log ?? silentLogger());
}

/** The manager of `dir` after a restart; undefined when this node is in no swarm (no state.json). */
export async function openManager(dir: string, clock: Clock, log: Logger = silentLogger(), random: (n: number) => Uint8Array = (n) => new Uint8Array(randomBytes(n))): Promise<RunningManager | undefined> {
  const text = await readFile(join(dir, 'state.json'), 'utf8').catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') return undefined;
    throw e;
  });
  if (text === undefined) return undefined;
  const state = JSON.parse(text) as SavedState;
  const started = await startRaft(dir, state, clock, false);
  return assemble(dir, state, started, clock, random, log);
}

/** Leaving for good: the manager stopped, its directory (keys, WAL) removed. */
export async function removeManagerState(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}
