import { lstat, readdir, readlink } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { pack, type Pack } from 'tar-stream';
import { getAttribute } from '@napi-rs/xattr';
import { addEntry, addFileEntry } from './tar-write.js';

const WHITEOUT_PREFIX = '.wh.';
const WHITEOUT_OPAQUE = '.wh..wh..opq';

/** Linux dev_t split as glibc's major()/minor(). */
function devParts(rdev: number): { devmajor: number; devminor: number } {
  return { devmajor: Math.floor(rdev / 256) & 0xfff, devminor: (rdev & 0xff) | (Math.floor(rdev / 4096) & 0xfff00) };
}

/**
 * A layer tar of an overlay diff directory (a container's upper dir), the
 * inverse of {@link unpackLayer}: 0:0 character devices become `.wh.NAME`
 * whiteouts, directories with `trusted.overlay.opaque=y` get a
 * `.wh..wh..opq` entry; hard links (same inode) are written once then as
 * links; owners, modes and mtimes are kept. Entries are sorted by name so
 * the same tree gives the same bytes (and diff id). Extended attributes
 * other than the opaque marker and sockets are not written. The returned
 * stream errors if the walk fails.
 */
export function packLayer(dir: string): Readable {
  const p = pack();
  walk(p, dir).then(() => p.finalize(), (e: unknown) => p.destroy(e as Error));
  return p as unknown as Readable;
}

async function walk(p: Pack, root: string): Promise<void> {
  const inodes = new Map<string, string>();
  const visit = async (rel: string): Promise<void> => {
    const names = (await readdir(rel === '' ? root : `${root}/${rel}`)).sort();
    for (const name of names) {
      const path = rel === '' ? name : `${rel}/${name}`;
      const abs = `${root}/${path}`;
      const st = await lstat(abs);
      const base = { mode: st.mode & 0o7777, uid: st.uid, gid: st.gid, mtime: st.mtime };
      if (st.isCharacterDevice() && st.rdev === 0) {
        const wh = rel === '' ? `${WHITEOUT_PREFIX}${name}` : `${rel}/${WHITEOUT_PREFIX}${name}`;
        await addEntry(p, { name: wh, type: 'file', ...base, mode: 0o600, size: 0 });
      } else if (st.isDirectory()) {
        await addEntry(p, { name: `${path}/`, type: 'directory', ...base });
        const opaque = await getAttribute(abs, 'trusted.overlay.opaque').catch(() => null);
        if (opaque !== null && opaque.toString() === 'y') {
          await addEntry(p, { name: `${path}/${WHITEOUT_OPAQUE}`, type: 'file', ...base, mode: 0o600, size: 0 });
        }
        await visit(path);
      } else if (st.isSymbolicLink()) {
        await addEntry(p, { name: path, type: 'symlink', linkname: await readlink(abs), ...base });
      } else if (st.isFile()) {
        const key = `${st.dev}:${st.ino}`;
        const first = st.nlink > 1 ? inodes.get(key) : undefined;
        if (first !== undefined) {
          await addEntry(p, { name: path, type: 'link', linkname: first, ...base, size: 0 });
        } else {
          if (st.nlink > 1) inodes.set(key, path);
          await addFileEntry(p, { name: path, ...base, size: st.size }, abs);
        }
      } else if (st.isCharacterDevice() || st.isBlockDevice()) {
        await addEntry(p, { name: path, type: st.isCharacterDevice() ? 'character-device' : 'block-device', ...base, ...devParts(st.rdev) });
      } else if (st.isFIFO()) {
        await addEntry(p, { name: path, type: 'fifo', ...base });
      }
    }
  };
  await visit('');
}
