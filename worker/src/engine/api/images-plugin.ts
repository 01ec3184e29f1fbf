import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { Writable, type Readable } from 'node:stream';
import type { Logger } from '@shoal/common';
import type { ImageEngine } from './engine-deps.js';
import { apiErrors } from './api-errors.js';
import { parseFilters } from './filters-param.js';
import { openStream } from './stream-reply.js';

/** Options of {@link imagesPlugin}. */
export interface ImagesPluginOptions {
  images: ImageEngine;
  log: Logger;
}

const bool = { type: 'boolean' } as const;

/**
 * A Writable for `save` that opens the response (200, application/x-tar) only
 * on the first byte, so an error before any output (unknown image) is still
 * a plain error response with its status, as Docker does.
 */
function lazyTarResponse(reply: FastifyReply): { out: Writable; started: () => boolean } {
  let started = false;
  const res = reply.raw;
  const out = new Writable({
    write(chunk: Buffer, _enc, cb) {
      if (!started) {
        started = true;
        openStream(reply, 'application/x-tar');
      }
      if (res.destroyed) { cb(new Error('client went away')); return; }
      if (res.write(chunk)) cb();
      else res.once('drain', () => { cb(); });
    },
    final(cb) {
      if (!started) {
        started = true;
        openStream(reply, 'application/x-tar');
      }
      res.end(() => { cb(); });
    },
  });
  return { out, started: () => started };
}

/** Split the wildcard of `/images/*` into the image name and the action (`json`, `history`, `get`, `tag`, `push`). */
export function splitImagePath(rest: string, actions: readonly string[]): { name: string; action: string } | undefined {
  const slash = rest.lastIndexOf('/');
  if (slash <= 0) return undefined;
  const action = rest.slice(slash + 1);
  if (!actions.includes(action)) return undefined;
  return { name: decodeURIComponent(rest.slice(0, slash)), action };
}

/** The body of a tar upload, or a 400 when there is none. */
function tarBody(body: unknown, what: string): Readable {
  if (body === undefined || body === null || typeof (body as Readable).pipe !== 'function') {
    throw apiErrors.make('BAD_PARAMETER', `${what} needs a tar archive in the request body (Content-Type: application/x-tar)`);
  }
  return body as Readable;
}

