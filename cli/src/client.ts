import http from 'node:http';
import https from 'node:https';
import type { IncomingMessage } from 'node:http';
import type { Duplex, Readable } from 'node:stream';
import { cliErrors } from './cli-errors.js';

/** TLS for a TCP daemon (--tls, --tlsverify and the certificate files). */
export interface TlsOptions {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  /** Check the daemon's certificate against `ca` (--tlsverify). */
  verify: boolean;
}

/** Where the daemon listens, from -H / SHOAL_HOST / DOCKER_HOST. */
export interface DaemonAddress {
  socketPath?: string;
  host?: string;
  port?: number;
  /** As the user wrote it, for messages. */
  display: string;
  /** Set for TCP with TLS. */
  tls?: TlsOptions;
}

/** The default daemon socket. */
export const DEFAULT_HOST = 'unix:///run/shoal/shoal.sock';

/**
 * Parse `unix:///path`, `/path`, `tcp://host:port` or `host:port` (TLS
 * given: default port 2376, else 2375; TLS is ignored for unix sockets).
 * Throws CLI_INVALID_FLAG.
 */
export function parseHost(h: string, tls?: TlsOptions): DaemonAddress {
  if (h.startsWith('unix://')) return { socketPath: h.slice(7), display: h };
  if (h.startsWith('/')) return { socketPath: h, display: `unix://${h}` };
  const m = /^(?:tcp:\/\/|http:\/\/|https:\/\/)?(\[[^\]]+\]|[^:/]+)(?::(\d+))?\/?$/.exec(h);
  if (m === null) throw cliErrors.make('INVALID_FLAG', `unable to parse docker host \`${h}\``);
  const host = (m[1] ?? '').replace(/^\[|\]$/g, '');
  const port = m[2] === undefined ? (tls !== undefined ? 2376 : 2375) : Number(m[2]);
  return { host, port, display: h, ...(tls !== undefined ? { tls } : {}) };
}

/** Query values; arrays repeat the key; booleans become 1/0; undefined is left out. */
export type Query = Record<string, string | number | boolean | undefined | readonly string[]>;

/** Options of one request. */
export interface RequestOptions {
  query?: Query;
  /** A JSON value (sent as application/json) or a stream (sent as-is). */
  body?: unknown;
  /** Content-Type for a stream body. */
  contentType?: string;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

/** A buffered answer. */
export interface ClientResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

function isReadable(v: unknown): v is Readable {
  return typeof v === 'object' && v !== null && typeof (v as Readable).pipe === 'function' && typeof (v as Readable).on === 'function';
}

/** The message of an error body: `{"message": ...}` or the text itself. */
export function errorMessage(body: Buffer): string {
  const text = body.toString('utf8').trim();
  try {
    const j = JSON.parse(text) as { message?: unknown };
    if (typeof j.message === 'string') return j.message;
  } catch {
    // not JSON: the text is the message
  }
  return text;
}

async function readAll(s: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of s) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

/**
 * Stop sending a request body the daemon will not read: it answered before
 * the upload ended (Docker does, for a bad archive, with 200 and an error in
 * the stream or with a 4xx). Without this the rest of the body is written
 * into a connection the daemon closed, and the EPIPE comes after the request
 * is done with, where nothing listens (an uncaught exception).
 */
function stopUpload(req: http.ClientRequest, src: Readable): void {
  if (req.writableFinished) return;
  src.unpipe(req);
  src.destroy();
}

/**
 * A Docker Engine API client over node:http (unix socket or TCP): JSON
 * calls, streaming responses and hijacked (upgraded) connections for
 * attach and exec. Errors: CLI_DAEMON_ERROR (status >= 400, message from the
 * daemon, `details.status`), CLI_CONNECT_FAILED, CLI_PROTOCOL.
 */
export class EngineClient {
  readonly address: DaemonAddress;
  #prefix: string;

  constructor(address: DaemonAddress, apiVersion = '1.44') {
    this.address = address;
    this.#prefix = `/v${apiVersion}`;
  }

