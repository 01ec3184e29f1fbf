import type { FastifyPluginAsync } from 'fastify';
import type { ExecCreateBody, Logger } from '@shoal/common';
import type { ContainerEngine } from './engine-deps.js';
import { compareApiVersions } from './api-version.js';
import { hijackRawStream, stdioContentType, writeStreamError } from './hijack.js';
import { execCreateBodySchema } from './container-schemas.js';

/** Options of {@link execPlugin}. */
export interface ExecPluginOptions {
  containers: ContainerEngine;
  log: Logger;
}

const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1 } } } as const;

/** POST /containers/{id}/exec and /exec/{id}/...: create, start (hijacked unless detached), resize, inspect. */
export const execPlugin: FastifyPluginAsync<ExecPluginOptions> = async (app, opts) => {
  const { containers, log } = opts;

  app.post<{ Params: { id: string }; Body: ExecCreateBody }>('/containers/:id/exec', {
    schema: { params: idParams, body: execCreateBodySchema },
  }, async (request, reply) => {
    const created = await containers.execCreate(request.params.id, request.body);
    return reply.status(201).send(created);
  });

  app.post<{ Params: { id: string }; Body: { Detach?: boolean; Tty?: boolean; ConsoleSize?: [number, number] | null } | undefined }>('/exec/:id/start', {
    schema: {
      params: idParams,
      body: {
        type: ['object', 'null'],
        properties: {
          Detach: { type: 'boolean' }, Tty: { type: 'boolean' },
          ConsoleSize: { type: ['array', 'null'], items: { type: 'integer' }, minItems: 2, maxItems: 2 },
        },
      },
    },
  }, async (request, reply) => {
    const id = request.params.id;
    const body = request.body ?? {};
    const info = await containers.execInspect(id);
    const tty = body.Tty ?? info.ProcessConfig.tty;
    if (body.Detach === true) {
      await containers.execStart(id, { detach: true, tty });
      return reply.status(200).send();
    }
    const conn = hijackRawStream(request, reply, stdioContentType(tty, compareApiVersions(request.apiVersion, '1.42') >= 0));
    try {
      await containers.execStart(id, { detach: false, tty }, conn);
    } catch (err) {
      log.warn({ err, id }, 'exec start failed after the connection was hijacked');
      writeStreamError(conn, (err as Error).message, !tty);
    }
  });

  app.post<{ Params: { id: string }; Querystring: { h: number; w: number } }>('/exec/:id/resize', {
    schema: {
      params: idParams,
      querystring: { type: 'object', required: ['h', 'w'], properties: { h: { type: 'integer', minimum: 0 }, w: { type: 'integer', minimum: 0 } } },
    },
  }, async (request, reply) => {
    await containers.execResize(request.params.id, request.query.h, request.query.w);
    return reply.status(200).send();
  });

  app.get<{ Params: { id: string } }>('/exec/:id/json', { schema: { params: idParams } }, async (request) => containers.execInspect(request.params.id));
};
