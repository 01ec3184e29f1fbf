/**
 * The file system the WAL and snapshot files live on, as one small
 * interface: the real one (`nodeWalFs`, node:fs/promises) in production, a
 * simulated disk in the simulator (writes lost, torn or reordered unless
 * fsynced; see ../sim/sim-disk.ts). Plus the durable-file helpers built on it.
 */
import { mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** An open file. */
export interface WalFileHandle {
  /** Writes the buffers at the end (append mode) or at the current position; returns bytes written. */
  writev(buffers: readonly Uint8Array[]): Promise<number>;
  datasync(): Promise<void>;
  sync(): Promise<void>;
  truncate(length: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * How a file is opened: `append` (an existing file, writes go to its end),
 * `create` (a new or emptied file, mode 0600), `update` (an existing file,
 * for truncate).
 */
export type WalOpenMode = 'append' | 'create' | 'update';

/** The operations the WAL needs. Errors carry Node's `code` (ENOENT, ...). */
export interface WalFs {
  /** Creates a directory and its parents. */
  mkdirp(path: string): Promise<void>;
  readdir(path: string): Promise<string[]>;
  readFile(path: string): Promise<Buffer>;
  exists(path: string): Promise<boolean>;
  /** Removes a file; no error when it is missing. */
  remove(path: string): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  open(path: string, mode: WalOpenMode): Promise<WalFileHandle>;
  /** fsyncs a directory so that names created, renamed or removed in it are durable. */
  syncDir(path: string): Promise<void>;
}

const FLAGS: Record<WalOpenMode, string> = { append: 'a', create: 'w', update: 'r+' };

/** The real file system. */
export const nodeWalFs: WalFs = {
  async mkdirp(path) {
    await mkdir(path, { recursive: true });
  },
  readdir: (path) => readdir(path),
  readFile: (path) => readFile(path),
  async exists(path) {
    try {
      await stat(path);
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw err;
    }
  },
  async remove(path) {
    await rm(path, { force: true });
  },
  rename: (from, to) => rename(from, to),
  async open(path, mode) {
    const fh = await open(path, FLAGS[mode], 0o600);
    return {
      writev: async (buffers) => (await fh.writev(buffers as Uint8Array[])).bytesWritten,
      datasync: () => fh.datasync(),
      sync: () => fh.sync(),
      truncate: (length) => fh.truncate(length),
      close: () => fh.close(),
    };
  },
  async syncDir(path) {
    const fh = await open(path, 'r');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
  },
};

let tmpSeq = 0;

/**
 * Writes `data` to `path` atomically: a `.tmp-` sibling is written and
 * fsynced, renamed over `path`, then the directory is fsynced. A crash leaves
 * either the old file or the new one, never a mix (plus maybe a `.tmp-` file,
 * which readers ignore and openers remove).
 */
export async function writeFileAtomic(fs: WalFs, path: string, chunks: readonly Uint8Array[]): Promise<void> {
  // A name of its own per write: two writers of the same file (a local compaction and the same
  // snapshot received from the leader) must not share, and truncate, one temporary file.
  const tmp = join(dirname(path), `.tmp-${basename(path)}.${++tmpSeq}`);
  const fh = await fs.open(tmp, 'create');
  try {
    const total = chunks.reduce((n, c) => n + c.length, 0);
    const written = await fh.writev(chunks);
    if (written !== total) throw new Error(`short write to ${tmp}: ${written} of ${total} bytes`);
    await fh.sync();
  } catch (err) {
    await fh.close();
    await fs.remove(tmp);
    throw err;
  }
  await fh.close();
  await fs.rename(tmp, path);
  await fs.syncDir(dirname(path));
}
