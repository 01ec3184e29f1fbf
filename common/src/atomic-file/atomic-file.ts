import { open, rename, rm } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';

/** Options of {@link writeFileAtomic}. */
export interface AtomicWriteOptions {
  /** File mode of a new file. Default 0o600. */
  mode?: number;
}

/** True for the temporary files {@link writeFileAtomic} makes (`.<name>.<hex>.tmp`), left by a crash mid-write. */
export function isAtomicTempFile(name: string): boolean {
  return /^\..+\.[0-9a-f]{12}\.tmp$/.test(name);
}

/**
 * Write `data` to `path` so that after a crash at any point the file holds
 * either its old content or the whole new one, and once this resolves the
 * new one survives a power loss: a uniquely named temporary file beside it
 * (two writers never collide), fsync, rename over `path`, fsync the
 * directory (the rename itself is durable only then). A failed write removes
 * its temporary file; a crash may leave one, which readers that list the
 * directory skip ({@link isAtomicTempFile}).
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array, opts: AtomicWriteOptions = {}): Promise<void> {
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const fh = await open(tmp, 'wx', opts.mode ?? 0o600);
    try {
      await fh.writeFile(data);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
  await syncDir(dir);
}

/** {@link writeFileAtomic} of pretty-printed JSON and a newline. */
export async function writeJsonAtomic(path: string, value: unknown, opts: AtomicWriteOptions = {}): Promise<void> {
  await writeFileAtomic(path, `${JSON.stringify(value, null, 2)}\n`, opts);
}

/** fsync a directory, making the creation, rename or removal of its entries durable. */
export async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}
