/**
 * The Engine API's swarm calls that change or read services, tasks and
 * nodes, as one table: a route key (`POST /services/:id/update`) with its
 * path parameters, query and body gives a status and a body. The leader
 * runs them; a follower forwards them here on the leader over the cluster
 * port, so every manager answers them the same way (and writes happen
 * where Raft accepts them).
 */
import type { ControlCall } from '../cluster/server.js';
import { controlErrors } from './errors.js';
import type { NodeControl } from './nodes.js';
import type { Filters, ServiceControl } from './services.js';

/** Docker's filters query parameter (JSON; the legacy map form too), as the HTTP layer parsed it. */
export type FilterParser = (raw: string | undefined) => Filters;

const isTrue = (v: string | undefined): boolean => v !== undefined && ['1', 'true', 'True', 'TRUE'].includes(v);

function versionOf(q: Record<string, string | undefined>): number {
  const version = q.version === undefined ? Number.NaN : Number(q.version);
  if (!Number.isInteger(version)) throw controlErrors.make('INVALID_ARGUMENT', 'invalid version: the version query parameter must be the Version.Index of the object');
  return version;
}

/** The routes this table serves. */
export const CONTROL_ROUTES = [
  'GET /services', 'GET /services/:id', 'POST /services/create', 'POST /services/:id/update', 'DELETE /services/:id',
  'GET /tasks', 'GET /tasks/:id',
  'GET /nodes', 'GET /nodes/:id', 'POST /nodes/:id/update', 'DELETE /nodes/:id',
] as const;

/** The control routes over `services` and `nodes`; `filters` parses Docker's filters parameter. */
export function controlRouter(services: ServiceControl, nodes: NodeControl, filters: FilterParser): (call: ControlCall) => Promise<{ status: number; body: unknown }> {
  const ok = (body: unknown): { status: number; body: unknown } => ({ status: 200, body });
  return async ({ route, params, query, body }) => {
    const id = params.id ?? '';
    switch (route) {
      case 'GET /services': return ok(services.listServices(filters(query.filters), isTrue(query.status)));
      case 'GET /services/:id': return ok(services.getService(id));
      case 'POST /services/create': return { status: 201, body: await services.createService(body) };
      case 'POST /services/:id/update': return ok(await services.updateService(id, versionOf(query), body, { rollback: query.rollback }));
      case 'DELETE /services/:id': await services.removeService(id); return ok(undefined);
      case 'GET /tasks': return ok(services.listTasks(filters(query.filters)));
      case 'GET /tasks/:id': return ok(services.getTask(id));
      case 'GET /nodes': return ok(nodes.listNodes(filters(query.filters)));
      case 'GET /nodes/:id': return ok(nodes.getNode(id));
      case 'POST /nodes/:id/update': await nodes.updateNode(id, versionOf(query), body); return ok(undefined);
      case 'DELETE /nodes/:id': await nodes.removeNode(id, isTrue(query.force)); return ok(undefined);
      default: throw controlErrors.make('INVALID_ARGUMENT', `no control route ${route}`);
    }
  };
}
