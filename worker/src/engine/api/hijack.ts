import { ServerResponse, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** Bytes the HTTP parser read past the request headers of an upgrade request. */
const upgradeHeads = new WeakMap<IncomingMessage, Buffer>();

/**
 * Route HTTP upgrade requests (Docker's hijacked attach/exec, websockets)
 * through fastify's normal routing, the way @fastify/websocket does: Node
 * detaches its HTTP parser from the socket before emitting `upgrade`, so the
 * handler gets a clean byte stream (after `reply.hijack()`). A reply that is
 * not hijacked (e.g. a 404) is written to the socket, which is then closed.
 */
export function installUpgradeRouting(app: FastifyInstance): void {
  app.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    upgradeHeads.set(req, head);
    const res = new ServerResponse(req);
    res.shouldKeepAlive = false;
    res.assignSocket(socket as never);
    res.on('finish', () => { socket.end(); });
    socket.on('error', () => { socket.destroy(); });
    app.routing(req, res);
  });
}

/** True when the client asked to upgrade the connection (`Connection: Upgrade` + `Upgrade: ...`). */
export function wantsUpgrade(req: IncomingMessage): boolean {
  const conn = req.headers.connection ?? '';
  return req.headers.upgrade !== undefined && conn.toLowerCase().split(',').some((t) => t.trim() === 'upgrade');
}

/** The head bytes of an upgrade request routed by {@link installUpgradeRouting} (empty otherwise). */
export function upgradeHead(req: IncomingMessage): Buffer {
  return upgradeHeads.get(req) ?? Buffer.alloc(0);
}

/**
 * Take over the connection for a raw stream, as Docker does for attach and
 * exec start: `101 UPGRADED` with `Upgrade: tcp` when the client asked for an
 * upgrade, else `200 OK` (old clients). Returns the socket as a Duplex for the
 * engine, with any bytes already read put back in front. From here on the
 * caller (and the engine it hands the socket to) owns the connection.
 */
export function hijackRawStream(request: FastifyRequest, reply: FastifyReply, contentType: string): Duplex {
  reply.hijack();
  const socket = request.raw.socket as Duplex;
  const upgrade = wantsUpgrade(request.raw);
  const head = upgradeHead(request.raw);
  const lines = upgrade
    ? ['HTTP/1.1 101 UPGRADED', `Content-Type: ${contentType}`, 'Connection: Upgrade', 'Upgrade: tcp']
    : ['HTTP/1.1 200 OK', `Content-Type: ${contentType}`];
  socket.write(`${lines.join('\r\n')}\r\n\r\n`);
  if (head.length > 0) socket.unshift(head);
  return socket;
}

/** Docker's content type for a stdio stream: multiplexed for non-tty from API 1.42 on, else raw. */
export function stdioContentType(tty: boolean, multiplexedAllowed: boolean): string {
  return !tty && multiplexedAllowed ? 'application/vnd.docker.multiplexed-stream' : 'application/vnd.docker.raw-stream';
}
