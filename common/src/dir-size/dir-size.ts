import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';

/** Bytes used by the files under `dir` (lstat sizes; hard links counted once). 0 if missing. */
export async function dirSize(dir: string, seen = new Set<bigint>()): Promise<number> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return 0;
  }
  const sizes = await Promise.all(names.map(async (n) => {
    const p = join(dir, n);
    try {
      const st = await lstat(p, { bigint: true });
      if (st.isDirectory()) return dirSize(p, seen);
      if (st.nlink > 1n) {
        if (seen.has(st.ino)) return 0;
        seen.add(st.ino);
      }
      return Number(st.size);
    } catch {
      return 0;
    }
  }));
  return sizes.reduce((a, b) => a + b, 0);
}
