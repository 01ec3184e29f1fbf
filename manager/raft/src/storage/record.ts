/**
 * WAL record framing and the torn-versus-corrupt decision. One record on disk:
 *
 *   offset 0  u32  payload length
 *          4  u8   record type
 *          5  u32  CRC32C of the payload
 *          9  u32  CRC32C of bytes 0..9 (the header itself)
 *         13  ...  payload
 *
 * The header has its own checksum so a flipped length field is detected
 * before it is trusted (a bad length would otherwise make a middle record
 * look like a torn tail and silently drop the records after it).
 *
 * A segment is a header (meta record first, written atomically before the
 * segment gets its name) followed by batches: every write starts with a batch
 * record that says where it starts, how long it is, and how many bytes of the
 * segment were fdatasync'ed before it was written. See {@link scanSegment}.
 */
import { crc32c } from '@node-rs/crc32';

/** Bytes of a record header. */
export const RECORD_HEADER_BYTES = 13;

/** Record types. Values are on disk: never renumber. */
export const RecordType = {
  /** First record of every segment: seq, first index. */
  meta: 1,
  /** One log entry. */
  entry: 2,
  /** The hard state (term, vote, commit); the latest wins. */
  hardState: 3,
  /** A snapshot marker (index, term, kind); the latest wins. */
  snapshot: 4,
  /** Entries from `index` on are dropped (overwrite on conflict). */
  truncate: 5,
  /** Starts every write after a segment's header: its own offset, its length, what was synced before it. */
  batch: 6,
} as const;

/** A record type value. */
export type RecordTypeValue = (typeof RecordType)[keyof typeof RecordType];

const MAX_TYPE = 6;

/** Bytes of an entry payload before its data: u64 index, u64 term, u8 type (what a sealed entry is bound to). */
export const ENTRY_HEAD_BYTES = 17;

/** Writes an entry payload's head (index, term, type byte) into `out` at `at`. */
export function writeEntryHead(out: Buffer, at: number, index: number, term: number, typeByte: number): void {
  out.writeUInt32BE(Math.floor(index / 0x1_0000_0000), at);
  out.writeUInt32BE(index >>> 0, at + 4);
  out.writeUInt32BE(Math.floor(term / 0x1_0000_0000), at + 8);
  out.writeUInt32BE(term >>> 0, at + 12);
  out.writeUInt8(typeByte, at + 16);
}

/**
 * Frames one entry record directly into `out` at `offset` (the hot path: no
 * intermediate payload buffer). Payload layout as wal-codec's encodeEntry:
 * u64 index, u64 term, u8 type, data. Returns the offset after the record.
 */
export function writeEntryRecordInto(out: Buffer, offset: number, index: number, term: number, typeByte: number, data: Uint8Array): number {
  const start = offset + RECORD_HEADER_BYTES;
  const len = ENTRY_HEAD_BYTES + data.length;
  writeEntryHead(out, start, index, term, typeByte);
  out.set(data, start + ENTRY_HEAD_BYTES);
  out.writeUInt32BE(len, offset);
  out.writeUInt8(RecordType.entry, offset + 4);
  out.writeUInt32BE(crc32c(out.subarray(start, start + len)), offset + 5);
  out.writeUInt32BE(crc32c(out.subarray(offset, offset + 9)), offset + 9);
  return start + len;
}

/** Bytes an entry record with `dataLength` bytes of data takes. */
export function entryRecordBytes(dataLength: number): number {
  return RECORD_HEADER_BYTES + ENTRY_HEAD_BYTES + dataLength;
}

/** A decoded record and where it starts in its file. */
export interface RawRecord {
  readonly type: RecordTypeValue;
  readonly payload: Uint8Array;
  readonly offset: number;
}

/** Frames one record; returns header+payload as one buffer. */
export function encodeRecord(type: RecordTypeValue, payload: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(RECORD_HEADER_BYTES + payload.length);
  out.writeUInt32BE(payload.length, 0);
  out.writeUInt8(type, 4);
  out.writeUInt32BE(crc32c(payload), 5);
  out.writeUInt32BE(crc32c(out.subarray(0, 9)), 9);
  out.set(payload, RECORD_HEADER_BYTES);
  return out;
}

