import { fastify, type FastifyInstance } from 'fastify';
import type { IncomingMessage } from 'node:http';
import { systemClock, type Clock, type Logger } from '@shoal/common';
import type { ContainerEngine, EventSource, ImageEngine, NetworkEngine, VolumeEngine } from './engine-deps.js';
import type { SystemInfo } from './system-facts.js';
import { SwarmSwitch, swarmPlugin } from './swarm-role.js';
import { MAX_API_VERSION, MIN_API_VERSION, splitApiVersion, type ApiVersionPrefix } from './api-version.js';
import { apiErrors } from './api-errors.js';
import { booleanKeys, normalizeDockerBooleans } from './docker-booleans.js';
import { installErrorHandler } from './error-handler.js';
import { installUpgradeRouting } from './hijack.js';
import { systemPlugin } from './system-plugin.js';
import { containersPlugin } from './containers-plugin.js';
import { execPlugin } from './exec-plugin.js';
import { imagesPlugin } from './images-plugin.js';
import { networksPlugin } from './networks-plugin.js';
import { volumesPlugin } from './volumes-plugin.js';
import { unimplementedPlugin } from './unimplemented-plugin.js';
import { dropJsonNulls } from './json-nulls.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The API version the client asked for in the path (`/v1.41/...`), or 1.44 when unversioned. */
    apiVersion: string;
  }
}

/** What the Engine API serves: the engine subsystems and host facts. */
export interface ApiDeps {
  containers: ContainerEngine;
  images: ImageEngine;
  networks: NetworkEngine;
  volumes: VolumeEngine;
  events: EventSource;
  system: SystemInfo;
  log: Logger;
  /** Default: the system clock. */
  clock?: Clock;
  /**
   * The role in force for the swarm endpoints and /info's Swarm section,
   * swapped at runtime by swarm init/join/leave. Default: an inactive node
   * without a swarm lifecycle.
   */
  swarm?: SwarmSwitch;
  /** Largest JSON body accepted, bytes. Default 16 MiB. */
  bodyLimit?: number;
}

const versionOf = new WeakMap<IncomingMessage, ApiVersionPrefix>();

/**
 * Build the Docker Engine API (v1.24 to v1.44) as a fastify instance that is
 * not listening: the daemon listens (unix socket, TCP), tests use `inject()`.
 */
export async function buildApp(deps: ApiDeps): Promise<FastifyInstance> {
  const clock = deps.clock ?? systemClock;
  const app = fastify({
    logger: false,
    exposeHeadRoutes: false,
    bodyLimit: deps.bodyLimit ?? 16 * 1024 * 1024,
    // Docker clients send `/v1.44/containers/json`; route on the rest and remember the version.
    rewriteUrl(req) {
      const split = splitApiVersion(req.url ?? '/');
      versionOf.set(req, split);
      return split.path;
    },
  });
  app.decorateRequest('apiVersion', '');

  app.addHook('onRequest', async (request, reply) => {
    const split = versionOf.get(request.raw);
    request.apiVersion = split?.version ?? MAX_API_VERSION;
    void reply.headers({
      'Api-Version': MAX_API_VERSION,
      'Docker-Experimental': String(deps.system.facts.experimental),
      Ostype: 'linux',
      Server: `shoal/${deps.system.facts.version} (linux)`,
    });
    if (split?.outOfRange === 'too-new') {
      throw apiErrors.make('VERSION_TOO_NEW', `client version ${split.version} is too new. Maximum supported API version is ${MAX_API_VERSION}`);
    }
    if (split?.outOfRange === 'too-old') {
      throw apiErrors.make('VERSION_TOO_OLD', `client version ${split.version} is too old. Minimum supported API version is ${MIN_API_VERSION}, please upgrade your client to a newer version`);
    }
  });

  // Docker's query booleans (1/0/true/false...) before schema validation.
  app.addHook('preValidation', async (request) => {
    const keys = booleanKeys(request.routeOptions.schema?.querystring);
    if (keys.length > 0) normalizeDockerBooleans(request.query as Record<string, unknown>, keys);
  });

  app.addHook('onResponse', async (request, reply) => {
    deps.log.debug({ method: request.method, url: request.url, status: reply.statusCode, ms: Math.round(reply.elapsedTime) }, 'request');
  });

  // Docker clients parse error bodies only when the type is exactly `application/json` (no charset).
  app.addHook('onSend', async (_request, reply, payload) => {
    const ct = reply.getHeader('content-type');
    if (typeof ct === 'string' && ct.startsWith('application/json;')) reply.header('content-type', 'application/json');
    return payload;
  });

  // Docker tolerates an empty body whatever its type (Go clients send `text/plain` with no body on
  // bodiless POSTs); fastify would answer 400 for an empty JSON body or hand '' to a body schema.
  app.removeContentTypeParser(['application/json', 'text/plain']);
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    const text = (body as string).trim();
    if (text === '') { done(null, undefined); return; }
    try {
      // JSON null = absent, as Go decodes Docker's bodies (json-nulls.ts).
      done(null, dropJsonNulls(JSON.parse(text)));
    } catch (err) {
      done(apiErrors.make('BAD_PARAMETER', `invalid JSON body: ${(err as Error).message}`, { cause: err }), undefined);
    }
  });
  app.addContentTypeParser('text/plain', { parseAs: 'string' }, (_req, body, done) => {
    done(null, (body as string) === '' ? undefined : body);
  });

  installErrorHandler(app, deps.log);
  installUpgradeRouting(app);

  const swarm = deps.swarm ?? new SwarmSwitch();
  await app.register(systemPlugin, {
    containers: deps.containers, images: deps.images, volumes: deps.volumes, events: deps.events, system: deps.system, clock, log: deps.log, swarm,
  });
  await app.register(containersPlugin, { containers: deps.containers, log: deps.log });
  await app.register(execPlugin, { containers: deps.containers, log: deps.log });
  await app.register(imagesPlugin, { images: deps.images, log: deps.log });
  await app.register(networksPlugin, { networks: deps.networks, containers: deps.containers, clock });
  await app.register(volumesPlugin, { volumes: deps.volumes });
  await app.register(swarmPlugin, { swarm });
  await app.register(unimplementedPlugin);
  return app;
}
