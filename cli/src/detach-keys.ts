import { cliErrors } from './cli-errors.js';

/** Docker's default detach sequence, ctrl-p ctrl-q. */
export const DEFAULT_DETACH_KEYS = [0x10, 0x11];

/**
 * Parse a `--detach-keys` value the docker way: comma-separated keys, each
 * a single character or `ctrl-<a-z @ [ \ ] ^ _>`. Throws CLI_INVALID_FLAG.
 */
export function parseDetachKeys(spec: string): number[] {
  const out: number[] = [];
  for (const key of spec.split(',')) {
    const k = key.trim();
    if (k.length > 1 && k.toLowerCase().startsWith('ctrl-')) {
      const c = k.slice(5).toLowerCase();
      if (c.length !== 1) throw cliErrors.make('INVALID_FLAG', `Unknown character: '${k}'`);
      const code = c.charCodeAt(0);
      if (code >= 0x61 && code <= 0x7a) out.push(code - 0x60);
      else if ('@[\\]^_'.includes(c)) out.push(code - 0x40);
      else throw cliErrors.make('INVALID_FLAG', `Unknown character: '${k}'`);
    } else if (k.length === 1) {
      out.push(k.charCodeAt(0));
    } else {
      throw cliErrors.make('INVALID_FLAG', `Unknown character: '${k}'`);
    }
  }
  return out;
}

/**
 * Watches keyboard input for the detach sequence. Bytes that might start the
 * sequence are held back until they prove not to be it, then forwarded.
 * Pure: feed chunks, send `forward`, stop when `detached`.
 */
export class EscapeProxy {
  #keys: readonly number[];
  #held: number[] = [];

  constructor(keys: readonly number[]) {
    this.#keys = keys;
  }

  /** The bytes to send on, and whether the sequence was completed. */
  push(chunk: Buffer): { forward: Buffer; detached: boolean } {
    const out: number[] = [];
    for (const b of chunk) {
      if (this.#keys.length === 0) { out.push(b); continue; }
      if (b === this.#keys[this.#held.length]) {
        this.#held.push(b);
        if (this.#held.length === this.#keys.length) return { forward: Buffer.from(out), detached: true };
        continue;
      }
      out.push(...this.#held);
      this.#held = [];
      if (b === this.#keys[0]) this.#held.push(b);
      else out.push(b);
    }
    return { forward: Buffer.from(out), detached: false };
  }
}
