/**
 * A simulated disk for the WAL (a `WalFs`): what is fsynced survives a
 * crash; what is not may be lost, torn or reordered, as on a real disk.
 *
 * - File data: writes land in the page cache (`current`) at once; fsync or
 *   fdatasync makes the file's content durable. At a crash, each 512-byte
 *   sector that unsynced writes touched keeps the writes that reached it up
 *   to some point in time (a sector is written whole: none, the first k, or
 *   all of the writes to it, in order), so later sectors can survive while
 *   earlier ones come back as zeros. The file's length after a crash is its
 *   durable length or any length up to its cached one (unwritten space reads
 *   as zeros).
 * - Names: create, rename and remove take effect at once and become durable
 *   when their directory is fsynced; at a crash a prefix of the unsynced ones
 *   survives (a journal commits them in order).
 * - fsyncs take simulated time (`delay`), so saves are in flight while
 *   messages arrive. `crashHook` is asked before every mutating operation and
 *   may crash the node right there, at any point of a save.
 * - After a crash, every handle and pending operation of the old incarnation
 *   fails or never completes; `revive()` lets the next incarnation in.
 */
import { basename, dirname } from 'node:path';
import type { WalFileHandle, WalFs, WalOpenMode } from '../storage/index.js';
import type { SeededRand } from './seeded-rand.js';

const SECTOR = 512;

interface Inode {
  /** What reads see (the page cache). */
  current: Buffer;
  /** What is on stable storage. */
  durable: Buffer;
  /** Writes since the last sync, in order. */
  pending: Array<{ offset: number; bytes: Buffer }>;
  /** A truncation since the last sync. */
  truncatedTo: number | undefined;
}

type DirOp = { dir: string; kind: 'link'; name: string; inode: Inode } | { dir: string; kind: 'unlink'; name: string };

/** Why an operation of a crashed incarnation fails. */
export class SimCrashError extends Error {
  readonly code = 'ESIMCRASH';
  constructor() {
    super('simulated crash: the node is down');
  }
}

/** Counters for the simulator's report. */
export interface SimDiskStats {
  crashes: number;
  lostSectors: number;
  keptSectors: number;
  lostNames: number;
}

export class SimDisk implements WalFs {
  readonly #rand: SeededRand;
  readonly #delay: (done: () => void) => void;
  /** Names now (page cache view). */
  #names = new Map<string, Inode>();
  /** Names on stable storage. */
  #durableNames = new Map<string, Inode>();
  #dirOps: DirOp[] = [];
  readonly #dirs = new Set<string>();
  #epoch = 0;
  #down = false;
  /** Asked before every mutating operation; returning true crashes the node there. */
  crashHook: ((op: string) => boolean) | undefined;
  /** Called when the hook crashed the node (the simulator takes the node down). */
  onCrash: (() => void) | undefined;
  readonly stats: SimDiskStats = { crashes: 0, lostSectors: 0, keptSectors: 0, lostNames: 0 };

  readonly #lies: boolean;

  /**
   * `delay(done)` calls `done` after some simulated time (the fsync latency).
   * `lies`: fsync returns without making anything durable (a disk with a
   * volatile write cache that ignores flushes): the simulator must catch it.
   */
  constructor(rand: SeededRand, delay: (done: () => void) => void, options: { lies?: boolean } = {}) {
    this.#rand = rand;
    this.#delay = delay;
    this.#lies = options.lies === true;
  }

  /** The machine loses power: the disk keeps what was durable and some of what was not. */
  crash(): void {
    if (this.#down) return;
    this.#down = true;
    this.#epoch++;
    this.stats.crashes++;
    const survivors = this.#dirOps.slice(0, this.#rand.int(this.#dirOps.length + 1));
    this.stats.lostNames += this.#dirOps.length - survivors.length;
    for (const op of survivors) this.#applyDirOp(this.#durableNames, op);
    this.#dirOps = [];
    const inodes = new Set([...this.#durableNames.values()]);
    for (const inode of inodes) this.#crashInode(inode);
    this.#names = new Map(this.#durableNames);
  }

  /** Lets the next incarnation use the disk. */
  revive(): void {
    this.#down = false;
  }

  get down(): boolean {
    return this.#down;
  }

  #crashInode(inode: Inode): void {
    let base = inode.durable;
    if (inode.truncatedTo !== undefined && this.#rand.chance(0.5)) base = base.subarray(0, Math.min(base.length, inode.truncatedTo));
    const ends = [base.length, inode.current.length, ...inode.pending.map((w) => w.offset + w.bytes.length)].filter((n) => n >= base.length);
    const length = Math.min(this.#rand.pick(ends), Math.max(base.length, inode.current.length));
    const out = Buffer.alloc(length);
    base.copy(out, 0, 0, Math.min(base.length, length));
    // Per sector: the writes that touched it, in order; a prefix of them reached it.
    const bySector = new Map<number, Array<{ offset: number; bytes: Buffer }>>();
    for (const w of inode.pending) {
      for (let s = Math.floor(w.offset / SECTOR); s * SECTOR < w.offset + w.bytes.length; s++) {
        const list = bySector.get(s) ?? [];
        list.push(w);
        bySector.set(s, list);
      }
    }
    for (const [s, writes] of [...bySector].sort((a, b) => a[0] - b[0])) {
      const kept = this.#rand.int(writes.length + 1);
      if (kept === 0) this.stats.lostSectors++;
      else this.stats.keptSectors++;
      for (const w of writes.slice(0, kept)) {
        const from = Math.max(s * SECTOR, w.offset);
        const to = Math.min((s + 1) * SECTOR, w.offset + w.bytes.length, length);
        if (to > from) w.bytes.copy(out, from, from - w.offset, to - w.offset);
      }
    }
    inode.durable = out;
    inode.current = Buffer.from(out);
    inode.pending = [];
    inode.truncatedTo = undefined;
  }

  #applyDirOp(names: Map<string, Inode>, op: DirOp): void {
    const path = `${op.dir}/${op.name}`;
    if (op.kind === 'link') names.set(path, op.inode);
    else names.delete(path);
  }

  /** Runs a mutating operation unless the node is down or the crash hook takes it down now. */
  #mutate<T>(epoch: number, op: string, fn: () => T): Promise<T> {
    if (this.#down || epoch !== this.#epoch) return Promise.reject(new SimCrashError());
    if (this.crashHook?.(op) === true) {
      this.crash();
      this.onCrash?.();
      return Promise.reject(new SimCrashError());
    }
    return Promise.resolve(fn());
  }

  #read<T>(fn: () => T): Promise<T> {
    if (this.#down) return Promise.reject(new SimCrashError());
    try {
      return Promise.resolve(fn());
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /** Completes after the fsync latency, unless the node crashes first (then never). */
  #durably(epoch: number, op: string, fn: () => void): Promise<void> {
    return this.#mutate(epoch, op, () => undefined).then(
      () =>
        new Promise<void>((resolve) => {
          this.#delay(() => {
            if (this.#down || epoch !== this.#epoch) return;
            fn();
            resolve();
          });
        }),
    );
  }

  #link(path: string, inode: Inode): void {
    this.#names.set(path, inode);
    this.#dirOps.push({ dir: dirname(path), kind: 'link', name: basename(path), inode });
  }

  #unlink(path: string): void {
    this.#names.delete(path);
    this.#dirOps.push({ dir: dirname(path), kind: 'unlink', name: basename(path) });
  }

