/**
 * A node's swarm membership on a running shoald: `swarm init` makes a
 * manager (manager/'s initSwarm; state under `<data-root>/swarm`), `swarm
 * join` makes a worker or a manager as the token says (the node's
 * certificate from a manager's CA; a worker keeps `worker.json` beside
 * it), and a restart finds either again. The role goes into the API's
 * SwarmSwitch, and the node's agent runs its tasks with a session with
 * the leader over the cluster port (on managers too). `leave` stops it
 * all, removes the node's task containers and forgets the swarm (a
 * manager needs --force).
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FastifyRequest } from 'fastify';
import { runToolJson, writeFileAtomic, type Clock, type Logger, type SwarmNode } from '@shoal/common';
import { initSwarm, joinManager, openManager, readNodeTls, removeManagerState, writeNodeTls, type RunningManager } from '@shoal/manager';
import { parseFilters } from '../../engine/api/filters-param.js';
import { Agent, type AgentEngine } from '../../agent/agent.js';
import { RemoteDispatcher } from '../../agent/remote-dispatcher.js';
import { joinSwarm } from './join.js';
import { workerRole } from './worker-role.js';
import type { SwarmLifecycle, SwarmSwitch } from '../../engine/api/swarm-role.js';
import type { SystemFacts } from '../../engine/api/system-facts.js';
import { swarmErrors } from './errors.js';
import { ALREADY_IN_SWARM, managerRole } from './manager-role.js';

/** Options of {@link SwarmHost}. */
export interface SwarmHostOptions {
  dataRoot: string;
  clock: Clock;
  log: Logger;
  facts: SystemFacts;
  swarm: SwarmSwitch;
  /** The engine the node's agent runs tasks with. */
  engine: AgentEngine;
}

/** A worker's membership, in `<data-root>/swarm/worker.json` (its certificates beside it). */
interface WorkerState {
  nodeId: string;
  clusterId: string;
  /** Managers' cluster addresses (host:port). */
  managers: string[];
  /** This node's address (host). */
  addr: string;
}

/** Body of POST /swarm/join. */
interface JoinBody {
  ListenAddr?: string;
  AdvertiseAddr?: string;
  RemoteAddrs?: string[] | null;
  JoinToken?: string;
  Availability?: string;
}

/** Body of POST /swarm/init (the fields honoured so far). */
interface InitBody {
  ListenAddr?: string;
  AdvertiseAddr?: string;
  Spec?: { Orchestration?: { TaskHistoryRetentionLimit?: number | null }; Dispatcher?: { HeartbeatPeriod?: number | null }; CAConfig?: { NodeCertExpiry?: number | null } } | null;
}

/** The IPv4 address of the interface of the default route: Docker's choice when no --advertise-addr is given. */
async function defaultRouteAddress(): Promise<string | undefined> {
  const routes = await runToolJson<Array<{ prefsrc?: string; dev?: string }>>(['ip', '-j', '-4', 'route', 'show', 'default']).catch(() => []);
  const route = routes[0];
  if (route?.prefsrc !== undefined || route?.dev === undefined) return route?.prefsrc;
  const addrs = await runToolJson<Array<{ addr_info?: Array<{ family?: string; local?: string }> }>>(['ip', '-j', '-4', 'addr', 'show', 'dev', route.dev]).catch(() => []);
  return addrs[0]?.addr_info?.find((a) => a.family === 'inet')?.local;
}

/** The local address the kernel would use to reach `host` (Docker's choice of a joining node's address). */
async function sourceAddressFor(host: string): Promise<string | undefined> {
  const routes = await runToolJson<Array<{ prefsrc?: string }>>(['ip', '-j', '-4', 'route', 'get', host]).catch(() => []);
  return routes[0]?.prefsrc;
}

/** host:port with Docker's default cluster port 2377. */
function withPort(addr: string): string {
  return /:\d+$/.test(addr) ? addr : `${addr}:2377`;
}

/** The node's swarm membership: the lifecycle of the API's switch, and the manager while there is one. */
export class SwarmHost implements SwarmLifecycle {
  readonly #o: SwarmHostOptions;
  readonly #dir: string;
  #manager: RunningManager | undefined;
  #agent: Agent | undefined;
  /** This node is in a swarm as a worker. */
  #worker = false;
  /** An init in progress: a second one at the same time is refused, not run twice on one directory. */
  #initializing = false;

