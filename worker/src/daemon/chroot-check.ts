import { stat } from 'node:fs/promises';

/** Identity of a directory: device and inode. */
export interface DirIdentity {
  dev: number;
  ino: number;
}

/**
 * Pure: true when this process's root differs from the root of PID 1 of its
 * PID namespace, i.e. the daemon was started under chroot. crun then cannot
 * pivot_root into containers, and `crun exec` joins a mount namespace whose
 * root is the host's: an exec would run outside the container's rootfs.
 */
export function isChrooted(ownRoot: DirIdentity, initRoot: DirIdentity): boolean {
  return ownRoot.dev !== initRoot.dev || ownRoot.ino !== initRoot.ino;
}

/** Adapter: compare `/` with `/proc/1/root`; false when that cannot be read. */
export async function runsChrooted(): Promise<boolean> {
  try {
    const [own, init] = await Promise.all([stat('/'), stat('/proc/1/root/')]);
    return isChrooted(own, init);
  } catch {
    return false;
  }
}
