/** File operations of the WAL directory: segment creation, clean-up of temporary and stale files. */
import { join } from 'node:path';
import type { HardState } from '../core/types.js';
import { writeFileAtomic } from './wal-fs.js';
import type { WalFs } from './wal-fs.js';
import { encodeRecord, RecordType } from './record.js';
import { parseSnapshotFileName } from './snapshot-file.js';
import { encodeHardState, encodeMeta, encodeSnapshotMarker } from './wal-codec.js';
import type { SnapshotMarker } from './wal-codec.js';
import type { SegmentInfo } from './wal-replay.js';

/** Writes a new segment with its header records atomically; returns its size. */
export async function createSegment(fs: WalFs, walDir: string, seg: SegmentInfo, hs: HardState, snap: SnapshotMarker, key: SegmentKey = NO_KEY): Promise<number> {
  const state = [encodeRecord(RecordType.hardState, encodeHardState(hs))];
  if (snap.index > 0) state.push(encodeRecord(RecordType.snapshot, encodeSnapshotMarker(snap)));
  const stateBytes = state.reduce((n, r) => n + r.length, 0);
  const meta = (headerBytes: number): Buffer =>
    encodeRecord(RecordType.meta, encodeMeta({ seq: seg.seq, firstIndex: seg.firstIndex, headerBytes, keyId: key.keyId, keyCheck: key.keyCheck }));
  // The meta record's size does not depend on the value of headerBytes (a fixed u64).
  const records = [meta(meta(0).length + stateBytes), ...state];
  await writeFileAtomic(fs, join(walDir, seg.name), records);
  return records.reduce((n, r) => n + r.length, 0);
}

/** The key a segment's entries are sealed with, as its meta record names it. */
export interface SegmentKey {
  readonly keyId: string;
  readonly keyCheck: Uint8Array;
}

/** A segment whose entries are not encrypted. */
export const NO_KEY: SegmentKey = { keyId: '', keyCheck: new Uint8Array(0) };

/** Removes the `.tmp-*` leftovers of interrupted atomic writes. */
export async function removeTmpFiles(fs: WalFs, dir: string): Promise<void> {
  for (const name of await fs.readdir(dir)) {
    if (name.startsWith('.tmp-')) await fs.remove(join(dir, name));
  }
}

/** Removes every snapshot file but the one `keep` names; fsyncs the directory if it removed any. */
export async function removeSnapshotsExcept(fs: WalFs, snapDir: string, keep: SnapshotMarker): Promise<void> {
  let removed = false;
  for (const name of await fs.readdir(snapDir)) {
    const p = parseSnapshotFileName(name);
    if (p === undefined || (p.index === keep.index && p.term === keep.term)) continue;
    await fs.remove(join(snapDir, name));
    removed = true;
  }
  if (removed) await fs.syncDir(snapDir);
}
