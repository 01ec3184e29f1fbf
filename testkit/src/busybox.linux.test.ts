import t from 'tap';
import { readlink, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { makeBusyboxRootfs } from './busybox.js';

t.test('busybox rootfs has applets and users', async (t) => {
  const dir = t.testdir();
  await makeBusyboxRootfs(dir);
  t.equal(await readlink(join(dir, 'bin/sh')), '../bin/busybox', 'bin/sh links to busybox');
  t.equal(await readlink(join(dir, 'usr/bin/env')), '../../bin/busybox', 'links are relative at any depth');
  t.match(await readFile(join(dir, 'etc/passwd'), 'utf8'), /^app:x:1000:1000/m);
  for (const d of ['proc', 'sys', 'dev']) t.notOk(existsSync(join(dir, d)), `no /${d}, as in a FROM scratch image`);
});
