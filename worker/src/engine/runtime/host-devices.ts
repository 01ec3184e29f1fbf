import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { OciDevice } from './oci-spec.js';

/** /dev subtrees that are per-container mounts, not devices to copy. */
const SKIP = new Set(['pts', 'shm', 'mqueue', 'hugepages', 'fd', 'console', 'ptmx']);

/** Linux dev_t split (glibc's major/minor macros). */
export function splitDev(rdev: bigint): { major: number; minor: number } {
  const major = Number(((rdev >> 8n) & 0xfffn) | ((rdev >> 32n) & ~0xfffn));
  const minor = Number((rdev & 0xffn) | ((rdev >> 12n) & ~0xffn));
  return { major, minor };
}

/** The host's device nodes under `/dev` (for --privileged), as OCI devices. */
export async function readHostDevices(root = '/dev'): Promise<OciDevice[]> {
  const out: OciDevice[] = [];
  const walk = async (dir: string): Promise<void> => {
    let names: string[];
    try {
      names = await readdir(dir);
    } catch {
      return;
    }
    await Promise.all(names.map(async (n) => {
      const p = join(dir, n);
      if (dir === root && SKIP.has(n)) return;
      try {
        const st = await lstat(p, { bigint: true });
        if (st.isDirectory()) { await walk(p); return; }
        if (!st.isCharacterDevice() && !st.isBlockDevice()) return;
        const { major, minor } = splitDev(st.rdev);
        out.push({ path: p, type: st.isCharacterDevice() ? 'c' : 'b', major, minor, fileMode: Number(st.mode & 0o777n), uid: Number(st.uid), gid: Number(st.gid) });
      } catch { /* vanished */ }
    }));
  };
  await walk(root);
  return out.sort((a, b) => a.path.localeCompare(b.path));
}
