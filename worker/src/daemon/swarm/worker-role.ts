/**
 * The worker role of a node, as the Engine API sees it: the Swarm section
 * of /info (not a manager, the managers it knows), `swarm leave`, and
 * Docker's refusal of every cluster endpoint on a worker.
 */
import type { FastifyRequest } from 'fastify';
import { swarmRouteKey, SWARM_ROUTES, type SwarmInfo, type SwarmRole, type SwarmRouteHandler } from '../../engine/api/swarm-role.js';
import { swarmErrors } from './errors.js';
import { ALREADY_IN_SWARM } from './manager-role.js';

/** Docker's sentence for cluster endpoints on a worker. */
export const WORKER_NOT_MANAGER = 'This node is not a swarm manager. Worker nodes can\'t be used to view or modify cluster state. Please run this command on a manager node or promote the current node to a manager.';

/** What the worker role shows. */
export interface WorkerView {
  nodeId: string;
  /** This node's address (host). */
  addr: string;
  /** The managers it knows (cluster addresses). */
  managers: () => string[];
}

/** The worker role; `leave` takes it down (Docker's `swarm leave` needs no --force on a worker). */
export function workerRole(w: WorkerView, leave: () => Promise<void>): SwarmRole {
  const refuse: SwarmRouteHandler = async () => {
    throw swarmErrors.make('NOT_MANAGER_NODE', WORKER_NOT_MANAGER);
  };
  const special = new Map<string, SwarmRouteHandler>([
    [swarmRouteKey('POST', '/swarm/init'), async () => { throw swarmErrors.make('ALREADY_ACTIVE', ALREADY_IN_SWARM); }],
    [swarmRouteKey('POST', '/swarm/join'), async () => { throw swarmErrors.make('ALREADY_ACTIVE', ALREADY_IN_SWARM); }],
    [swarmRouteKey('POST', '/swarm/leave'), async (_request: FastifyRequest, reply) => {
      await leave();
      return reply.code(200).send();
    }],
  ]);
  const routes = new Map(SWARM_ROUTES.map(([method, url]) => {
    const key = swarmRouteKey(method, url);
    return [key, special.get(key) ?? refuse] as const;
  }));
  return {
    info: (): SwarmInfo => ({
      NodeID: w.nodeId,
      NodeAddr: w.addr,
      LocalNodeState: 'active',
      ControlAvailable: false,
      Error: '',
      RemoteManagers: w.managers().map((Addr) => ({ NodeID: '', Addr })),
    }),
    handler: (key) => routes.get(key),
  };
}
