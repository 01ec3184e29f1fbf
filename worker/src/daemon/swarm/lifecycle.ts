/**
 * `swarm init` on a running shoald, and the swarm it was in after a
 * restart: makes or reopens the manager (manager/'s initSwarm and
 * openManager, state under `<data-root>/swarm`) and installs its role in
 * the API's SwarmSwitch; `leave --force` stops it, forgets the swarm and
 * goes back to the inactive role. While in a swarm, the node's agent runs
 * its tasks. `swarm join` is not served yet (501).
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { FastifyRequest } from 'fastify';
import { runToolJson, type Clock, type Logger } from '@shoal/common';
import { initSwarm, openManager, removeManagerState, type RunningManager } from '@shoal/manager';
import { Agent, type AgentEngine } from '../../agent/agent.js';
import { apiErrors } from '../../engine/api/api-errors.js';
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
  /** An init in progress: a second one at the same time is refused, not run twice on one directory. */
  #initializing = false;

  constructor(o: SwarmHostOptions) {
    this.#o = o;
    this.#dir = join(o.dataRoot, 'swarm');
  }

  /** At daemon start: back into the swarm this node was in, if any. */
  async open(): Promise<void> {
    const m = await openManager(this.#dir, this.#o.clock, this.#o.log);
    if (m !== undefined) this.#install(m);
  }

  #install(m: RunningManager): void {
    this.#manager = m;
    this.#o.swarm.install(managerRole(m, () => this.#leave()));
    // The node's own tasks: this manager's dispatcher, in-process.
    this.#agent = new Agent({ nodeId: m.nodeId, dispatcher: m.dispatcher, engine: this.#o.engine, log: this.#o.log.child({ part: 'agent' }), now: () => this.#o.clock.now() });
    this.#agent.start();
    this.#o.log.info({ nodeId: m.nodeId, clusterId: m.clusterId }, 'swarm manager running');
  }

  async #leave(): Promise<void> {
    const m = this.#manager;
    const agent = this.#agent;
    this.#manager = undefined;
    this.#agent = undefined;
    this.#o.swarm.leave();
    // Leaving ends this node's tasks, as Docker's leave does.
    await agent?.stop({ removeContainers: true });
    await m?.stop();
    await removeManagerState(this.#dir);
    this.#o.log.info('left the swarm');
  }

  async init(request: FastifyRequest): Promise<string> {
    if (this.#manager !== undefined || this.#initializing) throw swarmErrors.make('ALREADY_ACTIVE', ALREADY_IN_SWARM);
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
    const f = this.#o.facts;
    const m = await initSwarm({
      dir: this.#dir, clock: this.#o.clock, random: (n) => new Uint8Array(randomBytes(n)),
      description: {
        Hostname: f.name, Platform: { Architecture: f.architecture, OS: 'linux' },
        Resources: { NanoCPUs: f.ncpu * 1e9, MemoryBytes: f.memTotal }, Engine: { EngineVersion: f.version },
      },
      advertiseAddr: withPort(host),
      taskHistoryLimit: spec.Orchestration?.TaskHistoryRetentionLimit ?? undefined,
      dispatcherHeartbeatMs: ns(spec.Dispatcher?.HeartbeatPeriod),
      certExpiryMs: ns(spec.CAConfig?.NodeCertExpiry),
      log: this.#o.log,
    }).catch(async (e: unknown) => {
      await removeManagerState(this.#dir);
      throw e;
    });
    this.#install(m);
    return m.nodeId;
  }

  async join(): Promise<void> {
    throw apiErrors.make('NOT_IMPLEMENTED', 'shoal does not implement POST /swarm/join yet');
  }

  /** Daemon stop: the manager stops; the swarm stays on disk for the next start. */
  async close(): Promise<void> {
    const m = this.#manager;
    const agent = this.#agent;
    this.#manager = undefined;
    this.#agent = undefined;
    // Task containers keep running; the next start adopts them.
    await agent?.stop();
    await m?.stop();
  }
}
