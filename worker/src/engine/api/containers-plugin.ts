import type { FastifyPluginAsync } from 'fastify';
import { WebSocketServer, createWebSocketStream, type WebSocket } from 'ws';
import type { ContainerCreateBody, ContainerStats, ContainerUpdateBody, Logger } from '@shoal/common';
import type { AttachOptions, ContainerEngine, LogsOptions } from './engine-deps.js';
import { apiErrors } from './api-errors.js';
import { compareApiVersions } from './api-version.js';
import { parseFilters } from './filters-param.js';
import { hijackRawStream, stdioContentType, upgradeHead, wantsUpgrade, writeStreamError } from './hijack.js';
import { abortOnDisconnect, jsonLines, openStream, writeStream } from './stream-reply.js';
import { containerCreateBodySchema, containerUpdateBodySchema } from './container-schemas.js';

/** Options of {@link containersPlugin}. */
export interface ContainersPluginOptions {
  containers: ContainerEngine;
  log: Logger;
}

const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1 } } } as const;
const bool = { type: 'boolean' } as const;
const stopQuery = { type: 'object', properties: { t: { type: 'integer' }, signal: { type: 'string' } } } as const;
const attachQuery = {
  type: 'object',
  properties: { detachKeys: { type: 'string' }, logs: bool, stream: bool, stdin: bool, stdout: bool, stderr: bool },
} as const;

type IdParams = { id: string };
type AttachQuery = { detachKeys?: string; logs?: boolean; stream?: boolean; stdin?: boolean; stdout?: boolean; stderr?: boolean };

/** Docker's strslice: a bare string is a one-element list. */
function strslice(v: unknown): string[] | null | undefined {
  return typeof v === 'string' ? [v] : (v as string[] | null | undefined);
}

/** Parse Docker's `since`/`until` of /logs: unix seconds, optionally fractional. */
function logTime(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined || raw === '' || raw === '0') return undefined;
  if (!/^\d+(\.\d+)?$/.test(raw)) throw apiErrors.make('BAD_PARAMETER', `invalid value for ${name}: "${raw}" (unix seconds expected)`);
  return Number(raw);
}

function attachOptions(q: AttachQuery): AttachOptions {
  return { detachKeys: q.detachKeys, logs: q.logs, stream: q.stream, stdin: q.stdin, stdout: q.stdout, stderr: q.stderr };
}