  // ---- WalFs ----------------------------------------------------------------

  mkdirp(path: string): Promise<void> {
    return this.#read(() => {
      // Directories are made once at start and never removed: durable at once.
      for (let p = path; p !== '/' && p !== '.'; p = dirname(p)) this.#dirs.add(p);
    });
  }

  readdir(path: string): Promise<string[]> {
    return this.#read(() => {
      if (!this.#dirs.has(path)) throw enoent(path);
      return [...this.#names.keys()].filter((p) => dirname(p) === path).map((p) => basename(p)).sort();
    });
  }

  readFile(path: string): Promise<Buffer> {
    return this.#read(() => {
      const inode = this.#names.get(path);
      if (inode === undefined) throw enoent(path);
      return Buffer.from(inode.current);
    });
  }

  exists(path: string): Promise<boolean> {
    return this.#read(() => this.#names.has(path) || this.#dirs.has(path));
  }

  remove(path: string): Promise<void> {
    return this.#mutate(this.#epoch, 'remove', () => {
      if (this.#names.has(path)) this.#unlink(path);
    });
  }

  rename(from: string, to: string): Promise<void> {
    return this.#mutate(this.#epoch, 'rename', () => {
      const inode = this.#names.get(from);
      if (inode === undefined) throw enoent(from);
      this.#unlink(from);
      this.#link(to, inode);
    });
  }

  syncDir(path: string): Promise<void> {
    return this.#durably(this.#epoch, 'syncdir', () => {
      const mine = this.#dirOps.filter((op) => op.dir === path);
      this.#dirOps = this.#dirOps.filter((op) => op.dir !== path);
      for (const op of mine) this.#applyDirOp(this.#durableNames, op);
    });
  }

  open(path: string, mode: WalOpenMode): Promise<WalFileHandle> {
    const epoch = this.#epoch;
    return this.#mutate(epoch, `open-${mode}`, () => {
      let inode = this.#names.get(path);
      if (mode === 'create') {
        if (!this.#dirs.has(dirname(path))) throw enoent(path);
        if (inode === undefined) {
          inode = { current: Buffer.alloc(0), durable: Buffer.alloc(0), pending: [], truncatedTo: undefined };
          this.#link(path, inode);
        } else {
          inode.current = Buffer.alloc(0);
          inode.truncatedTo = 0;
          inode.pending = [];
        }
      } else if (inode === undefined) {
        throw enoent(path);
      }
      return this.#handle(inode, epoch);
    });
  }

  #handle(inode: Inode, epoch: number): WalFileHandle {
    const sync = (): Promise<void> =>
      this.#durably(epoch, 'fsync', () => {
        if (this.#lies) return;
        inode.durable = Buffer.from(inode.current);
        inode.pending = [];
        inode.truncatedTo = undefined;
      });
    return {
      writev: (buffers) =>
        this.#mutate(epoch, 'write', () => {
          const bytes = Buffer.concat(buffers);
          const offset = inode.current.length;
          inode.current = Buffer.concat([inode.current, bytes]);
          inode.pending.push({ offset, bytes });
          return bytes.length;
        }),
      datasync: sync,
      sync,
      truncate: (length) =>
        this.#mutate(epoch, 'truncate', () => {
          inode.current = Buffer.from(inode.current.subarray(0, length));
          inode.truncatedTo = Math.min(inode.truncatedTo ?? length, length);
          inode.pending = inode.pending.filter((w) => w.offset < length).map((w) => ({ offset: w.offset, bytes: w.bytes.subarray(0, length - w.offset) }));
        }),
      close: () => (this.#down || epoch !== this.#epoch ? Promise.reject(new SimCrashError()) : Promise.resolve()),
    };
  }
}

function enoent(path: string): NodeJS.ErrnoException {
  const err: NodeJS.ErrnoException = new Error(`ENOENT: no such file or directory, '${path}'`);
  err.code = 'ENOENT';
  return err;
}
