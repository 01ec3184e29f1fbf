/**
 * WAL record framing. One record on disk:
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
} as const;

/** A record type value. */
export type RecordTypeValue = (typeof RecordType)[keyof typeof RecordType];

const MAX_TYPE = 5;

/**
 * Frames one entry record directly into `out` at `offset` (the hot path: no
 * intermediate payload buffer). Payload layout as wal-codec's encodeEntry:
 * u64 index, u64 term, u8 type, data. Returns the offset after the record.
 */
export function writeEntryRecordInto(out: Buffer, offset: number, index: number, term: number, typeByte: number, data: Uint8Array): number {
  const start = offset + RECORD_HEADER_BYTES;
  const len = 17 + data.length;
  out.writeUInt32BE(Math.floor(index / 0x1_0000_0000), start);
  out.writeUInt32BE(index >>> 0, start + 4);
  out.writeUInt32BE(Math.floor(term / 0x1_0000_0000), start + 8);
  out.writeUInt32BE(term >>> 0, start + 12);
  out.writeUInt8(typeByte, start + 16);
  out.set(data, start + 17);
  out.writeUInt32BE(len, offset);
  out.writeUInt8(RecordType.entry, offset + 4);
  out.writeUInt32BE(crc32c(out.subarray(start, start + len)), offset + 5);
  out.writeUInt32BE(crc32c(out.subarray(offset, offset + 9)), offset + 9);
  return start + len;
}

/** Bytes an entry record with `dataLength` bytes of data takes. */
export function entryRecordBytes(dataLength: number): number {
  return RECORD_HEADER_BYTES + 17 + dataLength;
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

/** True when a complete, valid record starts anywhere in (from, buf.length). */
export function validRecordAfter(buf: Buffer, from: number): number | undefined {
  for (let p = from + 1; p + RECORD_HEADER_BYTES <= buf.length; p++) {
    // Cheap filters before any checksum: a plausible type and length.
    const type = buf[p + 4] ?? 0;
    if (type < 1 || type > MAX_TYPE) continue;
    if (p + RECORD_HEADER_BYTES + buf.readUInt32BE(p) > buf.length) continue;
    if (readRecordAt(buf, p).ok) return p;
  }
  return undefined;
}

/** The outcome of scanning one segment file's bytes. */
export type ScanResult =
  | { readonly kind: 'clean'; readonly records: RawRecord[] }
  | { readonly kind: 'torn'; readonly records: RawRecord[]; readonly tornAt: number; readonly fault: RecordFault }
  | { readonly kind: 'corrupt'; readonly records: RawRecord[]; readonly offset: number; readonly fault: RecordFault; readonly nextValid?: number };

/**
 * Reads every record of a segment. A record that cannot be read is a torn
 * tail when nothing valid follows it (a crash mid-write leaves a prefix of
 * the last write); it is corruption when a valid record follows it (the
 * damage is in the middle of the log). The caller decides what a torn tail
 * means for a segment that is not the last one (it is corruption there too).
 */
export function scanRecords(buf: Buffer): ScanResult {
  const records: RawRecord[] = [];
  let offset = 0;
  while (offset < buf.length) {
    const r = readRecordAt(buf, offset);
    if (r.ok) {
      records.push(r.record);
      offset = r.end;
      continue;
    }
    const nextValid = validRecordAfter(buf, offset);
    if (nextValid === undefined) return { kind: 'torn', records, tornAt: offset, fault: r.fault };
    return { kind: 'corrupt', records, offset, fault: r.fault, nextValid };
  }
  return { kind: 'clean', records };
}
