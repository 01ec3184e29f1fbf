import t from 'tap';
import { readlink, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeBusyboxRootfs } from './busybox.js';

t.test('busybox rootfs has applets and users', async (t) => {
  const dir = t.testdir();
  await makeBusyboxRootfs(dir);
  t.equal(await readlink(join(dir, 'bin/sh')), '../bin/busybox', 'bin/sh links to busybox');
  t.match(await readFile(join(dir, 'etc/passwd'), 'utf8'), /^app:x:1000:1000/m);
});
