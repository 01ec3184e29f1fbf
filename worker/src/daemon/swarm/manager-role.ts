/**
 * The manager role of a node, as the Engine API sees it: the Swarm section
 * of /info, GET /swarm, the nodes, services and tasks (run by the leader:
 * here, or forwarded to it), and `swarm leave`. Routes the role does not
 * serve yet answer 501 naming the endpoint (secrets, configs, service
 * logs, swarm update).
 */
import { CONTROL_ROUTES, type RunningManager, type StoredObject } from '@shoal/manager';
import { apiErrors } from '../../engine/api/api-errors.js';
import { toDockerBoolean } from '../../engine/api/docker-booleans.js';
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
  const managers = (): StoredObject[] => m.store.view((tx) => tx.find('nodes', 'role', 'manager'));
  // Services, tasks and nodes: run by the leader (here when this manager leads, else forwarded to it).
  const control = (route: string): SwarmRouteHandler => async (request, reply) => {
    const out = await m.call({
      route, params: (request.params ?? {}) as Record<string, string>,
      query: (request.query ?? {}) as Record<string, string | undefined>, body: request.body,
    });
    if (out.body === undefined) return reply.code(out.status).send();
    return reply.code(out.status).type('application/json').send(JSON.stringify(out.body));
  };
  const routes = new Map<string, SwarmRouteHandler>([
    [swarmRouteKey('GET', '/swarm'), async () => swarmView(cluster())],
    ...CONTROL_ROUTES.map((route) => [route, control(route)] as const),
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
      const all = m.store.view((tx) => tx.list('nodes'));
      const { JoinTokens: _tokens, ...clusterInfo } = swarmView(cluster());
      return {
        NodeID: m.nodeId,
        NodeAddr: ((me?.Status ?? {}) as { Addr?: string }).Addr ?? '',
        LocalNodeState: 'active',
        ControlAvailable: true,
        Error: '',
        RemoteManagers: managers().map((n) => ({ NodeID: n.ID, Addr: (n.ManagerStatus as { Addr?: string } | undefined)?.Addr ?? '' })),
        Nodes: all.length,
        Managers: managers().length,
        Cluster: clusterInfo,
      };
    },
    handler: (key) => routes.get(key),
  };
}
