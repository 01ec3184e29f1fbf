import t from 'tap';
import { crc32c } from '@node-rs/crc32';
import { encodeRecord, entryRecordBytes, readRecordAt, RecordType, scanRecords, writeEntryRecordInto } from './record.js';
import { decodeEntry, encodeEntry, entryTypeToByte } from './wal-codec.js';
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

t.test('scan tells a torn tail from damage in the middle', async (t) => {
  const a = encodeRecord(RecordType.truncate, Buffer.from([0, 0, 0, 0, 0, 0, 0, 9]));
  const b = encodeRecord(RecordType.hardState, Buffer.from('hello'));
  const both = Buffer.concat([a, b]);
  t.match(scanRecords(both), { kind: 'clean', records: [{ offset: 0 }, { offset: a.length }] });
  t.match(scanRecords(both.subarray(0, both.length - 1)), { kind: 'torn', tornAt: a.length, fault: 'short-payload' });
  const flipped = Buffer.from(both);
  flipped[2] = (flipped[2] as number) ^ 4; // the first record's length
  t.match(scanRecords(flipped), { kind: 'corrupt', offset: 0, fault: 'bad-header-crc', nextValid: a.length });
});
