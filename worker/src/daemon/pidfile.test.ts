import t from 'tap';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { acquirePidfile } from './pidfile.js';

t.test('takes a fresh pid file and removes it on release', async (t) => {
  const path = join(t.testdir(), 'run', 'shoald.pid');
  const release = await acquirePidfile(path);
  t.equal(readFileSync(path, 'utf8'), `${process.pid}\n`);
  await release();
  t.notOk(existsSync(path));
});

t.test('replaces a stale pid file', async (t) => {
  const path = join(t.testdir(), 'shoald.pid');
  writeFileSync(path, '999999999\n');
  const release = await acquirePidfile(path);
  t.equal(readFileSync(path, 'utf8'), `${process.pid}\n`);
  await release();
});

t.test('refuses when a live process holds it, and leaves it alone', async (t) => {
  const path = join(t.testdir(), 'shoald.pid');
  writeFileSync(path, `${process.ppid}\n`);
  await t.rejects(acquirePidfile(path), { code: 'DAEMON_ALREADY_RUNNING', message: new RegExp(`process ${process.ppid}`) });
  t.equal(readFileSync(path, 'utf8'), `${process.ppid}\n`);
});

t.test('release does not remove a pid file that another process took over', async (t) => {
  const path = join(t.testdir(), 'shoald.pid');
  const release = await acquirePidfile(path);
  writeFileSync(path, '4242\n');
  await release();
  t.equal(readFileSync(path, 'utf8'), '4242\n');
});
