import { watch, type FSWatcher } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { Readable } from 'node:stream';
import { systemClock, type Clock } from '@shoal/common';
import { logFilesOldestFirst, LineCursor } from './log-files.js';
import { formatTimestamp, parseLogLine, secondsToNs, type LogEntry } from './log-entry.js';
import { encodeFrame } from '@shoal/common';

/** Options of {@link readJsonFileLog} (those of `GET /containers/{id}/logs`). */
export interface JsonFileReadOptions {
  /** Include stdout entries (default true). */
  stdout?: boolean;
  /** Include stderr entries (default true). */
  stderr?: boolean;
  /**
   * Only entries at or after this unix time: seconds, fractional allowed. A
   * string ("1795593604.000004000", as Docker's API sends) is exact to the
   * nanosecond; a number only to about a microsecond. 0 or undefined = all.
   */
  since?: number | string;
  /** Only entries at or before this unix time (as since); 0 or undefined = no limit. */
  until?: number | string;
  /** Only the last N entries of the existing log (counted before the stream filter, as Docker); undefined or < 0 = all. */
  tail?: number;
  /** Prefix each entry with its time (RFC3339, 9 fraction digits) and a space. */
  timestamps?: boolean;
  /** The container has a tty: raw bytes instead of stdcopy frames. */
  tty?: boolean;
  /** Keep reading what is appended, across rotations, until stopWhen settles or signal aborts. */
  follow?: boolean;
  /** Follow ends once this settles (e.g. the container exited), after draining what was written. */
  stopWhen?: Promise<unknown>;
  /** Ends the stream at once (client went away). */
  signal?: AbortSignal;
  /** While following, re-check the file at least this often (ms) besides inotify events. Default 250. */
  pollMs?: number;
  /** Called once the existing entries were read and following begins (tests, progress). */
  onFollowing?: () => void;
  /** Clock for `until` while following. */
  clock?: Clock;
}

/**
 * Read a container's json-file log (FILE plus its rotated FILE.N, oldest
 * first) as `docker logs` shows it: Docker's multiplexed frames (one per
 * entry), or raw bytes with `tty`. The stream ends after the existing
 * entries, or with `follow` when stopWhen settles (after a final drain),
 * when the signal aborts, or when an entry passes `until`. Destroying the
 * stream releases files and watchers.
 */
export function readJsonFileLog(path: string, opts: JsonFileReadOptions = {}): Readable {
  return new GeneratorReadable((signal) => entries(path, { ...opts, signal }), opts.signal);
}

/**
 * A Readable fed by an async generator that may wait a long time between
 * chunks (follow). Unlike Readable.from, destroy() wakes the generator
 * through an abort signal instead of waiting for its next chunk.
 */
class GeneratorReadable extends Readable {
  readonly #ac = new AbortController();
  readonly #gen: AsyncGenerator<Buffer>;
  #pumping = false;

  constructor(make: (signal: AbortSignal) => AsyncGenerator<Buffer>, outer: AbortSignal | undefined) {
    super();
    this.#gen = make(outer === undefined ? this.#ac.signal : AbortSignal.any([outer, this.#ac.signal]));
  }

  override _read(): void {
    if (this.#pumping) return;
    this.#pumping = true;
    void this.#pump();
  }

  async #pump(): Promise<void> {
    try {
      for (;;) {
        const r = await this.#gen.next();
        if (this.destroyed) return;
        if (r.done === true) {
          this.push(null);
          return;
        }
        if (!this.push(r.value)) return;
      }
    } catch (e) {
      this.destroy(e as Error);
    } finally {
      this.#pumping = false;
    }
  }

  override _destroy(err: Error | null, cb: (e?: Error | null) => void): void {
    this.#ac.abort();
    this.#gen.return(undefined).then(() => cb(err), (e: unknown) => cb(err ?? (e as Error)));
  }
}

type Verdict = 'skip' | 'emit' | 'stop';

