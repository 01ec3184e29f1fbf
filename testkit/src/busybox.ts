import { mkdir, writeFile, symlink, copyFile, chmod, access } from 'node:fs/promises';
import { join } from 'node:path';
import { runTool } from '@shoal/common';

/** Where Debian's busybox-static installs the static busybox. */
export const BUSYBOX = '/bin/busybox';

/** True when busybox-static is installed (tests that need it fail loudly otherwise). */
export async function haveBusybox(): Promise<boolean> {
  try {
    await access(BUSYBOX);
    return true;
  } catch {
    return false;
  }
}

/**
 * Make a minimal root filesystem in `dir` from busybox-static, shaped like a
 * real image built FROM scratch: /bin/busybox with a relative symlink per
 * applet, /etc/passwd and /etc/group with root, nobody and a user `app`
 * (uid 1000, group `app` gid 1000), /tmp, and no /proc /sys /dev (the
 * runtime must make its own mount points, as for real images). Returns `dir`.
 */
export async function makeBusyboxRootfs(dir: string): Promise<string> {
  for (const d of ['bin', 'sbin', 'usr/bin', 'usr/sbin', 'etc', 'tmp', 'root', 'home/app', 'var/www']) {
    await mkdir(join(dir, d), { recursive: true });
  }
  await chmod(join(dir, 'tmp'), 0o1777);
  await copyFile(BUSYBOX, join(dir, 'bin/busybox'));
  await chmod(join(dir, 'bin/busybox'), 0o755);
  const { stdout } = await runTool([BUSYBOX, '--list-full']);
  for (const line of stdout.split('\n')) {
    const applet = line.trim();
    if (applet === '' || applet === 'bin/busybox') continue;
    const target = join(dir, applet);
    const depth = applet.split('/').length - 1;
    await symlink(`${'../'.repeat(depth)}bin/busybox`, target).catch((e: NodeJS.ErrnoException) => {
      if (e.code !== 'EEXIST') throw e;
    });
  }
  await writeFile(join(dir, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:app:/home/app:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n');
  await writeFile(join(dir, 'etc/group'), 'root:x:0:\napp:x:1000:\nstaff:x:50:app\nnogroup:x:65534:\n');
  await writeFile(join(dir, 'var/www/index.html'), 'hello from shoal\n');
  return dir;
}

/**
 * Write a tar of a busybox rootfs to `tarPath` (what `docker import` takes).
 * `work` is a scratch directory the caller cleans up.
 */
export async function makeBusyboxRootfsTar(work: string, tarPath: string): Promise<string> {
  const root = join(work, 'rootfs');
  await makeBusyboxRootfs(root);
  await runTool(['tar', '--numeric-owner', '-C', root, '-cf', tarPath, '.']);
  return tarPath;
}