/** /containers/...: lifecycle, inspect, logs, stats, attach, wait. */
export const containersPlugin: FastifyPluginAsync<ContainersPluginOptions> = async (app, opts) => {
  const { containers, log } = opts;
  const wss = new WebSocketServer({ noServer: true });
  app.addHook('onClose', async () => { wss.close(); });

  app.get<{ Querystring: { all?: boolean; limit?: number; size?: boolean; filters?: string } }>('/containers/json', {
    schema: { querystring: { type: 'object', properties: { all: bool, limit: { type: 'integer' }, size: bool, filters: { type: 'string' } } } },
  }, async (request) => {
    const q = request.query;
    const filters = parseFilters(q.filters);
    return containers.list({ all: q.all, limit: q.limit !== undefined && q.limit > 0 ? q.limit : undefined, size: q.size, filters });
  });

  app.post<{ Querystring: { name?: string; platform?: string }; Body: ContainerCreateBody }>('/containers/create', {
    schema: {
      querystring: { type: 'object', properties: { name: { type: 'string' }, platform: { type: 'string' } } },
      body: containerCreateBodySchema,
    },
  }, async (request, reply) => {
    const body = { ...request.body };
    body.Cmd = strslice(body.Cmd);
    body.Entrypoint = strslice(body.Entrypoint);
    const name = request.query.name === '' ? undefined : request.query.name;
    const created = await containers.create(name, body);
    return reply.status(201).send(created);
  });

  app.post<{ Querystring: { filters?: string } }>('/containers/prune', {
    schema: { querystring: { type: 'object', properties: { filters: { type: 'string' } } } },
  }, async (request) => containers.prune(parseFilters(request.query.filters)));

  app.get<{ Params: IdParams; Querystring: { size?: boolean } }>('/containers/:id/json', {
    schema: { params: idParams, querystring: { type: 'object', properties: { size: bool } } },
  }, async (request) => containers.inspect(request.params.id, { size: request.query.size }));

  app.get<{ Params: IdParams; Querystring: { ps_args?: string } }>('/containers/:id/top', {
    schema: { params: idParams, querystring: { type: 'object', properties: { ps_args: { type: 'string' } } } },
  }, async (request) => containers.top(request.params.id, request.query.ps_args));

  app.get<{
    Params: IdParams;
    Querystring: { follow?: boolean; stdout?: boolean; stderr?: boolean; since?: string; until?: string; timestamps?: boolean; tail?: string };
  }>('/containers/:id/logs', {
    schema: {
      params: idParams,
      querystring: {
        type: 'object',
        properties: { follow: bool, stdout: bool, stderr: bool, since: { type: 'string' }, until: { type: 'string' }, timestamps: bool, tail: { type: 'string' } },
      },
    },
  }, async (request, reply) => {
    const q = request.query;
    if (q.stdout !== true && q.stderr !== true) {
      throw apiErrors.make('BAD_PARAMETER', 'Bad parameters: you must choose at least one stream');
    }
    let tail: number | undefined;
    if (q.tail !== undefined && q.tail !== '' && q.tail !== 'all') {
      if (!/^\d+$/.test(q.tail)) throw apiErrors.make('BAD_PARAMETER', `invalid value for tail: "${q.tail}" (a number of lines or "all")`);
      tail = Number(q.tail);
    }
    const logOpts: LogsOptions = {
      follow: q.follow, stdout: q.stdout, stderr: q.stderr, timestamps: q.timestamps, tail,
      since: logTime('since', q.since), until: logTime('until', q.until),
    };
    const signal = abortOnDisconnect(reply);
    const { tty, stream } = await containers.logs(request.params.id, logOpts, signal);
    signal.addEventListener('abort', () => { stream.destroy(); }, { once: true });
    openStream(reply, stdioContentType(tty, compareApiVersions(request.apiVersion, '1.42') >= 0));
    try {
      await writeStream(reply, stream);
    } catch (err) {
      if (!signal.aborted) log.warn({ err, id: request.params.id }, 'logs stream failed');
      reply.raw.destroy();
    }
  });

  app.get<{ Params: IdParams; Querystring: { stream?: boolean; 'one-shot'?: boolean } }>('/containers/:id/stats', {
    schema: { params: idParams, querystring: { type: 'object', properties: { stream: { type: 'boolean', default: true }, 'one-shot': bool } } },
  }, async (request, reply) => {
    const stream = request.query.stream !== false;
    const signal = abortOnDisconnect(reply);
    const iter = containers.stats(request.params.id, { stream, oneShot: request.query['one-shot'] }, signal)[Symbol.asyncIterator]();
    // The first sample comes before the headers, so a missing container is a plain 404.
    const first = await iter.next();
    if (!stream) {
      await iter.return?.();
      if (first.done === true) throw apiErrors.make('INTERNAL', `no stats sample for ${request.params.id}`);
      return reply.send(first.value);
    }
    openStream(reply, 'application/json');
    async function* all(): AsyncIterable<ContainerStats> {
      if (first.done === true) return;
      yield first.value;
      for (;;) {
        const n = await iter.next();
        if (n.done === true) return;
        yield n.value;
      }
    }
    try {
      await writeStream(reply, jsonLines(all()));
    } catch (err) {
      if (!signal.aborted) log.warn({ err, id: request.params.id }, 'stats stream failed');
      reply.raw.destroy();
    } finally {
      await iter.return?.();
    }
  });

  app.post<{ Params: IdParams; Querystring: { h: number; w: number } }>('/containers/:id/resize', {
    schema: {
      params: idParams,
      querystring: { type: 'object', required: ['h', 'w'], properties: { h: { type: 'integer', minimum: 0 }, w: { type: 'integer', minimum: 0 } } },
    },
  }, async (request, reply) => {
    await containers.resize(request.params.id, request.query.h, request.query.w);
    return reply.status(200).send();
  });

  app.post<{ Params: IdParams; Querystring: { detachKeys?: string } }>('/containers/:id/start', {
    schema: { params: idParams, querystring: { type: 'object', properties: { detachKeys: { type: 'string' } } } },
  }, async (request, reply) => {
    await containers.start(request.params.id);
    return reply.status(204).send();
  });

  app.post<{ Params: IdParams; Querystring: { t?: number; signal?: string } }>('/containers/:id/stop', {
    schema: { params: idParams, querystring: stopQuery },
  }, async (request, reply) => {
    await containers.stop(request.params.id, { timeoutS: request.query.t, signal: request.query.signal });
    return reply.status(204).send();
  });

  app.post<{ Params: IdParams; Querystring: { t?: number; signal?: string } }>('/containers/:id/restart', {
    schema: { params: idParams, querystring: stopQuery },
  }, async (request, reply) => {
    await containers.restart(request.params.id, { timeoutS: request.query.t, signal: request.query.signal });
    return reply.status(204).send();
  });

  app.post<{ Params: IdParams; Querystring: { signal?: string } }>('/containers/:id/kill', {
    schema: { params: idParams, querystring: { type: 'object', properties: { signal: { type: 'string' } } } },
  }, async (request, reply) => {
    await containers.kill(request.params.id, request.query.signal === '' ? undefined : request.query.signal);
    return reply.status(204).send();
  });

  app.post<{ Params: IdParams; Body: ContainerUpdateBody }>('/containers/:id/update', {
    schema: { params: idParams, body: containerUpdateBodySchema },
  }, async (request) => containers.update(request.params.id, request.body));

  app.post<{ Params: IdParams; Querystring: { name: string } }>('/containers/:id/rename', {
    schema: { params: idParams, querystring: { type: 'object', required: ['name'], properties: { name: { type: 'string', minLength: 1 } } } },
  }, async (request, reply) => {
    await containers.rename(request.params.id, request.query.name);
    return reply.status(204).send();
  });

  app.post<{ Params: IdParams }>('/containers/:id/pause', { schema: { params: idParams } }, async (request, reply) => {
    await containers.pause(request.params.id);
    return reply.status(204).send();
  });

  app.post<{ Params: IdParams }>('/containers/:id/unpause', { schema: { params: idParams } }, async (request, reply) => {
    await containers.unpause(request.params.id);
    return reply.status(204).send();
  });

  app.post<{ Params: IdParams; Querystring: { condition?: 'not-running' | 'next-exit' | 'removed' | '' } }>('/containers/:id/wait', {
    schema: {
      params: idParams,
      querystring: { type: 'object', properties: { condition: { type: 'string', enum: ['not-running', 'next-exit', 'removed', ''] } } },
    },
  }, async (request, reply) => {
    const id = request.params.id;
    const condition = request.query.condition === undefined || request.query.condition === '' ? 'not-running' : request.query.condition;
    const ac = new AbortController();
    const disconnected = abortOnDisconnect(reply);
    disconnected.addEventListener('abort', () => { ac.abort(); }, { once: true });
    // Register the waiter first (docker run calls wait before start), then
    // check the container exists so that a 404 is a plain error response.
    const waiting = containers.wait(id, condition, ac.signal);
    waiting.catch(() => { /* observed below or abandoned with a 404 */ });
    try {
      await containers.inspect(id);
    } catch (err) {
      ac.abort();
      throw err;
    }
    openStream(reply, 'application/json');
    try {
      const result = await waiting;
      reply.raw.end(`${JSON.stringify(result)}\n`);
    } catch (err) {
      if (disconnected.aborted) return;
      log.warn({ err, id }, 'wait failed after the response started');
      reply.raw.end(`${JSON.stringify({ StatusCode: -1, Error: { Message: (err as Error).message } })}\n`);
    }
  });

  app.delete<{ Params: IdParams; Querystring: { v?: boolean; force?: boolean; link?: boolean } }>('/containers/:id', {
    schema: { params: idParams, querystring: { type: 'object', properties: { v: bool, force: bool, link: bool } } },
  }, async (request, reply) => {
    if (request.query.link === true) {
      throw apiErrors.make('NOT_IMPLEMENTED', 'shoal does not implement DELETE /containers/{id}?link=true (legacy links) yet');
    }
    await containers.remove(request.params.id, { force: request.query.force, volumes: request.query.v });
    return reply.status(204).send();
  });

  app.post<{ Params: IdParams; Querystring: AttachQuery }>('/containers/:id/attach', {
    schema: { params: idParams, querystring: attachQuery },
  }, async (request, reply) => {
    const id = request.params.id;
    const info = await containers.inspect(id);
    // As Docker, these are refused before the connection is taken over, so the client sees a status.
    if (info.State.Paused) throw apiErrors.make('CONFLICT', `container ${id} is paused, unpause the container before attach`);
    if (info.State.Restarting) throw apiErrors.make('CONFLICT', `container ${id} is restarting, wait until the container is running`);
    const tty = info.Config.Tty === true;
    const multiplexed = !tty;
    const conn = hijackRawStream(request, reply, stdioContentType(tty, compareApiVersions(request.apiVersion, '1.42') >= 0));
    try {
      await containers.attach(id, attachOptions(request.query), conn);
    } catch (err) {
      log.warn({ err, id }, 'attach failed after the connection was hijacked');
      writeStreamError(conn, (err as Error).message, multiplexed);
    }
  });

  app.get<{ Params: IdParams; Querystring: AttachQuery }>('/containers/:id/attach/ws', {
    schema: { params: idParams, querystring: attachQuery },
  }, async (request, reply) => {
    if (!wantsUpgrade(request.raw) || request.headers.upgrade?.toLowerCase() !== 'websocket') {
      throw apiErrors.make('BAD_PARAMETER', 'GET /containers/{id}/attach/ws needs a websocket upgrade request');
    }
    const id = request.params.id;
    await containers.inspect(id);
    reply.hijack();
    const ws = await new Promise<WebSocket>((resolve) => {
      wss.handleUpgrade(request.raw, request.raw.socket, upgradeHead(request.raw), resolve);
    });
    const conn = createWebSocketStream(ws);
    conn.on('error', (err) => { log.debug({ err, id }, 'websocket attach stream error'); });
    try {
      await containers.attach(id, { ...attachOptions(request.query), raw: true }, conn);
    } catch (err) {
      log.warn({ err, id }, 'websocket attach failed');
      writeStreamError(conn, (err as Error).message, false);
    }
  });
};
