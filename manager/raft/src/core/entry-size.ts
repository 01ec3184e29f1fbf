import type { Entry } from './types.js';

/** Bytes an entry counts for in size limits: its data length. */
export function entrySize(e: Entry): number {
  return e.data.length;
}

/** The longest prefix of `ents` within `maxBytes`; always at least one entry when `ents` is non-empty. */
export function entriesWithinBytes(ents: readonly Entry[], maxBytes: number): Entry[] {
  if (ents.length === 0) return [];
  let size = entrySize(ents[0]!);
  let n = 1;
  while (n < ents.length) {
    size += entrySize(ents[n]!);
    if (size > maxBytes) break;
    n++;
  }
  return ents.slice(0, n);
}