/** Why a record at some offset could not be read. */
export type RecordFault = 'short-header' | 'bad-header-crc' | 'bad-type' | 'short-payload' | 'bad-payload-crc';

type ReadResult = { ok: true; record: RawRecord; end: number } | { ok: false; fault: RecordFault };

/** Reads the record at `offset` (which must be < buf.length). */
export function readRecordAt(buf: Buffer, offset: number): ReadResult {
  if (buf.length - offset < RECORD_HEADER_BYTES) return { ok: false, fault: 'short-header' };
  if (crc32c(buf.subarray(offset, offset + 9)) !== buf.readUInt32BE(offset + 9)) return { ok: false, fault: 'bad-header-crc' };
  const type = buf.readUInt8(offset + 4);
  if (type < 1 || type > MAX_TYPE) return { ok: false, fault: 'bad-type' };
  const len = buf.readUInt32BE(offset);
  const start = offset + RECORD_HEADER_BYTES;
  const end = start + len;
  if (end > buf.length) return { ok: false, fault: 'short-payload' };
  const payload = buf.subarray(start, end);
  if (crc32c(payload) !== buf.readUInt32BE(offset + 5)) return { ok: false, fault: 'bad-payload-crc' };
  return { ok: true, record: { type: type as RecordTypeValue, payload, offset }, end };
}

/** Bytes of one sector: the unit a disk writes atomically (or not at all). */
export const SECTOR_BYTES = 512;

/** Why a segment is judged corrupt rather than torn (for the error's details). */
export type CorruptReason =
  | RecordFault
  | 'bad-header'
  | 'synced-then-damaged'
  | 'not-an-interrupted-write'
  | 'unexpected-record'
  | 'batch-mismatch';

/** What the scanner needs to know of a segment's header and batch records (decoded by wal-codec). */
export interface SegmentLayout {
  /** Bytes of the header (from the meta record's payload). */
  headerBytes(metaPayload: Uint8Array): number;
  /** The offset, length and synced-before bytes of a batch record's payload. */
  batch(payload: Uint8Array): { offset: number; length: number; syncedBefore: number };
}

/** The outcome of scanning one segment file's bytes. */
export type ScanResult =
  | { readonly kind: 'clean'; readonly records: RawRecord[] }
  | { readonly kind: 'torn'; readonly records: RawRecord[]; readonly tornAt: number; readonly fault: RecordFault }
  | { readonly kind: 'corrupt'; readonly records: RawRecord[]; readonly offset: number; readonly fault: CorruptReason };

interface Batch {
  readonly start: number;
  readonly end: number;
}

/**
 * Reads every record of a segment and decides, at the first record that
 * cannot be read, whether the segment has a torn tail (a write the crash
 * interrupted: truncate it) or is corrupt (refuse to start). Only record
 * boundaries are ever looked at, never bytes inside a payload, so a payload
 * that carries a well-formed record frame changes nothing.
 *
 * - The header (meta record and the records it declares) was synced before
 *   the segment got its name: any fault there is corruption.
 * - A fault inside a batch is corruption when a later batch, found by
 *   following the batch lengths, says the faulty bytes had been synced.
 * - Otherwise it is a torn write only when it looks like one: the file ends
 *   inside the record, or a sector of it reads as zeros (the page never
 *   reached the disk, as etcd's WAL recognises it). Anything else, such as
 *   a flipped bit in the last synced record, is corruption: truncating it
 *   could drop a persisted vote.
 * - A torn tail is cut at the start of its batch: a batch that was not
 *   wholly written was never acknowledged. Non-last segments must be clean
 *   (the caller treats `torn` there as corruption).
 */