async function* entries(path: string, opts: JsonFileReadOptions): AsyncGenerator<Buffer> {
  const wantOut = opts.stdout ?? true;
  const wantErr = opts.stderr ?? true;
  const sinceNs = opts.since === undefined ? undefined : secondsToNs(opts.since);
  const untilNs = opts.until === undefined ? undefined : secondsToNs(opts.until);
  const clock = opts.clock ?? systemClock;
  const aborted = (): boolean => opts.signal?.aborted === true;

  const judge = (e: LogEntry): Verdict => {
    if (untilNs !== undefined && untilNs > 0n && e.timeNs > untilNs) return 'stop';
    if (sinceNs !== undefined && e.timeNs < sinceNs) return 'skip';
    if (e.stream === 'stdout' ? !wantOut : !wantErr) return 'skip';
    return 'emit';
  };
  const render = (e: LogEntry): Buffer => {
    const text = opts.timestamps === true ? `${formatTimestamp(e.timeNs)} ${e.log}` : e.log;
    return opts.tty === true ? Buffer.from(text, 'utf8') : encodeFrame(e.stream, text);
  };

  const files = await logFilesOldestFirst(path);
  const tail = opts.tail !== undefined && opts.tail >= 0 ? opts.tail : undefined;
  let cursor: LineCursor | undefined; // on FILE, kept open for follow
  try {
    // 1. what is there now
    if (tail !== undefined) {
      // newest file first, backwards, until `tail` lines are found
      const picked: string[][] = [];
      let need = tail;
      for (const f of [...files].reverse()) {
        if (need <= 0 && !(f === path && opts.follow === true)) continue;
        const c = await LineCursor.open(f);
        if (c === undefined) continue;
        const keep = f === path && opts.follow === true;
        try {
          const lines = await c.tailLines(Math.max(need, 0));
          need -= lines.length;
          picked.unshift(lines);
        } finally {
          if (keep) cursor = c;
          else await c.close();
        }
      }
      for (const line of picked.flat()) {
        const e = parseLogLine(line);
        if (e === undefined) continue;
        const v = judge(e);
        if (v === 'stop') return;
        if (v === 'emit') yield render(e);
      }
    } else {
      for (const f of files) {
        const c = await LineCursor.open(f);
        if (c === undefined) continue; // rotated away meanwhile
        const isCurrent = f === path;
        try {
          for await (const line of c.lines()) {
            const e = parseLogLine(line);
            if (e === undefined) continue;
            const v = judge(e);
            if (v === 'stop') return;
            if (v === 'emit') yield render(e);
          }
        } finally {
          if (isCurrent && opts.follow === true) cursor = c;
          else await c.close();
        }
      }
    }
    if (opts.follow !== true || aborted()) return;
    opts.onFollowing?.();

    // 2. follow
    let stopping = false;
    let wake: (() => void) | undefined;
    const poke = (): void => {
      const w = wake;
      wake = undefined;
      w?.();
    };
    if (opts.stopWhen !== undefined) {
      void opts.stopWhen.then(() => { stopping = true; poke(); }, () => { stopping = true; poke(); });
    }
    const onAbort = (): void => poke();
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    let watcher: FSWatcher | undefined;
    try {
      const base = basename(path);
      watcher = watch(dirname(path), { persistent: true }, (_event, name) => {
        if (name === null || String(name).startsWith(base)) poke();
      });
      watcher.on('error', () => undefined); // polling still runs
    } catch {
      watcher = undefined;
    }
    try {
      for (;;) {
        if (aborted()) return;
        const wasStopping = stopping;
        // read what is there; switch files on rotation (drain the old one first)
        for (;;) {
          if (cursor === undefined) cursor = await LineCursor.open(path);
          if (cursor === undefined) break;
          for await (const line of cursor.lines()) {
            const e = parseLogLine(line);
            if (e === undefined) continue;
            const v = judge(e);
            if (v === 'stop') return;
            if (v === 'emit') yield render(e);
            if (aborted()) return;
          }
          const st = await stat(path).catch(() => undefined);
          if (st === undefined) break;
          if (st.ino !== cursor.ino) {
            await cursor.close();
            cursor = undefined;
            continue; // rotated: the new FILE from its start
          }
          if (st.size < cursor.offset) {
            cursor.rewind(); // truncated in place (max-file 1)
            continue;
          }
          break;
        }
        if (wasStopping) return;
        if (untilNs !== undefined && untilNs > 0n && secondsToNs(clock.now() / 1000) > untilNs) return;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(() => poke(), opts.pollMs ?? 250);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
          if (stopping || aborted()) poke();
        });
      }
    } finally {
      watcher?.close();
      opts.signal?.removeEventListener('abort', onAbort);
    }
  } finally {
    await cursor?.close();
  }
}
