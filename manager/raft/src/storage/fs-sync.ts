/** Small durable-file helpers: fsync a directory, write a file atomically. */
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** fsyncs a directory so that created, renamed or removed names in it are durable. */
export async function fsyncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/**
 * Writes `data` to `path` atomically: a `.tmp` sibling is written and
 * fsynced, renamed over `path`, then the directory is fsynced. A crash leaves
 * either the old file or the new one, never a mix (plus maybe a `.tmp` file,
 * which readers ignore and openers remove).
 */
export async function writeFileAtomic(path: string, chunks: readonly Uint8Array[]): Promise<void> {
  const tmp = join(dirname(path), `.tmp-${basename(path)}`);
  const fh = await open(tmp, 'w', 0o600);
  try {
    for (const c of chunks) await fh.write(c);
    await fh.sync();
  } catch (err) {
    await fh.close();
    await rm(tmp, { force: true });
    throw err;
  }
  await fh.close();
  await rename(tmp, path);
  await fsyncDir(dirname(path));
}
