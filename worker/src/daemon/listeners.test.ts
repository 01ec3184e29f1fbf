import t from 'tap';
import { createServer } from 'node:net';
import { mkdtempSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'node:http';
import { silentLogger } from '@shoal/common';
import { buildApp } from '../engine/api/index.js';
import { fakeDeps } from '../testing/fake-engines.js';
import { listenUnix, socketAnswers } from './listeners.js';

async function setup(t: { teardown(fn: () => unknown): void }) {
  const app = await buildApp({ ...fakeDeps(), log: silentLogger() });
  await app.ready();
  const dir = mkdtempSync(join(tmpdir(), 'shoal-listen-'));
  t.teardown(async () => { await app.close(); rmSync(dir, { recursive: true, force: true }); });
  return { app, dir };
}

function ping(socketPath: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, path: '/_ping' }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => { body += c.toString(); });
      res.on('end', () => { resolve(body); });
    });
    req.on('error', reject);
    req.end();
  });
}

t.test('listens on a unix socket in a new directory, mode 660, removed on close', async (t) => {
  const { app, dir } = await setup(t);
  const path = join(dir, 'sub', 'shoal.sock');
  const l = await listenUnix(app, path, silentLogger());
  t.equal(l.address, `unix://${path}`);
  t.equal(statSync(path).mode & 0o777, 0o660);
  t.equal(await ping(path), 'OK');
  await l.close();
  t.notOk(existsSync(path));
  t.equal(await socketAnswers(path), false);
});

t.test('a stale socket file is replaced; a live one is refused', async (t) => {
  const { app, dir } = await setup(t);
  const stale = join(dir, 'stale.sock');
  writeFileSync(stale, '');
  const l = await listenUnix(app, stale, silentLogger());
  t.equal(await ping(stale), 'OK');
  await l.close();

  const live = join(dir, 'live.sock');
  const other = createServer();
  await new Promise<void>((resolve) => other.listen(live, resolve));
  t.teardown(() => new Promise<void>((resolve) => { other.close(() => { resolve(); }); }));
  await t.rejects(listenUnix(app, live, silentLogger()), { code: 'DAEMON_ALREADY_RUNNING' });
  t.ok(existsSync(live), 'the live socket was not removed');
});

t.test('close cuts open streams', async (t) => {
  const { app, dir } = await setup(t);
  const path = join(dir, 's.sock');
  const l = await listenUnix(app, path, silentLogger());
  // A wait on a running container never ends by itself.
  const deps = fakeDeps();
  const app2 = await buildApp({ ...deps, log: silentLogger() });
  await app2.ready();
  t.teardown(() => app2.close());
  const path2 = join(dir, 's2.sock');
  const l2 = await listenUnix(app2, path2, silentLogger());
  await deps.containers.create('w', { Image: 'x' });
  await deps.containers.start('w');
  const ended = new Promise<string>((resolve) => {
    const req = request({ socketPath: path2, method: 'POST', path: '/containers/w/wait' }, (res) => {
      res.on('data', () => undefined);
      res.on('close', () => { resolve('closed'); });
    });
    req.on('error', () => { resolve('closed'); });
    req.end();
  });
  while (!deps.containers.calls.some((c) => c[0] === 'wait')) await new Promise((r) => setImmediate(r));
  await l2.close();
  t.equal(await ended, 'closed');
  await l.close();
});
