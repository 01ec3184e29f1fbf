import type { FastifyPluginAsync } from 'fastify';
import type { VolumeCreateBody } from '@shoal/common';
import type { VolumeEngine } from './engine-deps.js';
import { parseFilters } from './filters-param.js';
import { compareApiVersions } from './api-version.js';

/** Options of {@link volumesPlugin}. */
export interface VolumesPluginOptions {
  volumes: VolumeEngine;
}

const nameParams = { type: 'object', required: ['name'], properties: { name: { type: 'string', minLength: 1 } } } as const;
const filtersQuery = { type: 'object', properties: { filters: { type: 'string' } } } as const;
const stringMap = { type: 'object', additionalProperties: { type: 'string' } } as const;

/** GET/POST /volumes...: the volume store (PUT /volumes/{name}, cluster volumes, stays 501). */
export const volumesPlugin: FastifyPluginAsync<VolumesPluginOptions> = async (app, opts) => {
  app.get<{ Querystring: { filters?: string } }>('/volumes', { schema: { querystring: filtersQuery } },
    async (request) => opts.volumes.list(parseFilters(request.query.filters)));

  app.post<{ Body: VolumeCreateBody | undefined }>('/volumes/create', {
    schema: {
      body: {
        type: 'object',
        properties: { Name: { type: 'string' }, Driver: { type: 'string' }, DriverOpts: stringMap, Labels: stringMap, ClusterVolumeSpec: { type: 'object' } },
      },
    },
  }, async (request, reply) => {
    const b = request.body ?? {};
    const v = await opts.volumes.create({ Name: b.Name, Driver: b.Driver, DriverOpts: b.DriverOpts, Labels: b.Labels });
    return reply.code(201).send(v);
  });

  app.post<{ Querystring: { filters?: string } }>('/volumes/prune', { schema: { querystring: filtersQuery } }, async (request) => {
    // Before API 1.42 a prune removed named volumes too; since, only anonymous ones unless all=true.
    return opts.volumes.prune(parseFilters(request.query.filters), compareApiVersions(request.apiVersion, '1.42') < 0);
  });

  app.get<{ Params: { name: string } }>('/volumes/:name', { schema: { params: nameParams } },
    async (request) => opts.volumes.inspect(request.params.name));

  app.delete<{ Params: { name: string }; Querystring: { force?: boolean } }>('/volumes/:name', {
    schema: { params: nameParams, querystring: { type: 'object', properties: { force: { type: 'boolean' } } } },
  }, async (request, reply) => {
    await opts.volumes.remove(request.params.name, { force: request.query.force });
    return reply.code(204).send();
  });
};
