import { readdir, open, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * The files of a json-file log, oldest first: FILE.N ... FILE.2, FILE.1,
 * FILE (those that exist). Rotation renames FILE to FILE.1, FILE.1 to
 * FILE.2 and so on, so a higher number is older.
 */
export async function logFilesOldestFirst(path: string): Promise<string[]> {
  const dir = dirname(path);
  const base = basename(path);
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  const rotated: Array<{ n: number; name: string }> = [];
  let current = false;
  for (const name of names) {
    if (name === base) current = true;
    else if (name.startsWith(`${base}.`)) {
      const suffix = name.slice(base.length + 1);
      if (/^[1-9]\d*$/.test(suffix)) rotated.push({ n: Number(suffix), name });
    }
  }
  rotated.sort((a, b) => b.n - a.n);
  const out = rotated.map((r) => join(dir, r.name));
  if (current) out.push(path);
  return out;
}

const CHUNK = 64 * 1024;

/**
 * Reads complete lines from an open file, from an offset on, remembering
 * where it stopped: the building block of both the one-shot read and
 * follow. A line still being written (no newline yet) is held back.
 */
export class LineCursor {
  readonly #fh: FileHandle;
  readonly ino: number;
  #offset: number;
  #rest: Buffer = Buffer.alloc(0);

  private constructor(fh: FileHandle, ino: number, offset: number) {
    this.#fh = fh;
    this.ino = ino;
    this.#offset = offset;
  }

  /** Open `path` at `offset`; undefined when it does not exist. */
  static async open(path: string, offset = 0): Promise<LineCursor | undefined> {
    let fh: FileHandle;
    try {
      fh = await open(path, 'r');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
    const st = await fh.stat();
    return new LineCursor(fh, st.ino, offset);
  }

  /** Bytes consumed so far (complete lines plus the held-back part). */
  get offset(): number {
    return this.#offset;
  }

  /** Start again from the beginning (the file was truncated in place). */
  rewind(): void {
    this.#offset = 0;
    this.#rest = Buffer.alloc(0);
  }

  /**
   * The last `n` complete lines before the current end of file, read
   * backwards in chunks (a tail of a huge log costs what it shows). Moves
   * the cursor to just after the last complete line, so `lines()` goes on
   * from there. Empty lines are skipped as in `lines()`.
   */
  async tailLines(n: number): Promise<string[]> {
    const size = (await this.#fh.stat()).size;
    const newestFirst: string[] = [];
    let pos = size;
    let acc: Buffer = Buffer.alloc(0); // unsplit bytes [pos, ...), ending with a newline once endAt is known
    let endAt = -1; // file offset just after the last newline
    const buf = Buffer.allocUnsafe(CHUNK);
    while (pos > 0 && (newestFirst.length < n || endAt < 0)) {
      const len = Math.min(CHUNK, pos);
      pos -= len;
      const { bytesRead } = await this.#fh.read(buf, 0, len, pos);
      acc = Buffer.concat([buf.subarray(0, bytesRead), acc]);
      if (endAt < 0) {
        const i = acc.lastIndexOf(0x0a);
        if (i < 0) continue;
        endAt = pos + i + 1;
        acc = acc.subarray(0, i + 1);
      }
      let stop = acc.length - 1; // the newline ending the newest line not taken yet
      while (stop > 0 && newestFirst.length < n) {
        const nl = acc.lastIndexOf(0x0a, stop - 1);
        if (nl < 0) break;
        const line = acc.subarray(nl + 1, stop).toString('utf8');
        if (line !== '') newestFirst.push(line);
        stop = nl;
      }
      acc = acc.subarray(0, stop + 1);
    }
    if (newestFirst.length < n && pos === 0 && endAt >= 0 && acc.length > 1) {
      newestFirst.push(acc.subarray(0, acc.length - 1).toString('utf8')); // the file's first line
    }
    this.#offset = endAt < 0 ? 0 : endAt;
    this.#rest = Buffer.alloc(0);
    return newestFirst.reverse();
  }

  /** Yield the complete lines available now, without their newline, up to the current end of file. */
  async *lines(): AsyncGenerator<string> {
    const buf = Buffer.allocUnsafe(CHUNK);
    for (;;) {
      const { bytesRead } = await this.#fh.read(buf, 0, CHUNK, this.#offset);
      if (bytesRead === 0) return;
      this.#offset += bytesRead;
      let data = this.#rest.length > 0 ? Buffer.concat([this.#rest, buf.subarray(0, bytesRead)]) : Buffer.from(buf.subarray(0, bytesRead));
      let nl: number;
      while ((nl = data.indexOf(0x0a)) >= 0) {
        const line = data.subarray(0, nl).toString('utf8');
        data = data.subarray(nl + 1);
        if (line !== '') yield line;
      }
      this.#rest = Buffer.from(data);
    }
  }

  async close(): Promise<void> {
    await this.#fh.close();
  }
}
