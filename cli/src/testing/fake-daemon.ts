/**
 * Test-only: a tiny Engine API server on a unix socket, with scripted
 * routes, hijack support and a log of the calls in arrival order. Not part
 * of the CLI's public surface (not exported from cli/index.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { PassThrough } from 'node:stream';
import type { CliIo } from '../context.js';

/** One call the fake saw. */
export interface LoggedCall {
  method: string;
  /** Path without the /v1.xx prefix. */
  path: string;
  query: URLSearchParams;
  body: string;
  hijack: boolean;
}

export type Handler = (req: IncomingMessage, res: ServerResponse, call: LoggedCall) => void | Promise<void>;
export type HijackHandler = (socket: Duplex, call: LoggedCall) => void | Promise<void>;

/** A scripted daemon. */
export class FakeDaemon {
  readonly calls: LoggedCall[] = [];
  readonly socketPath: string;
  #routes = new Map<string, Handler>();
  #hijacks = new Map<string, HijackHandler>();
  #server: http.Server;
  #sockets = new Set<Duplex>();

  constructor(socketPath: string) {
    this.socketPath = socketPath;
    this.#server = http.createServer((req, res) => { this.#handle(req, res).catch((e: unknown) => { res.statusCode = 500; res.end(JSON.stringify({ message: String(e) })); }); });
    this.#server.on('connection', (s) => { this.#sockets.add(s); s.on('close', () => this.#sockets.delete(s)); });
    this.#server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => { this.#upgrade(req, socket, head).catch(() => socket.destroy()); });
  }

  /** `on('GET /containers/json', handler)` */
  on(route: string, h: Handler): this {
    this.#routes.set(route, h);
    return this;
  }

  /** Reply JSON with a status. */
  json(route: string, status: number, value: unknown): this {
    return this.on(route, (_req, res) => {
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(value));
    });
  }

  /** Handle a hijacked (101) connection. */
  onHijack(route: string, h: HijackHandler): this {
    this.#hijacks.set(route, h);
    return this;
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve) => this.#server.listen(this.socketPath, resolve));
  }

  async close(): Promise<void> {
    for (const s of this.#sockets) s.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  /** The routes called, as `METHOD /path`, in order. */
  get order(): string[] {
    return this.calls.map((c) => `${c.method} ${c.path}`);
  }

  #call(req: IncomingMessage, body: string, hijack: boolean): LoggedCall {
    const u = new URL(req.url ?? '/', 'http://x');
    const call = { method: req.method ?? '', path: u.pathname.replace(/^\/v\d+\.\d+/, ''), query: u.searchParams, body, hijack };
    this.calls.push(call);
    return call;
  }

  #find<T>(map: Map<string, T>, method: string, path: string): T | undefined {
    for (const [route, h] of map) {
      const [m, p] = route.split(' ');
      if (m !== method || p === undefined) continue;
      const re = new RegExp(`^${p.replace(/[.]/g, '\\.').replace(/\*/g, '[^/]+')}$`);
      if (re.test(path)) return h;
    }
    return undefined;
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const wantsStream = req.headers['content-type'] === 'application/x-tar';
    let body = '';
    if (!wantsStream) {
      const parts: Buffer[] = [];
      for await (const c of req) parts.push(c as Buffer);
      body = Buffer.concat(parts).toString('utf8');
    }
    const call = this.#call(req, body, false);
    const h = this.#find(this.#routes, call.method, call.path);
    if (h === undefined) {
      res.writeHead(404, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ message: `page not found: ${call.method} ${call.path}` }));
      return;
    }
    await h(req, res, call);
  }

  async #upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const len = Number(req.headers['content-length'] ?? 0);
    let buf = head;
    while (buf.length < len) {
      const chunk = await new Promise<Buffer>((resolve) => socket.once('data', resolve));
      buf = Buffer.concat([buf, chunk]);
    }
    const call = this.#call(req, buf.subarray(0, len).toString('utf8'), true);
    if (buf.length > len) socket.unshift(buf.subarray(len));
    const h = this.#find(this.#hijacks, call.method, call.path);
    if (h === undefined) {
      socket.end('HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nContent-Length: 27\r\n\r\n{"message":"no such route"}');
      return;
    }
    socket.write('HTTP/1.1 101 UPGRADED\r\nContent-Type: application/vnd.docker.raw-stream\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n');
    await h(socket, call);
  }
}

/** Streams and settings for running the CLI in a test. */
export interface TestIo {
  io: CliIo;
  stdin: PassThrough;
  stdout: () => string;
  stderr: () => string;
  /** Resolves when stdout has received text matching `re`. */
  waitForStdout: (re: RegExp) => Promise<void>;
}

/** A CliIo over in-memory streams, with a fixed clock and the given env. */
export function testIo(env: Record<string, string>, nowMs = Date.UTC(2024, 0, 2, 12, 0, 0)): TestIo {
  const stdin = new PassThrough();
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  const waiters: Array<{ re: RegExp; resolve: () => void }> = [];
  stdout.on('data', (c: Buffer) => {
    out += c.toString();
    for (const w of [...waiters]) if (w.re.test(out)) { waiters.splice(waiters.indexOf(w), 1); w.resolve(); }
  });
  stderr.on('data', (c: Buffer) => { err += c.toString(); });
  return {
    io: { stdin, stdout, stderr, env, cwd: '/', now: () => nowMs, localOffsetMin: 0, onSignal: () => () => undefined },
    stdin,
    stdout: () => out,
    stderr: () => err,
    waitForStdout: (re) => new Promise<void>((resolve) => {
      if (re.test(out)) resolve();
      else waiters.push({ re, resolve });
    }),
  };
}

/**
 * Start a fake daemon on a socket in a fresh short temporary directory
 * (unix socket paths are limited to 107 bytes, too short for tap's fixture
 * paths) and close and remove it at the end of the test.
 */
export async function startFakeDaemon(t: { teardown: (fn: () => unknown) => void }): Promise<FakeDaemon> {
  const dir = mkdtempSync(join(tmpdir(), 'shoal-cli-'));
  const d = new FakeDaemon(join(dir, 'd.sock'));
  await d.listen();
  t.teardown(async () => {
    await d.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return d;
}
