import { createReadStream, createWriteStream } from 'node:fs';
import { chmod, lchown, link, lstat, lutimes, mkdir, rm, symlink, utimes } from 'node:fs/promises';
import { posix } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { extract, type Header } from 'tar-stream';
import { setAttribute } from '@napi-rs/xattr';
import { runTool } from '@shoal/common';
import { imageErrors } from './image-errors.js';

const WHITEOUT_PREFIX = '.wh.';
const WHITEOUT_META_PREFIX = '.wh..wh.';
const WHITEOUT_OPAQUE = '.wh..wh..opq';

/** What {@link unpackLayer} found. */
export interface UnpackResult {
  /** Bytes of the layer as Docker counts them: regular files (hard links once) plus symlink targets. */
  size: number;
}


/**
 * Normalise a tar entry name to a path relative to the layer root, or ''
 * for the root itself. Throws ENGINE_IMAGE_INVALID_LAYER for a name that
 * climbs out of the root.
 */
export function safeEntryPath(name: string): string {
  const n = posix.normalize(`/${name}`).slice(1).replace(/\/$/, '');
  // posix.normalize of an absolute path never keeps "..", so check the raw components.
  let depth = 0;
  for (const part of name.split('/')) {
    if (part === '..') depth--;
    else if (part !== '' && part !== '.') depth++;
    if (depth < 0) throw imageErrors.make('INVALID_LAYER', `layer entry ${JSON.stringify(name)} escapes the layer root`);
  }
  return n;
}

/**
 * Unpack an uncompressed layer tar at `tarPath` into the directory `dest`
 * (created if missing) the way overlay expects a layer diff: AUFS
 * whiteouts `.wh.NAME` become 0:0 character devices, `.wh..wh..opq` sets
 * `trusted.overlay.opaque=y` on its directory; hard links, symlinks, device
 * nodes, fifos, modes (with setuid bits), owners, mtimes and `SCHILY.xattr`
 * extended attributes are kept. An entry that climbs out of `dest` (`../`,
 * writing through a symlink, a hard link to outside) is refused with
 * ENGINE_IMAGE_INVALID_LAYER. Needs root (mknod, chown, trusted xattrs).
 */
