import { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { Duplex } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { encodeFrame } from '@shoal/common';

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
  app.server.on('upgrade', upgradeListener(app));
}

/**
 * The `upgrade` listener that routes through `app`; for every extra server
 * (unix sockets, TLS) that serves the app with `app.routing`.
 */
export function upgradeListener(app: FastifyInstance): (req: IncomingMessage, socket: Duplex, head: Buffer) => void {
  return (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => { socket.destroy(); });
    readUpgradeBody(req, socket, head).then(({ body, rest }) => {
      const routed = body.length > 0 ? withBody(req, socket, body) : req;
      upgradeHeads.set(routed, rest);
      const res = new ServerResponse(routed);
      res.shouldKeepAlive = false;
      res.assignSocket(socket as never);
      res.on('finish', () => { socket.end(); });
      app.routing(routed, res);
    }, () => { socket.destroy(); });
  };
}

/**
 * Node ends the request stream of an upgrade request at its headers, so the
 * body (exec start's JSON), read by us, goes into a fresh IncomingMessage
 * with the same request line and headers. Its `_read` must not resume the
 * socket: the bytes after the body belong to the hijacked stream.
 */
function withBody(req: IncomingMessage, socket: Duplex, body: Buffer): IncomingMessage {
  const copy = new IncomingMessage(socket as Socket);
  copy.method = req.method;
  copy.url = req.url;
  copy.httpVersionMajor = req.httpVersionMajor;
  copy.httpVersionMinor = req.httpVersionMinor;
  copy.httpVersion = req.httpVersion;
  copy.headers = req.headers;
  copy.rawHeaders = req.rawHeaders;
  copy.complete = true;
  copy._read = () => { /* all of the body is pushed below */ };
  copy.push(body);
  copy.push(null);
  return copy;
}

/**
 * Split what follows the headers of an upgrade request into its body
 * (Content-Length bytes, read from the socket when `head` holds fewer) and
 * the stream bytes after it.
 */
async function readUpgradeBody(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<{ body: Buffer; rest: Buffer }> {
  const length = Number(req.headers['content-length'] ?? 0);
  if (!Number.isSafeInteger(length) || length <= 0) return { body: Buffer.alloc(0), rest: head };
  let buf = head;
  if (buf.length < length) {
    // 'readable' + read(), not 'data': the socket must not be left flowing (bytes after the body
    // would be lost before the engine listens) nor explicitly paused (a later 'data' listener
    // would then not resume it). Removing the last 'readable' listener resets flowing to null.
    buf = await new Promise<Buffer>((resolve, reject) => {
      let acc = head;
      const onReadable = (): void => {
        for (let chunk = socket.read() as Buffer | null; chunk !== null; chunk = socket.read() as Buffer | null) {
          acc = Buffer.concat([acc, chunk]);
          if (acc.length >= length) { cleanup(); resolve(acc); return; }
        }
      };
      const onEnd = (): void => { cleanup(); reject(new Error('connection closed inside the request body')); };
      const cleanup = (): void => { socket.off('readable', onReadable); socket.off('end', onEnd); socket.off('close', onEnd); };
      socket.on('readable', onReadable);
      socket.on('end', onEnd);
      socket.on('close', onEnd);
    });
  }
  return { body: buf.subarray(0, length), rest: buf.subarray(length) };
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
  if (wantsUpgrade(request.raw)) {
    socket.write(`HTTP/1.1 101 UPGRADED\r\nContent-Type: ${contentType}\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n`);
    const head = upgradeHead(request.raw);
    if (head.length > 0) socket.unshift(head);
    return socket;
  }
  socket.write(`HTTP/1.1 200 OK\r\nContent-Type: ${contentType}\r\n\r\n`);
  return outputOnly(socket);
}

/**
 * Without an upgrade, Node's HTTP parser still owns the socket's input, so
 * such (pre-1.24 style) clients get output only: the stream's readable side
 * ends at once (no stdin) and writes go to the socket.
 */
function outputOnly(socket: Duplex): Duplex {
  const conn = new Duplex({
    read() { /* no stdin: ended below */ },
    write(chunk: Buffer, _enc, cb) { socket.write(chunk, cb); },
    final(cb) { socket.end(cb); },
  });
  conn.push(null);
  socket.once('close', () => { conn.destroy(); });
  return conn;
}

/** Docker's content type for a stdio stream: multiplexed for non-tty from API 1.42 on, else raw. */
export function stdioContentType(tty: boolean, multiplexedAllowed: boolean): string {
  return !tty && multiplexedAllowed ? 'application/vnd.docker.multiplexed-stream' : 'application/vnd.docker.raw-stream';
}

/** An error after the connection was hijacked can only be told in the stream (stderr frame unless raw). */
export function writeStreamError(conn: Duplex, message: string, multiplexed: boolean): void {
  if (conn.destroyed || !conn.writable) return;
  const text = Buffer.from(`Error: ${message}\n`);
  if (multiplexed) {
    conn.end(encodeFrame('stderr', text));
  } else {
    conn.end(text);
  }
}
