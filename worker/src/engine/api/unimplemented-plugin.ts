import type { FastifyPluginAsync, HTTPMethods } from 'fastify';
import { apiErrors } from './api-errors.js';

/** Docker endpoints shoal does not serve yet: [method, fastify path, endpoint as Docker names it]. */
const NOT_IMPLEMENTED: ReadonlyArray<readonly [HTTPMethods, string, string]> = [
  ['GET', '/containers/:id/changes', 'GET /containers/{id}/changes'],
  ['GET', '/containers/:id/export', 'GET /containers/{id}/export'],
  ['GET', '/containers/:id/archive', 'GET /containers/{id}/archive'],
  ['HEAD', '/containers/:id/archive', 'HEAD /containers/{id}/archive'],
  ['PUT', '/containers/:id/archive', 'PUT /containers/{id}/archive'],
  ['POST', '/build', 'POST /build'],
  ['POST', '/build/prune', 'POST /build/prune'],
  ['POST', '/build/cancel', 'POST /build/cancel'],
  ['POST', '/commit', 'POST /commit'],
  ['GET', '/images/search', 'GET /images/search'],
  ['POST', '/auth', 'POST /auth'],
  ['PUT', '/volumes/:name', 'PUT /volumes/{name} (cluster volumes)'],
  ['GET', '/plugins', 'GET /plugins'],
  ['GET', '/plugins/privileges', 'GET /plugins/privileges'],
  ['POST', '/plugins/pull', 'POST /plugins/pull'],
  ['POST', '/plugins/create', 'POST /plugins/create'],
  ['POST', '/plugins/*', 'the plugins API'],
  ['DELETE', '/plugins/*', 'the plugins API'],
  ['GET', '/distribution/*', 'GET /distribution/{name}/json'],
  ['POST', '/session', 'POST /session'],
  ['POST', '/grpc', 'POST /grpc'],
];

/** Routes for the parts of Docker's API that shoal does not serve (yet): never a silent success. */
export const unimplementedPlugin: FastifyPluginAsync = async (app) => {
  for (const [method, url, name] of NOT_IMPLEMENTED) {
    app.route({
      method, url,
      handler: async () => { throw apiErrors.make('NOT_IMPLEMENTED', `shoal does not implement ${name} yet`); },
    });
  }
  // No plugin can exist (installing one is a 501), so a lookup by name is a truthful 404:
  // `docker inspect NAME` tries every object type and stops at anything but a 404.
  app.get<{ Params: { '*': string } }>('/plugins/*', async (request) => {
    const name = request.params['*'].replace(/\/json$/, '');
    throw apiErrors.make('NO_SUCH_OBJECT', `plugin "${name}" not found`);
  });
};