  constructor(o: SwarmHostOptions) {
    this.#o = o;
    this.#dir = join(o.dataRoot, 'swarm');
  }

  /** At daemon start: back into the swarm this node was in, if any. */
  async open(): Promise<void> {
    const worker = await readFile(join(this.#dir, 'worker.json'), 'utf8').catch(() => undefined);
    if (worker !== undefined) {
      await this.#startWorker(JSON.parse(worker) as WorkerState);
      return;
    }
    const m = await openManager(this.#dir, this.#env());
    if (m !== undefined) this.#install(m);
  }

  /** What the manager role runs with. */
  #env(): { clock: Clock; random: (n: number) => Uint8Array; log: Logger; filters: typeof parseFilters } {
    return { clock: this.#o.clock, random: (n) => new Uint8Array(randomBytes(n)), log: this.#o.log, filters: parseFilters };
  }

  /** Runs this node as a worker: its agent on a session with the managers, and the worker role in the API. */
  async #startWorker(state: WorkerState): Promise<void> {
    const remote = new RemoteDispatcher({ managers: state.managers, tls: await readNodeTls(this.#dir), log: this.#o.log.child({ part: 'session' }) });
    this.#agent = new Agent({ nodeId: state.nodeId, dispatcher: remote, engine: this.#o.engine, log: this.#o.log.child({ part: 'agent' }), now: () => this.#o.clock.now() });
    this.#agent.start();
    this.#worker = true;
    this.#o.swarm.install(workerRole({ nodeId: state.nodeId, addr: state.addr, managers: () => remote.managers }, () => this.#leave()));
    this.#o.log.info({ nodeId: state.nodeId, managers: state.managers }, 'swarm worker running');
  }

  #install(m: RunningManager): void {
    this.#manager = m;
    this.#o.swarm.install(managerRole(m, () => this.#leave()));
    // The node's own tasks, from the leader's dispatcher over the cluster port (this manager's own, while it leads), as on a worker.
    const remote = new RemoteDispatcher({ managers: m.managerAddrs(), tls: m.tls, log: this.#o.log.child({ part: 'session' }) });
    this.#agent = new Agent({ nodeId: m.nodeId, dispatcher: remote, engine: this.#o.engine, log: this.#o.log.child({ part: 'agent' }), now: () => this.#o.clock.now() });
    this.#agent.start();
    this.#o.log.info({ nodeId: m.nodeId, clusterId: m.clusterId }, 'swarm manager running');
  }

  async #leave(): Promise<void> {
    const m = this.#manager;
    const agent = this.#agent;
    this.#manager = undefined;
    this.#agent = undefined;
    this.#worker = false;
    this.#o.swarm.leave();
    // Leaving ends this node's tasks, as Docker's leave does.
    await agent?.stop({ removeContainers: true });
    await m?.stop();
    await removeManagerState(this.#dir);
    this.#o.log.info('left the swarm');
  }

  #active(): boolean {
    return this.#manager !== undefined || this.#worker || this.#initializing;
  }

  async init(request: FastifyRequest): Promise<string> {
    if (this.#active()) throw swarmErrors.make('ALREADY_ACTIVE', ALREADY_IN_SWARM);
    this.#initializing = true;
    try {
      return await this.#init(request);
    } finally {
      this.#initializing = false;
    }
  }

  async #init(request: FastifyRequest): Promise<string> {
    const body = (request.body ?? {}) as InitBody;
    const given = body.AdvertiseAddr !== undefined && body.AdvertiseAddr !== '' ? body.AdvertiseAddr : undefined;
    const listenHost = (body.ListenAddr ?? '').replace(/:\d+$/, '');
    const host = given ?? (listenHost !== '' && listenHost !== '0.0.0.0' ? listenHost : await defaultRouteAddress());
    if (host === undefined) throw swarmErrors.make('NO_ADVERTISE_ADDR', 'could not choose an IP address to advertise since this system has no default route; use --advertise-addr');
    const spec = body.Spec ?? {};
    const ns = (v: number | null | undefined): number | undefined => (typeof v === 'number' && v > 0 ? v / 1e6 : undefined);
    const listenPort = /:(\d+)$/.exec(body.ListenAddr ?? '')?.[1] ?? '2377';
    const m = await initSwarm({
      dir: this.#dir, clock: this.#o.clock, random: (n) => new Uint8Array(randomBytes(n)),
      description: this.#description(),
      advertiseAddr: /:\d+$/.test(host) ? host : `${host}:${listenPort}`,
      listenAddr: body.ListenAddr !== undefined && body.ListenAddr !== '' ? withPort(body.ListenAddr) : '0.0.0.0:2377',
      taskHistoryLimit: spec.Orchestration?.TaskHistoryRetentionLimit ?? undefined,
      dispatcherHeartbeatMs: ns(spec.Dispatcher?.HeartbeatPeriod),
      certExpiryMs: ns(spec.CAConfig?.NodeCertExpiry),
      log: this.#o.log, filters: parseFilters,
    }).catch(async (e: unknown) => {
      await removeManagerState(this.#dir);
      throw e;
    });
    this.#install(m);
    return m.nodeId;
  }

  /** Docker's `swarm join`: the node's certificate from the manager's CA, then a worker, or a manager in Raft, as the token says. */
  async join(request: FastifyRequest): Promise<void> {
    if (this.#active()) throw swarmErrors.make('ALREADY_ACTIVE', ALREADY_IN_SWARM);
    this.#initializing = true;
    try {
      await this.#join((request.body ?? {}) as JoinBody);
    } finally {
      this.#initializing = false;
    }
  }

  async #join(body: JoinBody): Promise<void> {
    const remote = body.RemoteAddrs?.[0];
    if (remote === undefined || remote === '') throw swarmErrors.make('INVALID_REQUEST', 'at least 1 RemoteAddr is required to join');
    if (body.JoinToken === undefined || body.JoinToken === '') throw swarmErrors.make('INVALID_REQUEST', 'a join token is required (--token)');
    const given = body.AdvertiseAddr !== undefined && body.AdvertiseAddr !== '' ? body.AdvertiseAddr.replace(/:\d+$/, '') : undefined;
    const listenHost = (body.ListenAddr ?? '').replace(/:\d+$/, '');
    // As Docker: the given address, else the listen address, else the one this node reaches the manager from.
    const addr = given ?? (listenHost !== '' && listenHost !== '0.0.0.0' ? listenHost : await sourceAddressFor(remote.replace(/:\d+$/, '')));
    if (addr === undefined) throw swarmErrors.make('NO_ADVERTISE_ADDR', `could not choose an IP address to advertise: no route to ${remote}; use --advertise-addr`);
    const listenAddr = body.ListenAddr !== undefined && body.ListenAddr !== '' ? withPort(body.ListenAddr) : '0.0.0.0:2377';
    const advertise = `${addr}:${/:(\d+)$/.exec(body.AdvertiseAddr ?? '')?.[1] ?? /:(\d+)$/.exec(listenAddr)?.[1] ?? '2377'}`;
    const joined = await joinSwarm({ remote: withPort(remote), token: body.JoinToken, addr: advertise, availability: body.Availability ?? 'active', description: this.#description() });
    await writeNodeTls(this.#dir, joined);
    if (joined.role === 'manager') {
      // A manager: Raft through the manager it joined (a learner, then a voter once caught up).
      const m = await joinManager({ dir: this.#dir, nodeId: joined.nodeId, clusterId: joined.clusterId, listenAddr, advertiseAddr: advertise, via: withPort(remote), ...this.#env() })
        .catch(async (e: unknown) => {
          await removeManagerState(this.#dir);
          throw e;
        });
      this.#install(m);
      return;
    }
    const state: WorkerState = { nodeId: joined.nodeId, clusterId: joined.clusterId, managers: [withPort(remote)], addr };
    await writeFileAtomic(join(this.#dir, 'worker.json'), JSON.stringify(state));
    await this.#startWorker(state);
  }

  /** This node as its node object describes it. */
  #description(): SwarmNode['Description'] {
    const f = this.#o.facts;
    return {
      Hostname: f.name, Platform: { Architecture: f.architecture, OS: 'linux' },
      Resources: { NanoCPUs: f.ncpu * 1e9, MemoryBytes: f.memTotal }, Engine: { EngineVersion: f.version },
    };
  }

  /** Daemon stop: the manager stops; the swarm stays on disk for the next start. */
  async close(): Promise<void> {
    const m = this.#manager;
    const agent = this.#agent;
    this.#manager = undefined;
    this.#agent = undefined;
    this.#worker = false;
    // Task containers keep running; the next start adopts them.
    await agent?.stop();
    await m?.stop();
  }
}
