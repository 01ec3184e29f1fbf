import t from 'tap';
import { mkdir, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isAtomicTempFile, writeFileAtomic, writeJsonAtomic } from './atomic-file.js';

t.test('writes the whole new content, leaves no temporary file, mode 0600 by default', async (t) => {
  const dir = t.testdir();
  const p = join(dir, 'state.json');
  await writeFile(p, 'old');
  await writeJsonAtomic(p, { a: 1 });
  t.equal(await readFile(p, 'utf8'), '{\n  "a": 1\n}\n');
  t.same(await readdir(dir), ['state.json']);
  await writeFileAtomic(join(dir, 'new'), 'x');
  t.equal((await stat(join(dir, 'new'))).mode & 0o777, 0o600);
  await writeFileAtomic(join(dir, 'shared'), 'x', { mode: 0o644 });
  t.equal((await stat(join(dir, 'shared'))).mode & 0o777, 0o644);
});

// container-store.ts used one fixed `<file>.tmp`: two saves at once wrote the
// same temporary file, and one could rename the other's half-written bytes.
t.test('concurrent writers of one file never mix their contents', async (t) => {
  const dir = t.testdir();
  const p = join(dir, 'config.v2.json');
  const bodies = Array.from({ length: 50 }, (_, i) => JSON.stringify({ i, pad: 'x'.repeat(20_000 + i) }));
  await Promise.all(bodies.map((b) => writeFileAtomic(p, b)));
  t.ok(bodies.includes(await readFile(p, 'utf8')), 'the file is one whole write');
  t.same(await readdir(dir), ['config.v2.json'], 'no temporary file left');
});

t.test('a failed write leaves the old content and no temporary file', async (t) => {
  const dir = t.testdir();
  // The rename fails: a non-empty directory is in the way.
  const blocked = join(dir, 'blocked');
  await mkdir(join(blocked, 'child'), { recursive: true });
  await t.rejects(writeFileAtomic(blocked, 'new'));
  t.same(await readdir(blocked), ['child'], 'what was there is untouched');
  t.notOk((await readdir(dir)).some(isAtomicTempFile), 'the temporary file was removed');
});

t.test('isAtomicTempFile knows its own names only', async (t) => {
  t.ok(isAtomicTempFile('.state.json.0123456789ab.tmp'));
  t.notOk(isAtomicTempFile('state.json'));
  t.notOk(isAtomicTempFile('.hidden.tmp'));
});
