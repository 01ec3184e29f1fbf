import type { FastifyError, FastifyInstance } from 'fastify';
import { isShoalError, type Logger } from '@shoal/common';

/**
 * The one edge that turns errors into Docker's `{"message": ...}` bodies:
 * ShoalError -> its status; fastify validation -> 400 naming the field;
 * fastify's own client errors (bad JSON, unsupported media type, body too
 * large) keep their 4xx status; anything else -> 500, logged with its stack.
 */
export function installErrorHandler(app: FastifyInstance, log: Logger): void {
  app.setErrorHandler((err: FastifyError | Error, request, reply) => {
    if (isShoalError(err)) {
      if (err.status >= 500) log.error({ err, url: request.url, method: request.method }, 'request failed');
      if (err.status === 304) return reply.status(304).send();
      return reply.status(err.status).send({ message: err.message });
    }
    const fe = err as FastifyError;
    if (fe.validation !== undefined) {
      const where = fe.validationContext ?? 'request';
      return reply.status(400).send({ message: `invalid ${where}: ${fe.message}` });
    }
    if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
      return reply.status(fe.statusCode).send({ message: fe.message });
    }
    log.error({ err, url: request.url, method: request.method }, 'unexpected error');
    return reply.status(500).send({ message: err.message });
  });
  app.setNotFoundHandler((_request, reply) => reply.status(404).send({ message: 'page not found' }));
}
