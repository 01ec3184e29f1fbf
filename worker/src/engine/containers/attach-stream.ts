import type { Duplex } from 'node:stream';
import { encodeFrame } from '@shoal/common';
import { ShimClient } from '@shoal/native';
import type { OutputChunk } from '@shoal/native';
import { containerErrors } from './errors.js';

/** Docker's default detach sequence: ctrl-p, ctrl-q. */
export const DEFAULT_DETACH_KEYS = Buffer.from([0x10, 0x11]);

/** Parse Docker's detach keys (`ctrl-p,ctrl-q`, `a`, `ctrl-@`...). Pure. */
export function parseDetachKeys(s: string | undefined): Buffer {
  if (s === undefined || s === '') return DEFAULT_DETACH_KEYS;
  const out: number[] = [];
  for (const k of s.split(',')) {
    const key = k.trim();
    if (key.length === 1) { out.push(key.charCodeAt(0)); continue; }
    const m = /^ctrl-([a-z@[\\\]^_])$/.exec(key.toLowerCase());
    if (m === null || m[1] === undefined) throw containerErrors.make('INVALID_CONFIG', `Invalid detach keys (${s}) provided`);
    const c = m[1];
    out.push(c >= 'a' && c <= 'z' ? c.charCodeAt(0) - 96 : ({ '@': 0, '[': 27, '\\': 28, ']': 29, '^': 30, _: 31 } as Record<string, number>)[c] ?? 0);
  }
  return Buffer.from(out);
}

/** Docker's stdcopy frame for non-tty streams. */
export function stdFrame(stream: 'stdout' | 'stderr', data: Buffer): Buffer {
  return encodeFrame(stream, data);
}

/**
 * Watches client input for the detach sequence. Bytes that could start the
 * sequence are held back until the sequence completes or breaks.
 */
export class DetachScanner {
  readonly #keys: Buffer;
  #held: number[] = [];

  constructor(keys: Buffer) { this.#keys = keys; }

  /** Returns the bytes to forward and whether the client detached. */
  push(data: Buffer): { forward: Buffer; detached: boolean } {
    const out: number[] = [];
    for (const b of data) {
      if (this.#keys.length > 0 && b === this.#keys[this.#held.length]) {
        this.#held.push(b);
        if (this.#held.length === this.#keys.length) return { forward: Buffer.from(out), detached: true };
        continue;
      }
      out.push(...this.#held);
      this.#held = [];
      if (this.#keys.length > 0 && b === this.#keys[0]) this.#held.push(b);
      else out.push(b);
    }
    return { forward: Buffer.from(out), detached: false };
  }
}

/** What an attached connection wants. */
export interface AttachWiring {
  stateDir: string;
  tty: boolean;
  /** raw: unframed output even without a tty (websocket attach). */
  opts: { stdin?: boolean; stdout?: boolean; stderr?: boolean; detachKeys?: string; raw?: boolean };
  conn: Duplex;
  stdinOnce: boolean;
  /** Exec mode: called after the output is wired and hello sent (send start). */
  beforeResolve?: (client: ShimClient) => Promise<void>;
}

/**
 * Connect `conn` to the shim: output (multiplexed unless tty) to conn,
 * conn to the process's stdin with detach-key handling. Resolves once
 * wired; conn is ended when the process exits or the client detaches.
 */
export async function attachStreams(w: AttachWiring): Promise<ShimClient> {
  const client = await ShimClient.connect(w.stateDir);
  const { conn, tty } = w;
  const detachKeys = parseDetachKeys(w.opts.detachKeys);
  const scanner = new DetachScanner(detachKeys);
  let ended = false;
  const finish = (): void => {
    if (ended) return;
    ended = true;
    client.close();
    conn.end();
  };
  client.on('output', (c: OutputChunk) => {
    if (ended) return;
    // Backpressure is the shim's: it drops a client that falls behind rather than block the container.
    conn.write(tty || w.opts.raw === true ? c.data : stdFrame(c.stream, c.data));
  });
  client.once('close', finish);
  conn.on('error', finish);
  conn.once('close', finish);
  client.hello({ stdin: w.opts.stdin === true, stdout: w.opts.stdout !== false, stderr: w.opts.stderr !== false });
  if (w.opts.stdin === true) {
    conn.on('data', (b: Buffer) => {
      if (ended) return;
      const r = scanner.push(b);
      if (r.forward.length > 0) {
        try { client.writeStdin(r.forward); } catch { finish(); return; }
      }
      if (r.detached) finish();
    });
    conn.once('end', () => {
      if (ended) return;
      try { client.closeStdin(); } catch { /* closed */ }
    });
  } else {
    conn.resume();
  }
  if (w.beforeResolve !== undefined) await w.beforeResolve(client);
  return client;
}
