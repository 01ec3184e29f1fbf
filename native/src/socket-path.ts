import { openSync, closeSync } from 'node:fs';
import { join } from 'node:path';

/** sun_path is 108 bytes including the NUL; stay clear of the edge. */
const MAX_SUN_PATH = 100;

/**
 * A path that reaches `dir/name` for connect(2) even when it is longer than
 * sun_path allows: then it goes through `/proc/self/fd/N/name` with N an
 * open fd of `dir`. Call `release()` once connected.
 */
export function reachableSocketPath(dir: string, name: string): { path: string; release: () => void } {
  const full = join(dir, name);
  if (Buffer.byteLength(full) <= MAX_SUN_PATH) return { path: full, release: () => undefined };
  const fd = openSync(dir, 'r');
  let released = false;
  return {
    path: `/proc/self/fd/${fd}/${name}`,
    release: () => {
      if (!released) {
        released = true;
        closeSync(fd);
      }
    },
  };
}