export function scanSegment(buf: Buffer, layout: SegmentLayout): ScanResult {
  const records: RawRecord[] = [];
  const corrupt = (offset: number, fault: CorruptReason): ScanResult => ({ kind: 'corrupt', records, offset, fault });
  const meta = readRecordAt(buf, 0);
  if (!meta.ok || meta.record.type !== RecordType.meta) return corrupt(0, 'bad-header');
  const headerEnd = decodeSafely(() => layout.headerBytes(meta.record.payload));
  if (headerEnd === undefined || headerEnd > buf.length) return corrupt(0, 'bad-header');
  records.push(meta.record);
  let pos = meta.end;
  while (pos < headerEnd) {
    const r = readRecordAt(buf.subarray(0, headerEnd), pos);
    if (!r.ok) return corrupt(pos, 'bad-header');
    if (r.record.type === RecordType.meta || r.record.type === RecordType.batch) return corrupt(pos, 'unexpected-record');
    records.push(r.record);
    pos = r.end;
  }
  let batch: Batch | undefined;
  const fault = (offset: number, why: RecordFault): ScanResult => {
    const kept = batch === undefined ? records : records.filter((r) => r.offset < (batch as Batch).start);
    if (batch !== undefined && syncedLater(buf, batch.end, offset, layout)) return corrupt(offset, 'synced-then-damaged');
    if (!looksTorn(buf, offset, why)) return corrupt(offset, 'not-an-interrupted-write');
    return { kind: 'torn', records: kept, tornAt: batch?.start ?? offset, fault: why };
  };
  while (pos < buf.length) {
    batch = undefined;
    const head = readRecordAt(buf, pos);
    if (!head.ok) return fault(pos, head.fault);
    if (head.record.type !== RecordType.batch) return corrupt(pos, 'unexpected-record');
    const b = decodeSafely(() => layout.batch(head.record.payload));
    if (b === undefined || b.offset !== pos || b.length < head.end - pos) return corrupt(pos, 'batch-mismatch');
    batch = { start: pos, end: pos + b.length };
    records.push(head.record);
    pos = head.end;
    while (pos < batch.end) {
      const r = readRecordAt(buf, pos);
      if (!r.ok) return fault(pos, r.fault);
      // A record's length is covered by its header checksum: one that crosses its batch's end was never written so.
      if (r.end > batch.end) return corrupt(pos, 'batch-mismatch');
      if (r.record.type === RecordType.meta || r.record.type === RecordType.batch) return corrupt(pos, 'unexpected-record');
      records.push(r.record);
      pos = r.end;
    }
  }
  return { kind: 'clean', records };
}

/** True when a batch at or after `from` (following batch lengths only) says `offset` had been synced. */
function syncedLater(buf: Buffer, from: number, offset: number, layout: SegmentLayout): boolean {
  let p = from;
  while (p < buf.length) {
    const r = readRecordAt(buf, p);
    if (!r.ok || r.record.type !== RecordType.batch) return false;
    const b = decodeSafely(() => layout.batch(r.record.payload));
    if (b === undefined || b.offset !== p || b.length <= 0) return false;
    if (b.syncedBefore > offset) return true;
    p += b.length;
  }
  return false;
}

/**
 * True when the unreadable record at `offset` looks like an interrupted
 * write: the file ends inside it, or one of the sectors it touches was not
 * written, as etcd's WAL recognises it. A sector is written whole or not at
 * all, and appended space that was never written reads as zeros, so a lost
 * sector shows as zeros from where the record starts in it (or from the
 * sector's start) to the sector's end or the end of the file. (A record
 * whose own bytes are zeros to the end of the file, then damaged elsewhere,
 * passes for torn too: etcd accepts the same.)
 */
function looksTorn(buf: Buffer, offset: number, fault: RecordFault): boolean {
  if (fault === 'short-header') return true;
  // A header that fails its checksum gives no trustworthy length: look at the sectors of its own bytes.
  let end = offset + RECORD_HEADER_BYTES;
  if (fault === 'short-payload' || fault === 'bad-payload-crc') {
    end += buf.readUInt32BE(offset);
    if (end > buf.length) return true;
  }
  let p = offset;
  while (p < end) {
    const sectorEnd = nextSector(p);
    if (isZero(buf, p, Math.min(sectorEnd, buf.length))) return true;
    p = sectorEnd;
  }
  return false;
}

function nextSector(p: number): number {
  return (Math.floor(p / SECTOR_BYTES) + 1) * SECTOR_BYTES;
}

function isZero(buf: Buffer, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (buf[i] !== 0) return false;
  return true;
}

function decodeSafely<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch {
    return undefined;
  }
}
