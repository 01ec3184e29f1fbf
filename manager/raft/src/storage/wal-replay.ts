/** Replay of WAL segment records into hard state, snapshot marker and entries (used by FileWal.open). */
import type { Entry, HardState } from '../core/types.js';
import { RaftStorageError } from './errors.js';
import { ENTRY_HEAD_BYTES, RecordType } from './record.js';
import type { RawRecord } from './record.js';
import { decodeEntry, decodeHardState, decodeMeta, decodeSnapshotMarker, decodeTruncate } from './wal-codec.js';
import type { SnapshotMarker } from './wal-codec.js';
import { unseal } from './wal-crypto.js';

/** Finds and verifies the key a segment names (throws RAFT_KEY_MISSING / RAFT_KEY_WRONG). */
export type SegmentKeyLookup = (keyId: string, keyCheck: Uint8Array, file: string) => Uint8Array;

/** One segment file: its name, sequence number and the index of its first entry. */
export interface SegmentInfo {
  readonly name: string;
  readonly seq: number;
  readonly firstIndex: number;
}

/** The hard state of an empty log. */
export const EMPTY_HARD_STATE: HardState = { term: 0, vote: '', commit: 0 };

/** "No snapshot yet". */
export const NO_SNAPSHOT: SnapshotMarker = { index: 0, term: 0, kind: 'compact' };

/** Replays segments' records into state, in order; throws RAFT_WAL_CORRUPT / RAFT_WAL_GAP. */
export class WalReplay {
  hardState: HardState = EMPTY_HARD_STATE;
  snap: SnapshotMarker = NO_SNAPSHOT;
  entries: Entry[] = [];
  lastIndex = 0;

  /** Key id of each replayed segment, by file name ('' when not encrypted). */
  readonly keyIds = new Map<string, string>();

  segment(path: string, seg: SegmentInfo, records: readonly RawRecord[], isFirst: boolean, keyFor: SegmentKeyLookup): void {
    const corrupt = (offset: number, why: string, cause?: unknown): RaftStorageError =>
      new RaftStorageError('WAL_CORRUPT', `WAL record at ${path} byte offset ${offset} is invalid: ${why}`, { file: path, offset, fault: why }, cause);
    const head = records[0];
    if (head === undefined || head.type !== RecordType.meta) throw corrupt(0, 'segment does not start with a meta record');
    const meta = decodeOrThrow(() => decodeMeta(head.payload), corrupt, head.offset);
    if (meta.seq !== seg.seq || meta.firstIndex !== seg.firstIndex) {
      throw corrupt(0, `meta record (seq ${meta.seq}, first index ${meta.firstIndex}) does not match the file name`);
    }
    this.keyIds.set(seg.name, meta.keyId);
    const key = meta.keyId === '' ? undefined : keyFor(meta.keyId, meta.keyCheck, path);
    if (isFirst) {
      this.lastIndex = seg.firstIndex - 1;
    } else if (seg.firstIndex !== this.lastIndex + 1) {
      throw new RaftStorageError('WAL_GAP', `WAL segment ${path} starts at index ${seg.firstIndex}, expected ${this.lastIndex + 1}`, {
        file: path,
        expectedIndex: this.lastIndex + 1,
      });
    }
    for (const rec of records.slice(1)) {
      switch (rec.type) {
        case RecordType.entry: {
          let e = decodeOrThrow(() => decodeEntry(rec.payload), corrupt, rec.offset);
          if (key !== undefined) {
            // The key check passed: an entry that does not open was altered after it was sealed.
            const data = unseal(key, e.data, rec.payload.subarray(0, ENTRY_HEAD_BYTES));
            if (data === undefined) throw corrupt(rec.offset, 'sealed entry does not decrypt');
            e = { ...e, data };
          }
          if (e.index !== this.lastIndex + 1) throw corrupt(rec.offset, `entry index ${e.index} out of sequence (expected ${this.lastIndex + 1})`);
          this.entries.push(e);
          this.lastIndex = e.index;
          break;
        }
        case RecordType.truncate: {
          const from = decodeOrThrow(() => decodeTruncate(rec.payload), corrupt, rec.offset);
          const base = this.entries[0]?.index ?? this.lastIndex + 1;
          this.entries.length = Math.max(0, Math.min(this.entries.length, from - base));
          this.lastIndex = Math.min(this.lastIndex, from - 1);
          break;
        }
        case RecordType.hardState:
          this.hardState = decodeOrThrow(() => decodeHardState(rec.payload), corrupt, rec.offset);
          break;
        case RecordType.snapshot: {
          const m = decodeOrThrow(() => decodeSnapshotMarker(rec.payload), corrupt, rec.offset);
          this.snap = m;
          if (m.kind === 'restore') {
            this.entries = [];
            this.lastIndex = m.index;
          } else {
            const drop = this.entries.findIndex((e) => e.index > m.index);
            this.entries = drop === -1 ? [] : this.entries.slice(drop);
            this.lastIndex = Math.max(this.lastIndex, m.index);
          }
          break;
        }
        case RecordType.batch:
          break; // framing only: the scanner checked it
        case RecordType.meta:
          throw corrupt(rec.offset, 'meta record in the middle of a segment');
      }
    }
  }
}

function decodeOrThrow<T>(fn: () => T, corrupt: (offset: number, why: string, cause?: unknown) => RaftStorageError, offset: number): T {
  try {
    return fn();
  } catch (err) {
    throw corrupt(offset, 'undecodable payload', err);
  }
}