  #path(path: string, query?: Query): string {
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(query ?? {})) {
      if (v === undefined) continue;
      if (Array.isArray(v)) for (const x of v as readonly string[]) qs.append(k, x);
      else qs.append(k, typeof v === 'boolean' ? (v ? '1' : '0') : String(v));
    }
    const q = qs.toString();
    return `${this.#prefix}${path}${q === '' ? '' : `?${q}`}`;
  }

  #start(method: string, path: string, opts: RequestOptions, extraHeaders: Record<string, string> = {}): http.ClientRequest {
    const headers: Record<string, string> = { ...opts.headers, ...extraHeaders };
    let payload: Buffer | undefined;
    if (opts.body !== undefined && !isReadable(opts.body)) {
      payload = Buffer.from(JSON.stringify(opts.body));
      headers['Content-Type'] = 'application/json';
      headers['Content-Length'] = String(payload.length);
    } else if (isReadable(opts.body)) {
      headers['Content-Type'] = opts.contentType ?? 'application/x-tar';
    }
    const base = {
      method,
      path: this.#path(path, opts.query),
      headers: { Host: 'shoal', ...headers },
      signal: opts.signal,
    };
    const tls = this.address.tls;
    let req: http.ClientRequest;
    if (this.address.socketPath !== undefined) req = http.request({ ...base, socketPath: this.address.socketPath });
    else if (tls === undefined) req = http.request({ ...base, host: this.address.host, port: this.address.port });
    else {
      req = https.request({
        ...base, host: this.address.host, port: this.address.port, headers: { ...base.headers, Host: this.address.host ?? 'shoal' },
        ca: tls.ca, cert: tls.cert, key: tls.key, rejectUnauthorized: tls.verify,
      });
    }
    if (isReadable(opts.body)) {
      const src = opts.body;
      src.on('error', (e) => req.destroy(e));
      src.pipe(req);
      // Once the daemon's answer is complete nothing more of the upload is read.
      req.on('response', (res) => res.once('end', () => stopUpload(req, src)));
    } else req.end(payload);
    return req;
  }

  #connectError(err: unknown): Error {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ABORT_ERR') return err as Error;
    if (code === 'ECONNREFUSED' || code === 'ENOENT' || code === 'EACCES' || code === 'ECONNRESET' || code === 'EPIPE' || code === 'ENOTFOUND') {
      return cliErrors.make('CONNECT_FAILED', `Cannot connect to the shoal daemon at ${this.address.display}. Is the shoal daemon running?`, { cause: err, details: { errno: code } });
    }
    if (this.address.tls !== undefined || /CERT|SSL|TLS|ALERT/.test(code ?? '')) {
      return cliErrors.make('CONNECT_FAILED', `error during connect: ${(err as Error).message}`, { cause: err, details: { errno: code } });
    }
    return err as Error;
  }

  /** Send a request and return the response stream once headers arrive; status >= 400 becomes CLI_DAEMON_ERROR. */
  async stream(method: string, path: string, opts: RequestOptions = {}): Promise<IncomingMessage> {
    const req = this.#start(method, path, opts);
    const res = await new Promise<IncomingMessage>((resolve, reject) => {
      req.on('response', resolve);
      req.on('error', (e) => reject(this.#connectError(e)));
    });
    const status = res.statusCode ?? 0;
    if (status >= 400) {
      // An error answered before the upload ends: the daemon reads no more of it.
      if (isReadable(opts.body)) stopUpload(req, opts.body);
      const body = await readAll(res);
      req.destroy();
      throw cliErrors.make('DAEMON_ERROR', errorMessage(body) || `status ${status}`, { details: { status } });
    }
    return res;
  }

  /** A buffered request; status >= 400 becomes CLI_DAEMON_ERROR. */
  async request(method: string, path: string, opts: RequestOptions = {}): Promise<ClientResponse> {
    const res = await this.stream(method, path, opts);
    return { status: res.statusCode ?? 0, headers: res.headers, body: await readAll(res) };
  }

  /** A request whose answer is JSON. */
  async json<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
    const r = await this.request(method, path, opts);
    try {
      return JSON.parse(r.body.toString('utf8')) as T;
    } catch (e) {
      throw cliErrors.make('PROTOCOL', `cannot read the daemon's answer to ${method} ${path}: not JSON`, { cause: e });
    }
  }

  /**
   * Hijack: send the request with `Connection: Upgrade` / `Upgrade: tcp`,
   * expect `101 Switching Protocols`, and hand back the raw connection
   * (bytes that came with the 101 are put back in front).
   */
  async hijack(method: string, path: string, opts: RequestOptions = {}): Promise<Duplex> {
    const req = this.#start(method, path, opts, { Connection: 'Upgrade', Upgrade: 'tcp' });
    return await new Promise<Duplex>((resolve, reject) => {
      req.on('upgrade', (_res, socket, head) => {
        if (head.length > 0) socket.unshift(head);
        resolve(socket);
      });
      req.on('response', (res) => {
        const status = res.statusCode ?? 0;
        readAll(res).then((body) => {
          if (status >= 400) reject(cliErrors.make('DAEMON_ERROR', errorMessage(body) || `status ${status}`, { details: { status } }));
          else reject(cliErrors.make('PROTOCOL', `the daemon answered ${status} instead of upgrading the connection for ${method} ${path}`));
        }, reject);
      });
      req.on('error', (e) => reject(this.#connectError(e)));
    });
  }
}
