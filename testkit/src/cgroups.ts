import { readFile, readdir, rmdir } from 'node:fs/promises';
import type { Dirent } from 'node:fs';
import { join } from 'node:path';

/** Mount points of every cgroup hierarchy (v1 and v2) of this host. */
export async function cgroupMountPoints(): Promise<string[]> {
  const mounts = await readFile('/proc/self/mounts', 'utf8');
  return mounts.split('\n')
    .map((l) => l.split(' '))
    .filter((f) => f[2] === 'cgroup' || f[2] === 'cgroup2')
    .map((f) => f[1]!);
}

async function removeTree(dir: string): Promise<void> {
  let entries: Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) if (e.isDirectory()) await removeTree(join(dir, e.name));
  // A container's processes may still be leaving (EBUSY): retry for a bounded while.
  for (let i = 0; i < 40; i++) {
    const err = await rmdir(dir).then(() => undefined, (x: NodeJS.ErrnoException) => x);
    if (err === undefined || err.code !== 'EBUSY') return;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Remove the cgroup directory `parent` (relative, e.g. `shoaltest-ab12`) and
 * everything below it in every hierarchy. Directories still holding
 * processes stay (rmdir refuses them); call after the processes ended.
 */
export async function removeCgroupTree(parent: string): Promise<void> {
  const rel = parent.replace(/^\/+/, '');
  if (rel === '' || rel.includes('..')) throw new Error(`refusing to remove cgroup ${parent}`);
  for (const mp of await cgroupMountPoints()) await removeTree(join(mp, rel));
}