export async function unpackLayer(tarPath: string, dest: string): Promise<UnpackResult> {
  await mkdir(dest, { recursive: true });
  const ex = extract();
  const done = pipeline(createReadStream(tarPath), ex);
  const dirTimes: Array<{ path: string; mtime: Date; depth: number }> = [];
  const knownDirs = new Set<string>(['']);
  let size = 0;

  const ensureParents = async (rel: string): Promise<void> => {
    const parts = rel.split('/');
    parts.pop();
    let cur = '';
    for (const part of parts) {
      cur = cur === '' ? part : `${cur}/${part}`;
      if (knownDirs.has(cur)) continue;
      const st = await lstat(`${dest}/${cur}`).catch((e: NodeJS.ErrnoException) => {
        if (e.code === 'ENOENT') return undefined;
        throw e;
      });
      if (st === undefined) await mkdir(`${dest}/${cur}`, { mode: 0o755 });
      else if (st.isSymbolicLink()) throw imageErrors.make('INVALID_LAYER', `layer entry ${JSON.stringify(rel)} would be written through the symlink ${cur}`);
      else if (!st.isDirectory()) throw imageErrors.make('INVALID_LAYER', `layer entry ${JSON.stringify(rel)} has a parent ${cur} that is not a directory`);
      knownDirs.add(cur);
    }
  };
  const removeExisting = async (abs: string, rel: string, keepDir: boolean): Promise<void> => {
    const st = await lstat(abs).catch(() => undefined);
    if (st === undefined) return;
    if (keepDir && st.isDirectory()) return;
    await rm(abs, { recursive: true, force: true });
    for (const d of knownDirs) if (d === rel || d.startsWith(`${rel}/`)) knownDirs.delete(d);
  };
  const mknod = async (abs: string, kind: 'c' | 'b' | 'p', major = 0, minor = 0, mode = 0): Promise<void> => {
    const argv = ['mknod', '-m', (mode & 0o7777).toString(8), abs, kind];
    if (kind !== 'p') argv.push(String(major), String(minor));
    await runTool(argv);
  };

  try {
    for await (const entry of ex) {
      const h: Partial<Header> & { name: string } = entry.header;
      try {
        const rel = safeEntryPath(h.name);
        const base = posix.basename(rel);
        const mtime = h.mtime ?? new Date(0);
        if (rel !== '') await ensureParents(rel);
        const abs = rel === '' ? dest : `${dest}/${rel}`;

        if (base.startsWith(WHITEOUT_PREFIX)) {
          const dir = posix.dirname(rel) === '.' ? '' : posix.dirname(rel);
          const dirAbs = dir === '' ? dest : `${dest}/${dir}`;
          if (base === WHITEOUT_OPAQUE) {
            await setAttribute(dirAbs, 'trusted.overlay.opaque', 'y');
          } else if (!base.startsWith(WHITEOUT_META_PREFIX)) {
            const target = `${dirAbs}/${base.slice(WHITEOUT_PREFIX.length)}`;
            await removeExisting(target, dir === '' ? base.slice(WHITEOUT_PREFIX.length) : `${dir}/${base.slice(WHITEOUT_PREFIX.length)}`, false);
            await mknod(target, 'c', 0, 0, 0);
            await lchown(target, h.uid ?? 0, h.gid ?? 0);
            await lutimes(target, mtime, mtime);
          }
          entry.resume();
          continue;
        }

        const mode = (h.mode ?? 0o644) & 0o7777;
        switch (h.type) {
          case 'directory': {
            if (rel !== '') await removeExisting(abs, rel, true);
            await mkdir(abs, { recursive: true });
            knownDirs.add(rel);
            await lchown(abs, h.uid ?? 0, h.gid ?? 0);
            await chmod(abs, mode);
            dirTimes.push({ path: abs, mtime, depth: rel === '' ? 0 : rel.split('/').length });
            entry.resume();
            break;
          }
          case 'file':
          case 'contiguous-file':
          case undefined:
          case null: {
            if (rel === '') throw imageErrors.make('INVALID_LAYER', 'layer has a file entry for its root');
            await removeExisting(abs, rel, false);
            // streamx streams work with Node's pipeline; only their types differ.
            await pipeline(entry as unknown as Readable, createWriteStream(abs, { mode: 0o600 }));
            await lchown(abs, h.uid ?? 0, h.gid ?? 0);
            await chmod(abs, mode);
            await utimes(abs, mtime, mtime);
            size += h.size ?? 0;
            break;
          }
          case 'symlink': {
            if (rel === '') throw imageErrors.make('INVALID_LAYER', 'layer has a symlink entry for its root');
            const target = h.linkname ?? '';
            await removeExisting(abs, rel, false);
            await symlink(target, abs);
            await lchown(abs, h.uid ?? 0, h.gid ?? 0);
            await lutimes(abs, mtime, mtime);
            size += Buffer.byteLength(target);
            entry.resume();
            break;
          }
          case 'link': {
            if (rel === '') throw imageErrors.make('INVALID_LAYER', 'layer has a hard link entry for its root');
            const targetRel = safeEntryPath(h.linkname ?? '');
            if (targetRel === '') throw imageErrors.make('INVALID_LAYER', `hard link ${JSON.stringify(h.name)} points at the layer root`);
            await ensureParents(targetRel);
            const targetAbs = `${dest}/${targetRel}`;
            const tst = await lstat(targetAbs).catch(() => undefined);
            if (tst === undefined) throw imageErrors.make('INVALID_LAYER', `hard link ${JSON.stringify(h.name)} points at ${JSON.stringify(h.linkname)}, which is not in the layer`);
            if (tst.isDirectory()) throw imageErrors.make('INVALID_LAYER', `hard link ${JSON.stringify(h.name)} points at a directory`);
            if (targetAbs !== abs) {
              await removeExisting(abs, rel, false);
              await link(targetAbs, abs);
            }
            entry.resume();
            break;
          }
          case 'character-device':
          case 'block-device':
          case 'fifo': {
            if (rel === '') throw imageErrors.make('INVALID_LAYER', 'layer has a device entry for its root');
            await removeExisting(abs, rel, false);
            const kind = h.type === 'fifo' ? 'p' : h.type === 'block-device' ? 'b' : 'c';
            await mknod(abs, kind, h.devmajor ?? 0, h.devminor ?? 0, mode);
            await lchown(abs, h.uid ?? 0, h.gid ?? 0);
            await chmod(abs, mode);
            await lutimes(abs, mtime, mtime);
            entry.resume();
            break;
          }
          default:
            // pax/gnu headers are folded into the next entry by tar-stream; other types carry nothing to write.
            entry.resume();
            continue;
        }
        const pax = (h.pax ?? {}) as Record<string, string>;
        if (h.type !== 'symlink' && h.type !== 'link') {
          for (const [k, v] of Object.entries(pax)) {
            if (k.startsWith('SCHILY.xattr.')) await setAttribute(abs, k.slice('SCHILY.xattr.'.length), Buffer.from(v, 'latin1'));
          }
        }
      } catch (e) {
        entry.resume();
        throw e;
      }
    }
    await done;
  } catch (e) {
    ex.destroy();
    await done.catch(() => undefined);
    // tar-stream's parse errors carry no code; file system errors and ours do.
    if (e instanceof Error && (e as { code?: unknown }).code === undefined) {
      throw imageErrors.make('INVALID_LAYER', `layer tar is malformed: ${e.message}`, { cause: e });
    }
    throw e;
  }
  // Directory mtimes last, deepest first, so that creating their children does not move them.
  dirTimes.sort((a, b) => b.depth - a.depth);
  for (const d of dirTimes) await utimes(d.path, d.mtime, d.mtime);
  return { size };
}
