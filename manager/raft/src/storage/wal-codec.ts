/**
 * Payload encodings of the WAL record types (see record.ts for framing).
 * Entry types are stored as one byte; values are on disk: never renumber.
 */
import type { Entry, EntryType, HardState } from '../core/types.js';
import { ByteReader, ByteWriter } from './byte-codec.js';
import type { SegmentLayout } from './record.js';

const entryTypeCode: Record<EntryType, number> = { normal: 0, 'conf-change': 1 };
const entryTypeByCode: readonly EntryType[] = ['normal', 'conf-change'];

/** Encodes an entry type as its on-wire byte. */
export function entryTypeToByte(t: EntryType): number {
  return entryTypeCode[t];
}

/** Decodes an entry type byte; throws on unknown values. */
export function entryTypeFromByte(b: number): EntryType {
  const t = entryTypeByCode[b];
  if (t === undefined) throw new RangeError(`unknown entry type ${b}`);
  return t;
}

/** Payload of a segment's first record. */
export interface SegmentMeta {
  readonly seq: number;
  readonly firstIndex: number;
  /** Bytes of the segment's header: this record and the state records after it, all synced before the segment got its name. */
  readonly headerBytes: number;
  /** The key the segment's entries are encrypted with ('' when they are not). */
  readonly keyId: string;
  /** Proof that a key is the one named `keyId` (empty when not encrypted). */
  readonly keyCheck: Uint8Array;
}

export function encodeMeta(m: SegmentMeta): Uint8Array {
  return new ByteWriter(64).u64(m.seq).u64(m.firstIndex).u64(m.headerBytes).str(m.keyId).bytes(m.keyCheck).finish();
}

export function decodeMeta(p: Uint8Array): SegmentMeta {
  const r = new ByteReader(p);
  const m = { seq: r.u64(), firstIndex: r.u64(), headerBytes: r.u64(), keyId: r.str(), keyCheck: Uint8Array.from(r.bytes()) };
  r.end();
  return m;
}

/** Payload of the record that starts every write: where it starts, its length, bytes of the segment synced before it. */
export interface BatchHeader {
  readonly offset: number;
  readonly length: number;
  readonly syncedBefore: number;
}

/** Bytes of a batch record's payload. */
export const BATCH_PAYLOAD_BYTES = 24;

export function encodeBatch(b: BatchHeader): Uint8Array {
  return new ByteWriter(BATCH_PAYLOAD_BYTES).u64(b.offset).u64(b.length).u64(b.syncedBefore).finish();
}

export function decodeBatch(p: Uint8Array): BatchHeader {
  const r = new ByteReader(p);
  const b = { offset: r.u64(), length: r.u64(), syncedBefore: r.u64() };
  r.end();
  return b;
}

export function encodeEntry(e: Entry): Uint8Array {
  return new ByteWriter(17 + e.data.length).u64(e.index).u64(e.term).u8(entryTypeToByte(e.type)).raw(e.data).finish();
}

export function decodeEntry(p: Uint8Array): Entry {
  const r = new ByteReader(p);
  const index = r.u64();
  const term = r.u64();
  const type = entryTypeFromByte(r.u8());
  // Copy: the record buffer is the whole segment file, keep entries independent of it.
  const data = Uint8Array.from(r.rest());
  return { index, term, type, data };
}

export function encodeHardState(hs: HardState): Uint8Array {
  return new ByteWriter(32).u64(hs.term).u64(hs.commit).str(hs.vote).finish();
}

export function decodeHardState(p: Uint8Array): HardState {
  const r = new ByteReader(p);
  const hs = { term: r.u64(), commit: r.u64(), vote: r.str() };
  r.end();
  return hs;
}

/**
 * `compact`: a snapshot taken locally; entries after it stay.
 * `restore`: a snapshot received from the leader; the log is reset to it.
 */
export type SnapshotMarkerKind = 'compact' | 'restore';

/** Points at the snapshot file that is current from this record on. */
export interface SnapshotMarker {
  readonly index: number;
  readonly term: number;
  readonly kind: SnapshotMarkerKind;
}

export function encodeSnapshotMarker(m: SnapshotMarker): Uint8Array {
  return new ByteWriter(17).u64(m.index).u64(m.term).u8(m.kind === 'compact' ? 0 : 1).finish();
}

export function decodeSnapshotMarker(p: Uint8Array): SnapshotMarker {
  const r = new ByteReader(p);
  const index = r.u64();
  const term = r.u64();
  const k = r.u8();
  r.end();
  if (k > 1) throw new RangeError(`unknown snapshot marker kind ${k}`);
  return { index, term, kind: k === 0 ? 'compact' : 'restore' };
}

export function encodeTruncate(fromIndex: number): Uint8Array {
  return new ByteWriter(8).u64(fromIndex).finish();
}

export function decodeTruncate(p: Uint8Array): number {
  const r = new ByteReader(p);
  const i = r.u64();
  r.end();
  return i;
}

/** How the record scanner reads a segment's header length and its batch records. */
export const SEGMENT_LAYOUT: SegmentLayout = { headerBytes: (p) => decodeMeta(p).headerBytes, batch: decodeBatch };
