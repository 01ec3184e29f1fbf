import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import { connect, type Socket } from 'node:net';
import { chmod, mkdir, readFile, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { DaemonConfig, Logger } from '@shoal/common';
import { upgradeListener } from '../engine/api/index.js';
import { daemonErrors } from './daemon-errors.js';

/** One open listen address. */
export interface ApiListener {
  address: string;
  close(): Promise<void>;
}

/** True when something accepts connections on the unix socket at `path`. */
export function socketAnswers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(path);
    s.once('connect', () => { s.destroy(); resolve(true); });
    s.once('error', () => { resolve(false); });
  });
}

function serve(app: FastifyInstance, server: Server, log: Logger, address: string): { server: Server; sockets: Set<Socket> } {
  const sockets = new Set<Socket>();
  // Uploads (docker load/import) may take longer than Node's default 5 minutes.
  server.requestTimeout = 0;
  server.on('request', app.routing as RequestListener<typeof IncomingMessage, typeof ServerResponse>);
  server.on('upgrade', upgradeListener(app));
  server.on('connection', (s: Socket) => { sockets.add(s); s.once('close', () => sockets.delete(s)); });
  server.on('secureConnection', (s: Socket) => { sockets.add(s); s.once('close', () => sockets.delete(s)); });
  server.on('clientError', (err, socket) => {
    log.debug({ err, address }, 'client error');
    socket.destroy();
  });
  return { server, sockets };
}

function listen(server: Server, target: string | { host: string; port: number }, address: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => { reject(daemonErrors.make('LISTEN_FAILED', `cannot listen on ${address}: ${err.message}`, { cause: err })); };
    server.once('error', onError);
    const done = (): void => { server.off('error', onError); resolve(); };
    if (typeof target === 'string') server.listen(target, done);
    else server.listen(target.port, target.host, done);
  });
}

function closer(server: Server, sockets: Set<Socket>, after?: () => Promise<void>): () => Promise<void> {
  return async () => {
    const closed = new Promise<void>((resolve) => { server.close(() => { resolve(); }); });
    // Streams (events, logs -f, attach) never end by themselves: cut every connection.
    for (const s of sockets) s.destroy();
    await closed;
    await after?.();
  };
}

/**
 * Open a unix socket for the API: create its directory, remove a stale
 * socket file only when no daemon answers on it, chmod 660.
 */
export async function listenUnix(app: FastifyInstance, path: string, log: Logger): Promise<ApiListener> {
  const address = `unix://${path}`;
  await mkdir(dirname(path), { recursive: true });
  if (await socketAnswers(path)) {
    throw daemonErrors.make('ALREADY_RUNNING', `another daemon answers on ${path}: stop it or use another --host`);
  }
  await rm(path, { force: true });
  const { server, sockets } = serve(app, createServer(), log, address);
  await listen(server, path, address);
  await chmod(path, 0o660);
  return { address, close: closer(server, sockets, async () => { await rm(path, { force: true }); }) };
}

/** Open a TCP listener with mutual TLS (--tlsverify): clients need a certificate from --tlscacert. */
export async function listenTls(app: FastifyInstance, host: string, config: DaemonConfig, log: Logger): Promise<ApiListener> {
  const m = /^tcp:\/\/(\[[^\]]+\]|[^:/]*):(\d+)\/?$/.exec(host);
  const hostname = (m?.[1] ?? '').replace(/^\[|\]$/g, '') || '0.0.0.0';
  const port = Number(m?.[2]);
  const read = async (what: string, path: string | undefined): Promise<Buffer> => {
    if (path === undefined) throw daemonErrors.make('TLS_FILES', `--tlsverify needs --${what}`);
    return readFile(path).catch((err: unknown) => { throw daemonErrors.make('TLS_FILES', `cannot read --${what} ${path}: ${(err as Error).message}`, { cause: err }); });
  };
  const [ca, cert, key] = await Promise.all([read('tlscacert', config.tlscacert), read('tlscert', config.tlscert), read('tlskey', config.tlskey)]);
  const tls = createTlsServer({ ca, cert, key, requestCert: true, rejectUnauthorized: true, minVersion: 'TLSv1.2' });
  const { server, sockets } = serve(app, tls as unknown as Server, log, host);
  await listen(server, { host: hostname, port }, host);
  const addr = server.address();
  const address = typeof addr === 'object' && addr !== null ? `tcp://${hostname}:${addr.port}` : host;
  return { address, close: closer(server, sockets) };
}
