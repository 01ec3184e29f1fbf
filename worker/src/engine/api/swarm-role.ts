import type { FastifyPluginAsync, FastifyReply, FastifyRequest, HTTPMethods } from 'fastify';
import { apiErrors } from './api-errors.js';

/** The Swarm section of /info (Docker's swarm.Info, the fields clients read). */
export interface SwarmInfo {
  NodeID: string;
  NodeAddr: string;
  LocalNodeState: 'inactive' | 'pending' | 'active' | 'error' | 'locked';
  ControlAvailable: boolean;
  Error: string;
  RemoteManagers: Array<{ NodeID: string; Addr: string }> | null;
  [k: string]: unknown;
}

/** Answers one swarm endpoint (Fastify's request and reply; the body is parsed JSON). */
export type SwarmRouteHandler = (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>;

/**
 * Every swarm endpoint, as Fastify paths (unversioned). They are always
 * registered; each request goes to the role installed at that moment.
 */
export const SWARM_ROUTES: ReadonlyArray<readonly [HTTPMethods, string]> = [
  ['GET', '/swarm'], ['POST', '/swarm/init'], ['POST', '/swarm/join'], ['POST', '/swarm/leave'], ['POST', '/swarm/update'],
  ['GET', '/swarm/unlockkey'], ['POST', '/swarm/unlock'],
  ['GET', '/nodes'], ['GET', '/nodes/:id'], ['DELETE', '/nodes/:id'], ['POST', '/nodes/:id/update'],
  ['GET', '/services'], ['POST', '/services/create'], ['GET', '/services/:id'], ['DELETE', '/services/:id'],
  ['POST', '/services/:id/update'], ['GET', '/services/:id/logs'],
  ['GET', '/tasks'], ['GET', '/tasks/:id'], ['GET', '/tasks/:id/logs'],
  ['GET', '/secrets'], ['POST', '/secrets/create'], ['GET', '/secrets/:id'], ['DELETE', '/secrets/:id'], ['POST', '/secrets/:id/update'],
  ['GET', '/configs'], ['POST', '/configs/create'], ['GET', '/configs/:id'], ['DELETE', '/configs/:id'], ['POST', '/configs/:id/update'],
];

/** The key of a swarm route: `METHOD /fastify/path`, e.g. `GET /nodes/:id`. */
export function swarmRouteKey(method: string, url: string): string {
  return `${method} ${url}`;
}

/**
 * The node's part in a swarm, swapped while shoald runs: the inactive role
 * at start, a manager or worker role after `swarm init` / `swarm join`,
 * the inactive one again after `swarm leave` (manager/ implements the
 * active roles; the engine only routes to them).
 */
export interface SwarmRole {
  /** Read on every /info and /_ping. */
  info(): SwarmInfo;
  /** The handler of a route (key from {@link swarmRouteKey}); undefined: not served by this role (501). */
  handler(key: string): SwarmRouteHandler | undefined;
}

/** Creates the roles of `swarm init` and `swarm join` (given by the daemon once manager/ provides them). */
export interface SwarmLifecycle {
  /** Initialises a swarm with this node as its first manager; resolves with the node id once the role is installed. */
  init(request: FastifyRequest): Promise<string>;
  /** Joins a swarm; resolves once the role is installed. */
  join(request: FastifyRequest): Promise<void>;
}

/** Holds the role in force; every swarm route and /info read it per request. */
export class SwarmSwitch {
  #role: SwarmRole;
  readonly #inactive: SwarmRole;

  constructor(lifecycle?: SwarmLifecycle) {
    this.#inactive = inactiveRole(lifecycle);
    this.#role = this.#inactive;
  }

  get role(): SwarmRole {
    return this.#role;
  }

  /** Installs an active role (after init or join). */
  install(role: SwarmRole): void {
    this.#role = role;
  }

  /** Back to the inactive role (after leave). */
  leave(): void {
    this.#role = this.#inactive;
  }
}

/** Docker's message for swarm endpoints on a node outside a swarm. */
export const NOT_SWARM_MANAGER_MESSAGE =
  'This node is not a swarm manager. Use "docker swarm init" or "docker swarm join" to connect this node to swarm and try again.';

/**
 * A node outside any swarm, answering as an inactive Docker node does: 503
 * with Docker's sentence (the docker CLI prints it as is), `leave` refused,
 * `init` and `join` through the lifecycle when there is one (501 until then).
 */
export function inactiveRole(lifecycle?: SwarmLifecycle): SwarmRole {
  const notManager: SwarmRouteHandler = async () => {
    throw apiErrors.make('NOT_SWARM_MANAGER', NOT_SWARM_MANAGER_MESSAGE);
  };
  const special = new Map<string, SwarmRouteHandler>([
    [swarmRouteKey('POST', '/swarm/leave'), async () => {
      throw apiErrors.make('NOT_IN_SWARM', 'This node is not part of a swarm');
    }],
    [swarmRouteKey('POST', '/swarm/init'), async (request, reply) => {
      if (lifecycle === undefined) throw apiErrors.make('NOT_IMPLEMENTED', 'shoal does not implement POST /swarm/init yet');
      // Docker answers the new node id as a JSON string.
      return reply.type('application/json').send(JSON.stringify(await lifecycle.init(request)));
    }],
    [swarmRouteKey('POST', '/swarm/join'), async (request, reply) => {
      if (lifecycle === undefined) throw apiErrors.make('NOT_IMPLEMENTED', 'shoal does not implement POST /swarm/join yet');
      await lifecycle.join(request);
      return reply.code(200).send();
    }],
  ]);
  return {
    info: () => INACTIVE_SWARM,
    handler: (key) => special.get(key) ?? notManager,
  };
}

/** /info's Swarm section of a node outside any swarm. */
export const INACTIVE_SWARM: SwarmInfo = {
  NodeID: '', NodeAddr: '', LocalNodeState: 'inactive', ControlAvailable: false, Error: '', RemoteManagers: null,
};

/** Docker's `Swarm` header of /_ping: inactive, pending, error, locked, active/worker or active/manager. */
export function swarmPingHeader(info: SwarmInfo): string {
  if (info.LocalNodeState !== 'active') return info.LocalNodeState;
  return info.ControlAvailable ? 'active/manager' : 'active/worker';
}

/** Registers every swarm route; each request is answered by the role installed at that moment. */
export const swarmPlugin: FastifyPluginAsync<{ swarm: SwarmSwitch }> = async (app, opts) => {
  for (const [method, url] of SWARM_ROUTES) {
    const key = swarmRouteKey(method, url);
    app.route({
      method,
      url,
      handler: async (request, reply) => {
        const handler = opts.swarm.role.handler(key);
        if (handler === undefined) throw apiErrors.make('NOT_IMPLEMENTED', `shoal does not implement ${method} ${url} yet`);
        return handler(request, reply);
      },
    });
  }
};
