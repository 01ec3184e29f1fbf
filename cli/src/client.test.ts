import t, { type Test } from 'tap';
import { createServer, type Server } from 'node:http';
import { Readable } from 'node:stream';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EngineClient, parseHost } from './client.js';

/**
 * A server on a unix socket in a short temporary directory: a socket path
 * over 107 bytes (t.testdir() names are long) is silently truncated by the
 * kernel and lands outside the directory, where nothing removes it and the
 * next run fails with EADDRINUSE.
 */
async function listen(t: Test, server: Server): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'shoal-cli-'));
  const socketPath = join(dir, 'd.sock');
  await new Promise<void>((res) => server.listen(socketPath, res));
  t.teardown(async () => {
    await new Promise<void>((res) => { server.closeAllConnections(); server.close(() => res()); });
    rmSync(dir, { recursive: true, force: true });
  });
  return socketPath;
}

/** Exceptions nobody caught while the test runs (tap would otherwise fail the file, not the assertion). */
function collectUncaught(t: Test): unknown[] {
  const uncaught: unknown[] = [];
  const onUncaught = (e: unknown): void => { uncaught.push(e); };
  process.on('uncaughtException', onUncaught);
  t.teardown(() => { process.off('uncaughtException', onUncaught); });
  return uncaught;
}

// A daemon may answer an upload with an error before reading it (Docker does
// for a bad tar); the client must stop sending, report the daemon's message,
// and never crash later on the closed connection (it did: EPIPE, uncaught).
t.test('an error answered before the upload ends stops the upload and reports the message', async (t) => {
  let closed!: Promise<void>;
  const server = createServer((req, res) => {
    closed = new Promise((r) => req.socket.once('close', () => r()));
    res.writeHead(400, { 'Content-Type': 'application/json', Connection: 'close' });
    res.end('{"message":"invalid tar header"}');
    // As a daemon that answered early: it reads no more and drops the connection.
    req.socket.destroySoon();
  });
  const socketPath = await listen(t, server);
  const client = new EngineClient(parseHost(`unix://${socketPath}`));
  let pulled = 0;
  let ended = false;
  // An endless body: only the client stopping the upload ends this test.
  const body = new Readable({
    read() {
      pulled++;
      this.push(Buffer.alloc(64 * 1024, 1));
    },
  });
  body.on('close', () => { ended = true; });
  const uncaught = collectUncaught(t);
  await t.rejects(client.stream('POST', '/images/load', { body, contentType: 'application/x-tar' }),
    { code: 'CLI_DAEMON_ERROR', message: 'invalid tar header' });
  t.ok(ended, 'the body stream was closed');
  const after = pulled;
  // Once the daemon's end of the connection is gone, a late write would fail at once.
  await closed;
  await new Promise((r) => setImmediate(r));
  t.equal(pulled, after, 'nothing more is read from the body');
  t.same(uncaught, [], 'no late error escapes');
});

// docker load answers 200 with the error inside the stream; a daemon may send
// that before it has read the upload and close. The rest of the body must not
// be written afterwards (it was: `write EPIPE`, uncaught, after the command).
t.test('an answer complete before the upload ends stops the upload', async (t) => {
  let closed!: Promise<void>;
  const server = createServer((req, res) => {
    closed = new Promise((r) => req.socket.once('close', () => r()));
    res.writeHead(200, { 'Content-Type': 'application/json', Connection: 'close' });
    res.end('{"errorDetail":{"message":"unexpected EOF"},"error":"unexpected EOF"}\n');
    req.socket.destroySoon();
  });
  const socketPath = await listen(t, server);
  const client = new EngineClient(parseHost(`unix://${socketPath}`));
  const body = new Readable({ read() { /* pushed by the test */ } });
  body.push(Buffer.alloc(16 * 1024, 1));
  const uncaught = collectUncaught(t);
  const res = await client.stream('POST', '/images/load', { body, contentType: 'application/x-tar' });
  t.match((await res.toArray()).join(''), /unexpected EOF/);
  await closed;
  t.ok(body.destroyed, 'the upload was stopped when the answer ended');
  // The rest of the archive arrives only now, as from a slow disk.
  if (!body.destroyed) {
    body.push(Buffer.alloc(16 * 1024, 2));
    body.push(null);
  }
  await new Promise((r) => setImmediate(r));
  await new Promise((r) => setImmediate(r));
  t.same(uncaught, [], 'no late error escapes');
});
