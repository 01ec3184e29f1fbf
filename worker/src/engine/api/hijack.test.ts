import t from 'tap';
import { connect, type Socket } from 'node:net';
import { request, type IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { WebSocket } from 'ws';
import { silentLogger } from '@shoal/common';
import { buildApp } from './build-app.js';
import { fakeDeps, frame } from '../../testing/fake-engines.js';

async function listening(t: { teardown(fn: () => unknown): void }) {
  const deps = fakeDeps();
  const app = await buildApp({ ...deps, log: silentLogger() });
  // Unix socket paths are limited to 108 bytes: tap's fixture paths are too long.
  const dir = mkdtempSync(join(tmpdir(), 'shoal-api-'));
  const path = join(dir, 'api.sock');
  await app.listen({ path });
  t.teardown(async () => { await app.close(); rmSync(dir, { recursive: true, force: true }); });
  return { app, deps, path };
}

/** Collect everything the socket sends until it closes, resolving also on demand. */
function reader(sock: Socket): { bytes: () => Buffer; until: (pred: (b: Buffer) => boolean) => Promise<Buffer>; closed: Promise<void> } {
  let buf = Buffer.alloc(0);
  const waiters: Array<() => void> = [];
  sock.on('data', (b: Buffer) => { buf = Buffer.concat([buf, b]); for (const w of waiters.splice(0)) w(); });
  const closed = new Promise<void>((resolve) => { sock.on('close', () => { for (const w of waiters.splice(0)) w(); resolve(); }); });
  const until = async (pred: (b: Buffer) => boolean): Promise<Buffer> => {
    while (!pred(buf)) {
      if (sock.destroyed) throw new Error(`socket closed; got ${JSON.stringify(buf.toString())}`);
      await new Promise<void>((r) => waiters.push(r));
    }
    return buf;
  };
  return { bytes: () => buf, until, closed };
}

const HEAD_END = '\r\n\r\n';

t.test('attach with an upgrade: 101, stdin bytes reach the engine, output frames come back, half-close ends stdin', async (t) => {
  const { deps, path } = await listening(t);
  const { Id } = await deps.containers.create('a', { Image: 'busybox', OpenStdin: true });
  await deps.containers.start(Id);
  const sock = connect(path);
  const r = reader(sock);
  // The request and the first stdin bytes in one write: bytes past the headers must not be lost.
  sock.write(`POST /v1.44/containers/a/attach?stream=1&stdin=1&stdout=1&stderr=1 HTTP/1.1\r\nHost: api\r\nConnection: Upgrade\r\nUpgrade: tcp\r\nContent-Length: 0\r\n\r\nfirst`);
  const headAndFirst = await r.until((b) => b.includes(HEAD_END) && b.length >= b.indexOf(HEAD_END) + 4 + 13);
  const head = headAndFirst.subarray(0, headAndFirst.indexOf(HEAD_END)).toString();
  t.equal(head, 'HTTP/1.1 101 UPGRADED\r\nContent-Type: application/vnd.docker.multiplexed-stream\r\nConnection: Upgrade\r\nUpgrade: tcp');
  const start = headAndFirst.indexOf(HEAD_END) + 4;
  t.same(headAndFirst.subarray(start, start + 13), frame(1, 'first'));
  sock.write('second');
  await r.until((b) => b.length >= start + 13 + 14);
  t.same(r.bytes().subarray(start + 13, start + 27), frame(1, 'second'));
  sock.end(); // CloseWrite: the engine must see end-of-stdin and may still write
  await r.closed;
  t.same(r.bytes().subarray(start + 27), frame(2, 'bye\n'));
  t.same(deps.containers.stdin.get(Id), { data: 'firstsecond', ended: true });
  t.same(deps.containers.calls.find((c) => c[0] === 'attach')?.[2], { detachKeys: undefined, logs: undefined, stream: true, stdin: true, stdout: true, stderr: true });
});

t.test('attach of an unknown container over an upgrade request is a plain 404', async (t) => {
  const { path } = await listening(t);
  const sock = connect(path);
  const r = reader(sock);
  sock.write('POST /containers/nope/attach?stream=1 HTTP/1.1\r\nHost: api\r\nConnection: Upgrade\r\nUpgrade: tcp\r\nContent-Length: 0\r\n\r\n');
  await r.closed;
  const text = r.bytes().toString();
  t.match(text, /^HTTP\/1\.1 404 Not Found\r\n/);
  t.match(text, /\{"message":"No such container: nope"\}/);
});

t.test('attach to a paused container is a 409 before the upgrade', async (t) => {
  const { deps, path } = await listening(t);
  await deps.containers.create('p', { Image: 'busybox' });
  await deps.containers.start('p');
  await deps.containers.pause('p');
  const sock = connect(path);
  const r = reader(sock);
  sock.write('POST /containers/p/attach?stream=1&stdout=1 HTTP/1.1\r\nHost: api\r\nConnection: Upgrade\r\nUpgrade: tcp\r\nContent-Length: 0\r\n\r\n');
  await r.closed;
  t.match(r.bytes().toString(), /^HTTP\/1\.1 409 Conflict\r\n[^]*"message":"container p is paused, unpause the container before attach"/);
});

t.test('old clients without upgrade get 200 and the raw stream', async (t) => {
  const { deps, path } = await listening(t);
  await deps.containers.create('tty', { Image: 'busybox', Tty: true });
  const sock = connect(path);
  const r = reader(sock);
  sock.write('POST /v1.24/containers/tty/attach?stream=1&stdout=1 HTTP/1.1\r\nHost: api\r\nContent-Length: 0\r\n\r\n');
  const b = await r.until((x) => x.includes(HEAD_END));
  t.equal(b.subarray(0, b.indexOf(HEAD_END)).toString(), 'HTTP/1.1 200 OK\r\nContent-Type: application/vnd.docker.raw-stream');
  sock.end();
  await r.closed;
  t.equal(r.bytes().subarray(b.indexOf(HEAD_END) + 4).toString(), 'bye\n');
});

t.test('exec start hijacks (tty: raw stream) and echoes', async (t) => {
  const { deps, path } = await listening(t);
  await deps.containers.create('e', { Image: 'busybox' });
  const { Id } = await deps.containers.execCreate('e', { Cmd: ['sh'], Tty: true, AttachStdin: true });
  const body = JSON.stringify({ Detach: false, Tty: true });
  const sock = connect(path);
  const r = reader(sock);
  sock.write(`POST /v1.44/exec/${Id}/start HTTP/1.1\r\nHost: api\r\nConnection: Upgrade\r\nUpgrade: tcp\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
  const b = await r.until((x) => x.includes(HEAD_END));
  t.match(b.toString(), /^HTTP\/1\.1 101 UPGRADED\r\nContent-Type: application\/vnd\.docker\.raw-stream\r\n/);
  sock.write('ls\n');
  await r.until((x) => x.toString().endsWith('ls\n'));
  sock.end();
  await r.closed;
  t.match(r.bytes().toString(), /\r\n\r\nls\nbye\n$/);
  t.same(deps.containers.stdin.get(Id), { data: 'ls\n', ended: true });
});

t.test('exec start whose body arrives after the headers, with stdin right behind it', async (t) => {
  const { app, deps, path } = await listening(t);
  await deps.containers.create('e2', { Image: 'busybox' });
  const { Id } = await deps.containers.execCreate('e2', { Cmd: ['sh'], AttachStdin: true });
  const body = JSON.stringify({ Detach: false, Tty: false });
  const upgraded = new Promise<void>((resolve) => { app.server.prependOnceListener('upgrade', () => { resolve(); }); });
  const sock = connect(path);
  const r = reader(sock);
  sock.write(`POST /exec/${Id}/start HTTP/1.1\r\nHost: api\r\nConnection: Upgrade\r\nUpgrade: tcp\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`);
  await upgraded; // the server has the headers, not the body yet
  sock.write(`${body}early`);
  const b = await r.until((x) => x.includes(HEAD_END) && x.length >= x.indexOf(HEAD_END) + 4 + 13);
  const start = b.indexOf(HEAD_END) + 4;
  t.match(b.subarray(0, start).toString(), /^HTTP\/1\.1 101 UPGRADED\r\nContent-Type: application\/vnd\.docker\.multiplexed-stream\r\n/);
  t.same(b.subarray(start, start + 13), frame(1, 'early'), 'bytes after the body are stdin, not lost');
  sock.end();
  await r.closed;
  t.same(deps.containers.stdin.get(Id), { data: 'early', ended: true });
});

t.test('wait sends the headers at once and the body when the container exits', async (t) => {
  const { deps, path } = await listening(t);
  await deps.containers.create('w', { Image: 'busybox' });
  await deps.containers.start('w');
  const res = await new Promise<IncomingMessage>((resolve, reject) => {
    const req = request({ socketPath: path, method: 'POST', path: '/v1.44/containers/w/wait' }, resolve);
    req.on('error', reject);
    req.end();
  });
  t.equal(res.statusCode, 200, 'headers arrived while the container still runs');
  t.equal(res.headers['content-type'], 'application/json');
  t.equal(deps.containers.containers.get([...deps.containers.containers.keys()][0] ?? '')?.status, 'running');
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  const ended = new Promise<void>((resolve) => res.on('end', resolve));
  await deps.containers.stop('w', {});
  await ended;
  t.same(JSON.parse(Buffer.concat(chunks).toString()), { StatusCode: 143, Error: null });
});

t.test('websocket attach: raw frames both ways', async (t) => {
  const { deps, path } = await listening(t);
  const { Id } = await deps.containers.create('ws', { Image: 'busybox', OpenStdin: true });
  const ws = new WebSocket(`ws+unix://${path}:/v1.44/containers/ws/attach/ws?stream=1&stdin=1&stdout=1`);
  const got: string[] = [];
  const firstMessage = new Promise<void>((resolve) => ws.on('message', (m: Buffer) => { got.push(m.toString()); resolve(); }));
  await new Promise<void>((resolve, reject) => { ws.on('open', () => resolve()); ws.on('error', reject); });
  ws.send('hello ws');
  await firstMessage;
  t.same(got, ['hello ws'], 'raw: no stdcopy header on websocket');
  ws.close();
  t.equal(deps.containers.stdin.get(Id)?.data, 'hello ws');
  t.same(deps.containers.calls.find((c) => c[0] === 'attach')?.[2], { detachKeys: undefined, logs: undefined, stream: true, stdin: true, stdout: true, stderr: undefined, raw: true });
});

t.test('the websocket endpoint without an upgrade is a 400', async (t) => {
  const { app } = await listening(t);
  const r = await app.inject({ url: '/containers/x/attach/ws' });
  t.equal(r.statusCode, 400);
});
