/**
 * The manager role of a node, as the Engine API sees it: the Swarm section
 * of /info, GET /swarm, the nodes, services and tasks, and `swarm leave`.
 * Routes the role does not serve yet answer 501 naming the endpoint
 * (secrets, configs, service logs, node update and removal).
 */
import type { FastifyRequest } from 'fastify';
import type { RunningManager, StoredObject } from '@shoal/manager';
import { apiErrors } from '../../engine/api/api-errors.js';
import { toDockerBoolean } from '../../engine/api/docker-booleans.js';
import { parseFilters } from '../../engine/api/filters-param.js';
import { swarmErrors } from './errors.js';
import { swarmRouteKey, type SwarmInfo, type SwarmRole, type SwarmRouteHandler } from '../../engine/api/swarm-role.js';

/** Docker's sentence for `swarm init` / `join` on a node in a swarm. */
export const ALREADY_IN_SWARM = 'This node is already part of a swarm. Use "docker swarm leave" to leave this swarm and join another one.';
/** Docker's sentence for `swarm leave` (without --force) on the last manager. */
export const LAST_MANAGER_LEAVE = 'You are attempting to leave the swarm on a node that is participating as a manager. Removing the last manager erases all current state of the swarm. Use `--force` to ignore this message.';

type Loose = Record<string, unknown>;

/** Docker's Swarm object (GET /swarm) from the stored cluster: the root key never leaves the store. */
export function swarmView(cluster: StoredObject): Loose {
  const { RootCA: _rootCA, ...rest } = cluster as Loose;
  return { ...rest, TLSInfo: { CertIssuerSubject: '', CertIssuerPublicKey: '', ...(cluster.TLSInfo as Loose | undefined) } };
}

/** The manager role of `m`; `leave` is how the daemon takes it down (stop, forget the swarm, go back to inactive). */
export function managerRole(m: RunningManager, leave: () => Promise<void>): SwarmRole {
  const cluster = (): StoredObject => {
    const c = m.store.view((tx) => tx.get('clusters', m.clusterId));
    if (c === undefined) throw apiErrors.make('NOT_SWARM_MANAGER', 'the swarm\'s cluster object is missing');
    return c;
  };
  const self = (): StoredObject | undefined => m.store.view((tx) => tx.get('nodes', m.nodeId));
  const id = (request: FastifyRequest): string => (request.params as { id: string }).id;
  const query = (request: FastifyRequest): Record<string, string | undefined> => request.query as Record<string, string | undefined>;
  const versionOf = (request: FastifyRequest): number => {
    const raw = query(request).version;
    const version = raw === undefined ? Number.NaN : Number(raw);
    if (!Number.isInteger(version)) throw apiErrors.make('BAD_PARAMETER', 'invalid version: the version query parameter must be the Version.Index of the object');
    return version;
  };
  const routes = new Map<string, SwarmRouteHandler>([
    [swarmRouteKey('GET', '/swarm'), async () => swarmView(cluster())],
    [swarmRouteKey('GET', '/nodes'), async (request) => m.nodes.listNodes(parseFilters(query(request).filters))],
    [swarmRouteKey('GET', '/nodes/:id'), async (request) => m.nodes.getNode(id(request))],
    [swarmRouteKey('POST', '/nodes/:id/update'), async (request) => {
      await m.nodes.updateNode(id(request), versionOf(request), request.body);
      return {};
    }],
    [swarmRouteKey('DELETE', '/nodes/:id'), async (request) => {
      await m.nodes.removeNode(id(request), toDockerBoolean(query(request).force) === true);
      return {};
    }],
    [swarmRouteKey('GET', '/services'), async (request) => m.control.listServices(parseFilters(query(request).filters), toDockerBoolean(query(request).status) === true)],
    [swarmRouteKey('GET', '/services/:id'), async (request) => m.control.getService(id(request))],
    [swarmRouteKey('POST', '/services/create'), async (request, reply) => reply.code(201).send(await m.control.createService(request.body))],
    [swarmRouteKey('POST', '/services/:id/update'), async (request) => m.control.updateService(id(request), versionOf(request), request.body, { rollback: query(request).rollback })],
    [swarmRouteKey('DELETE', '/services/:id'), async (request, reply) => {
      await m.control.removeService(id(request));
      return reply.code(200).send();
    }],
    [swarmRouteKey('GET', '/tasks'), async (request) => m.control.listTasks(parseFilters(query(request).filters))],
    [swarmRouteKey('GET', '/tasks/:id'), async (request) => m.control.getTask(id(request))],
    [swarmRouteKey('POST', '/swarm/init'), async () => { throw swarmErrors.make('ALREADY_ACTIVE', ALREADY_IN_SWARM); }],
    [swarmRouteKey('POST', '/swarm/join'), async () => { throw swarmErrors.make('ALREADY_ACTIVE', ALREADY_IN_SWARM); }],
    [swarmRouteKey('POST', '/swarm/leave'), async (request, reply) => {
      const force = toDockerBoolean((request.query as { force?: unknown }).force) === true;
      if (!force) throw swarmErrors.make('ALREADY_ACTIVE', LAST_MANAGER_LEAVE);
      await leave();
      return reply.code(200).send();
    }],
  ]);
  return {
    info: (): SwarmInfo => {
      const me = self();
      const managerStatus = (me?.ManagerStatus ?? {}) as { Addr?: string };
      const addr = managerStatus.Addr ?? '';
      const all = m.store.view((tx) => tx.list('nodes'));
      const { JoinTokens: _tokens, ...clusterInfo } = swarmView(cluster());
      return {
        NodeID: m.nodeId,
        NodeAddr: ((me?.Status ?? {}) as { Addr?: string }).Addr ?? '',
        LocalNodeState: 'active',
        ControlAvailable: true,
        Error: '',
        RemoteManagers: [{ NodeID: m.nodeId, Addr: addr }],
        Nodes: all.length,
        Managers: m.store.view((tx) => tx.find('nodes', 'role', 'manager').length),
        Cluster: clusterInfo,
      };
    },
    handler: (key) => routes.get(key),
  };
}
