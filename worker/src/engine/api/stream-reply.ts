import { once } from 'node:events';
import type { FastifyReply } from 'fastify';

/**
 * An AbortSignal that fires when the client goes away before the response
 * finished (the stream loops of /events, /stats, /logs and /wait stop on it).
 */
export function abortOnDisconnect(reply: FastifyReply): AbortSignal {
  const ac = new AbortController();
  const res = reply.raw;
  const onClose = (): void => { if (!res.writableFinished) ac.abort(); };
  res.once('close', onClose);
  return ac.signal;
}

/**
 * Take the response over and write the status line and headers now (flushed,
 * as Docker does so a client sees the stream open before the first item).
 */
export function openStream(reply: FastifyReply, contentType: string, status = 200): void {
  reply.hijack();
  reply.raw.writeHead(status, { 'Content-Type': contentType, 'Cache-Control': 'no-cache' });
  reply.raw.flushHeaders();
}

/**
 * Write each chunk of `source` (already hijacked with {@link openStream}),
 * respecting backpressure, then end the response. Stops early, without
 * error, when the client disconnects. Errors of `source` after the headers
 * went out can only be logged by the caller: the status is already sent.
 */
export async function writeStream(reply: FastifyReply, source: AsyncIterable<string | Buffer>): Promise<void> {
  const res = reply.raw;
  try {
    for await (const chunk of source) {
      if (res.destroyed) break;
      if (!res.write(chunk)) {
        await Promise.race([once(res, 'drain'), once(res, 'close')]);
      }
    }
  } finally {
    if (!res.destroyed) res.end();
  }
}

/** Map an async iterable of objects to Docker's JSON stream: one JSON document per line. */
export async function* jsonLines<T>(items: AsyncIterable<T>): AsyncIterable<string> {
  for await (const item of items) yield `${JSON.stringify(item)}\n`;
}
