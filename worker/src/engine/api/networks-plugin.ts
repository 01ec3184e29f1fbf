import type { FastifyPluginAsync } from 'fastify';
import type { EndpointSettings } from '@shoal/common';
import type { ContainerEngine, NetworkEngine } from './engine-deps.js';
import { parseFilters } from './filters-param.js';
import { parseUntil } from '../containers/list-filters.js';

/** Options of {@link networksPlugin}. */
export interface NetworksPluginOptions {
  networks: NetworkEngine;
  /** `network connect/disconnect` change a container. */
  containers: Pick<ContainerEngine, 'connectNetwork' | 'disconnectNetwork'>;
  clock: { now(): number };
}

const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1 } } } as const;
const stringMap = { type: ['object', 'null'], additionalProperties: { type: 'string' } } as const;

/** GET/POST/DELETE /networks...: list, inspect, create, remove, prune, connect, disconnect. */
export const networksPlugin: FastifyPluginAsync<NetworksPluginOptions> = async (app, opts) => {
  app.get<{ Querystring: { filters?: string } }>('/networks', {
    schema: { querystring: { type: 'object', properties: { filters: { type: 'string' } } } },
  }, async (request) => opts.networks.list(parseFilters(request.query.filters)));

  app.get<{ Params: { id: string }; Querystring: { verbose?: boolean; scope?: string } }>('/networks/:id', {
    schema: { params: idParams, querystring: { type: 'object', properties: { verbose: { type: 'boolean' }, scope: { type: 'string' } } } },
  }, async (request) => opts.networks.inspect(request.params.id));

  app.post<{ Body: Parameters<NetworkEngine['create']>[0] }>('/networks/create', {
    schema: {
      body: {
        type: 'object',
        required: ['Name'],
        properties: {
          Name: { type: 'string' }, Driver: { type: ['string', 'null'] }, Scope: { type: ['string', 'null'] },
          Internal: { type: ['boolean', 'null'] }, Attachable: { type: ['boolean', 'null'] }, Ingress: { type: ['boolean', 'null'] },
          EnableIPv6: { type: ['boolean', 'null'] }, ConfigOnly: { type: ['boolean', 'null'] }, CheckDuplicate: { type: ['boolean', 'null'] },
          Options: stringMap, Labels: stringMap,
          IPAM: {
            type: ['object', 'null'],
            properties: {
              Driver: { type: ['string', 'null'] }, Options: stringMap,
              Config: { type: ['array', 'null'], items: { type: 'object', properties: { Subnet: { type: 'string' }, Gateway: { type: 'string' }, IPRange: { type: 'string' }, AuxiliaryAddresses: stringMap } } },
            },
          },
        },
      },
    },
  }, async (request, reply) => reply.code(201).send(await opts.networks.create(request.body)));

  app.delete<{ Params: { id: string } }>('/networks/:id', { schema: { params: idParams } }, async (request, reply) => {
    await opts.networks.remove(request.params.id);
    return reply.code(204).send();
  });

  app.post<{ Querystring: { filters?: string } }>('/networks/prune', {
    schema: { querystring: { type: 'object', properties: { filters: { type: 'string' } } } },
  }, async (request) => {
    const { until, ...filters } = parseFilters(request.query.filters) ?? {};
    const untilMs = until?.[0] !== undefined ? parseUntil(until[0], opts.clock.now()) : undefined;
    const r = await opts.networks.prune(filters, untilMs);
    // Docker answers null when nothing was removed.
    return { NetworksDeleted: r.NetworksDeleted.length > 0 ? r.NetworksDeleted : null };
  });

  app.post<{ Params: { id: string }; Body: { Container: string; EndpointConfig?: EndpointSettings | null } }>('/networks/:id/connect', {
    schema: {
      params: idParams,
      body: { type: 'object', required: ['Container'], properties: { Container: { type: 'string', minLength: 1 }, EndpointConfig: { type: ['object', 'null'] } } },
    },
  }, async (request, reply) => {
    await opts.containers.connectNetwork(request.body.Container, request.params.id, request.body.EndpointConfig ?? {});
    return reply.code(200).send();
  });

  app.post<{ Params: { id: string }; Body: { Container: string; Force?: boolean } }>('/networks/:id/disconnect', {
    schema: {
      params: idParams,
      body: { type: 'object', required: ['Container'], properties: { Container: { type: 'string', minLength: 1 }, Force: { type: ['boolean', 'null'] } } },
    },
  }, async (request, reply) => {
    await opts.containers.disconnectNetwork(request.body.Container, request.params.id);
    return reply.code(200).send();
  });
};
