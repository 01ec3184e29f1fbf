/** WAL segment file names: `<firstIndex:016x>-<seq:016x>.wal`. */

/** The name of the segment with this sequence number whose first entry index is `firstIndex`. */
export function segmentFileName(firstIndex: number, seq: number): string {
  return `${firstIndex.toString(16).padStart(16, '0')}-${seq.toString(16).padStart(16, '0')}.wal`;
}

/** Parses a segment file name; undefined when it is not one. */
export function parseSegmentFileName(name: string): { firstIndex: number; seq: number } | undefined {
  const m = /^([0-9a-f]{16})-([0-9a-f]{16})\.wal$/.exec(name);
  if (m === null) return undefined;
  return { firstIndex: Number.parseInt(m[1] ?? '', 16), seq: Number.parseInt(m[2] ?? '', 16) };
}
