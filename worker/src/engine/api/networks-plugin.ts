import type { FastifyPluginAsync } from 'fastify';
import type { NetworkEngine } from './engine-deps.js';
import { parseFilters } from './filters-param.js';

/** Options of {@link networksPlugin}. */
export interface NetworksPluginOptions {
  networks: NetworkEngine;
}

/** GET /networks and GET /networks/{id}; create/remove/connect answer 501 (unimplemented plugin). */
export const networksPlugin: FastifyPluginAsync<NetworksPluginOptions> = async (app, opts) => {
  app.get<{ Querystring: { filters?: string } }>('/networks', {
    schema: { querystring: { type: 'object', properties: { filters: { type: 'string' } } } },
  }, async (request) => opts.networks.list(parseFilters(request.query.filters)));

  app.get<{ Params: { id: string }; Querystring: { verbose?: boolean; scope?: string } }>('/networks/:id', {
    schema: {
      params: { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1 } } },
      querystring: { type: 'object', properties: { verbose: { type: 'boolean' }, scope: { type: 'string' } } },
    },
  }, async (request) => opts.networks.inspect(request.params.id));
};