/** /images/...: list, inspect, history, tag, remove, prune, import, load, save. */
export const imagesPlugin: FastifyPluginAsync<ImagesPluginOptions> = async (app, opts) => {
  const { images, log } = opts;
  const notFound = (reply: FastifyReply): FastifyReply => reply.status(404).send({ message: 'page not found' });
  // Image uploads (import, load) come as application/x-tar, or text/plain from the docker CLI's
  // `docker import`, or with no type at all: in this plugin every body is the raw request stream.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_req, payload, done) => { done(null, payload); });

  app.get<{ Querystring: { all?: boolean; filters?: string; 'shared-size'?: boolean; digests?: boolean } }>('/images/json', {
    schema: { querystring: { type: 'object', properties: { all: bool, filters: { type: 'string' }, 'shared-size': bool, digests: bool } } },
  }, async (request) => images.list({ all: request.query.all, filters: parseFilters(request.query.filters), digests: request.query.digests }));

  app.post<{
    Querystring: { fromImage?: string; fromSrc?: string; repo?: string; tag?: string; message?: string; changes?: string[]; platform?: string };
  }>('/images/create', {
    schema: {
      querystring: {
        type: 'object',
        properties: {
          fromImage: { type: 'string' }, fromSrc: { type: 'string' }, repo: { type: 'string' }, tag: { type: 'string' },
          message: { type: 'string' }, changes: { type: 'array', items: { type: 'string' } }, platform: { type: 'string' },
        },
      },
    },
  }, async (request, reply) => {
    const q = request.query;
    if (q.fromImage !== undefined && q.fromImage !== '') {
      const image = q.tag !== undefined && q.tag !== '' ? `${q.fromImage}:${q.tag}` : q.fromImage;
      const message = `shoal cannot pull ${image}: registry support is not implemented yet; load or import the image`;
      // Both shapes: `message` for the error path of Docker clients, `error`/`errorDetail` for JSON-progress readers.
      return reply.status(501).send({ message, error: message, errorDetail: { message } });
    }
    if (q.fromSrc === undefined || q.fromSrc === '') {
      throw apiErrors.make('BAD_PARAMETER', 'POST /images/create needs fromImage (pull) or fromSrc (import)');
    }
    if (q.fromSrc !== '-') {
      throw apiErrors.make('NOT_IMPLEMENTED', `shoal does not implement importing from a URL (${q.fromSrc}) yet; send the tar in the body with fromSrc=-`);
    }
    const tar = tarBody(request.body, 'POST /images/create?fromSrc=-');
    const id = await images.importRootfs(tar, {
      repo: q.repo === '' ? undefined : q.repo, tag: q.tag === '' ? undefined : q.tag,
      changes: q.changes, message: q.message, platform: q.platform,
    });
    return reply.type('application/json').send(`${JSON.stringify({ status: id })}\n`);
  });

  app.post<{ Querystring: { filters?: string } }>('/images/prune', {
    schema: { querystring: { type: 'object', properties: { filters: { type: 'string' } } } },
  }, async (request) => images.prune(parseFilters(request.query.filters)));

  app.post<{ Querystring: { quiet?: boolean } }>('/images/load', {
    schema: { querystring: { type: 'object', properties: { quiet: bool } } },
  }, async (request, reply) => {
    const messages = await images.load(tarBody(request.body, 'POST /images/load'));
    return reply.type('application/json').send(messages.map((m) => `${JSON.stringify(m)}\n`).join(''));
  });

  const save = async (names: string[], reply: FastifyReply): Promise<void> => {
    const { out, started } = lazyTarResponse(reply);
    try {
      await images.save(names, out);
      if (!out.writableEnded) await new Promise<void>((resolve, reject) => { out.end((err?: Error | null) => (err ? reject(err) : resolve())); });
    } catch (err) {
      if (!started()) throw err;
      log.warn({ err, names }, 'image save failed after the tar started');
      reply.raw.destroy();
    }
  };

  app.get<{ Querystring: { names?: string[] } }>('/images/get', {
    schema: { querystring: { type: 'object', properties: { names: { type: 'array', items: { type: 'string' } } } } },
  }, async (request, reply) => {
    const names = request.query.names ?? [];
    if (names.length === 0) throw apiErrors.make('BAD_PARAMETER', 'GET /images/get needs at least one names= parameter');
    await save(names, reply);
  });

  app.get<{ Params: { '*': string } }>('/images/*', async (request, reply) => {
    const target = splitImagePath(request.params['*'], ['json', 'history', 'get']);
    if (target === undefined) return notFound(reply);
    if (target.action === 'json') return images.inspect(target.name);
    if (target.action === 'history') return images.history(target.name);
    await save([target.name], reply);
    return reply;
  });

  app.post<{ Params: { '*': string }; Querystring: { repo?: string; tag?: string } }>('/images/*', {
    schema: { querystring: { type: 'object', properties: { repo: { type: 'string' }, tag: { type: 'string' } } } },
  }, async (request, reply) => {
    const target = splitImagePath(request.params['*'], ['tag', 'push']);
    if (target === undefined) return notFound(reply);
    if (target.action === 'push') throw apiErrors.make('NOT_IMPLEMENTED', 'shoal does not implement POST /images/{name}/push yet');
    const repo = request.query.repo;
    if (repo === undefined || repo === '') throw apiErrors.make('BAD_PARAMETER', 'repository name (repo) must have at least one component');
    await images.tag(target.name, repo, request.query.tag === '' ? undefined : request.query.tag);
    return reply.status(201).send();
  });

  app.delete<{ Params: { '*': string }; Querystring: { force?: boolean; noprune?: boolean } }>('/images/*', {
    schema: { querystring: { type: 'object', properties: { force: bool, noprune: bool } } },
  }, async (request) => {
    const name = decodeURIComponent(request.params['*']);
    return images.remove(name, { force: request.query.force, noprune: request.query.noprune });
  });
};
