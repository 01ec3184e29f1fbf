import t from 'tap';
import { crc32c } from '@node-rs/crc32';
import { encodeRecord, entryRecordBytes, readRecordAt, RecordType, scanSegment, writeEntryRecordInto } from './record.js';
import { decodeEntry, encodeBatch, encodeEntry, encodeHardState, encodeMeta, entryTypeToByte, SEGMENT_LAYOUT } from './wal-codec.js';
import type { Entry } from '../core/types.js';

t.test('CRC32C is the Castagnoli checksum (check value of "123456789")', async (t) => {
  t.equal(crc32c(Buffer.from('123456789')), 0xe3069283);
  t.equal(crc32c(Buffer.from('56789'), crc32c(Buffer.from('1234'))), 0xe3069283, 'continues across chunks');
});

t.test('the in-place entry framing is byte-identical to the generic one', async (t) => {
  const entries: Entry[] = [
    { index: 1, term: 1, type: 'normal', data: new Uint8Array(0) },
    { index: 2 ** 40 + 7, term: 2 ** 33 + 1, type: 'conf-change', data: Uint8Array.from([1, 2, 3, 255]) },
  ];
  for (const e of entries) {
    const generic = encodeRecord(RecordType.entry, encodeEntry(e));
    const out = Buffer.alloc(entryRecordBytes(e.data.length));
    t.equal(writeEntryRecordInto(out, 0, e.index, e.term, entryTypeToByte(e.type), e.data), out.length);
    t.same(out, generic);
    const r = readRecordAt(out, 0);
    t.ok(r.ok);
    if (r.ok) t.same(decodeEntry(r.record.payload), e);
  }
});

/** A segment: header (meta + hard state), then one batch per list of records. */
function segment(...batches: Buffer[][]): Buffer {
  const hs = encodeRecord(RecordType.hardState, encodeHardState({ term: 1, vote: 'a', commit: 0 }));
  const meta = (headerBytes: number): Buffer =>
    encodeRecord(RecordType.meta, encodeMeta({ seq: 0, firstIndex: 1, headerBytes, keyId: '', keyCheck: new Uint8Array(0) }));
  const parts = [meta(meta(0).length + hs.length), hs];
  let size = parts.reduce((n, p) => n + p.length, 0);
  for (const records of batches) {
    const length = records.reduce((n, r) => n + r.length, 13 + 24);
    parts.push(encodeRecord(RecordType.batch, encodeBatch({ offset: size, length, syncedBefore: size })), ...records);
    size += length;
  }
  return Buffer.concat(parts);
}

t.test('scan tells a torn tail from damage by what was synced and what a crash can leave', async (t) => {
  const e = (i: number): Buffer => encodeRecord(RecordType.entry, encodeEntry({ index: i, term: 1, type: 'normal', data: Buffer.from(`e${i}`) }));
  const seg = segment([e(1)], [e(2), e(3)]);
  const clean = scanSegment(seg, SEGMENT_LAYOUT);
  t.equal(clean.kind, 'clean');
  t.equal(clean.records.filter((r) => r.type === RecordType.entry).length, 3);
  const secondBatch = clean.records.filter((r) => r.type === RecordType.batch)[1]?.offset ?? 0;
  // Cut inside the last batch: torn at the batch's start.
  t.match(scanSegment(seg.subarray(0, seg.length - 2), SEGMENT_LAYOUT), { kind: 'torn', tornAt: secondBatch, fault: 'short-payload' });
  // A flipped bit in the last batch: not what a crash leaves.
  const flipped = Buffer.from(seg);
  flipped[seg.length - 1] = (flipped[seg.length - 1] as number) ^ 1;
  t.match(scanSegment(flipped, SEGMENT_LAYOUT), { kind: 'corrupt', fault: 'not-an-interrupted-write' });
  // A flipped bit in the first batch: the second batch says it was synced.
  const early = Buffer.from(seg);
  const firstEntry = clean.records.find((r) => r.type === RecordType.entry)?.offset ?? 0;
  early[firstEntry + 15] = (early[firstEntry + 15] as number) ^ 1;
  t.match(scanSegment(early, SEGMENT_LAYOUT), { kind: 'corrupt', offset: firstEntry, fault: 'synced-then-damaged' });
  // A bad meta record is never a torn tail.
  const meta = Buffer.from(seg);
  meta[3] = (meta[3] as number) ^ 1;
  t.match(scanSegment(meta, SEGMENT_LAYOUT), { kind: 'corrupt', offset: 0, fault: 'bad-header' });
});
