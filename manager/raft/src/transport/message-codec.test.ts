import t from 'tap';
import fc from 'fast-check';
import type { Entry, Message } from '../core/types.js';
import { decodeBatch, encodeBatch } from './message-codec.js';

const id = fc.string({ minLength: 0, maxLength: 12 });
const n = fc.nat({ max: Number.MAX_SAFE_INTEGER });
const bytes = fc.uint8Array({ maxLength: 64 });
const entry: fc.Arbitrary<Entry> = fc.record({ index: n, term: n, type: fc.constantFrom('normal' as const, 'conf-change' as const), data: bytes });
const meta = fc.record({ index: n, term: n, confState: fc.record({ voters: fc.array(id, { maxLength: 4 }), learners: fc.array(id, { maxLength: 3 }) }) });
const base = { from: id, to: id, term: n };

const message: fc.Arbitrary<Message> = fc.oneof(
  fc.record({ ...base, type: fc.constant('pre-vote' as const), lastLogIndex: n, lastLogTerm: n }),
  fc.record({ ...base, type: fc.constant('pre-vote-resp' as const), reject: fc.boolean() }),
  fc.record({ ...base, type: fc.constant('vote' as const), lastLogIndex: n, lastLogTerm: n, transfer: fc.boolean() }),
  fc.record({ ...base, type: fc.constant('vote-resp' as const), reject: fc.boolean() }),
  fc.record({ ...base, type: fc.constant('append' as const), prevIndex: n, prevTerm: n, commit: n, entries: fc.array(entry, { maxLength: 5 }) }),
  fc.record({ ...base, type: fc.constant('append-resp' as const), reject: fc.boolean(), index: n, hintIndex: n, hintTerm: n }),
  fc.record({ ...base, type: fc.constant('heartbeat' as const), commit: n, context: bytes }, { requiredKeys: ['from', 'to', 'term', 'type', 'commit'], noNullPrototype: true }),
  fc.record({ ...base, type: fc.constant('heartbeat-resp' as const), context: bytes }, { requiredKeys: ['from', 'to', 'term', 'type'], noNullPrototype: true }),
  fc.record({ ...base, type: fc.constant('snapshot' as const), meta, offset: n, totalBytes: n, data: bytes }),
  fc.record({ ...base, type: fc.constant('snapshot-resp' as const), snapshotIndex: n, nextOffset: n, reject: fc.boolean() }),
  fc.record({ ...base, type: fc.constant('timeout-now' as const) }),
  fc.record({ ...base, type: fc.constant('read-index' as const), context: bytes }),
  fc.record({ ...base, type: fc.constant('read-index-resp' as const), context: bytes, index: n, reject: fc.boolean() }),
  fc.record({ ...base, type: fc.constant('transfer-leader' as const), transferee: id }),
);

t.test('every message survives encode/decode unchanged', async (t) => {
  fc.assert(
    fc.property(fc.array(message, { maxLength: 8 }), (batch) => {
      const decoded = decodeBatch(encodeBatch(batch));
      t.strictSame(decoded, structuredClone(batch)); // clone: fast-check makes null-prototype records
      return true;
    }),
    { numRuns: 500 },
  );
});

t.test('truncated or padded frames are refused with a typed error', async (t) => {
  const frame = encodeBatch([
    { type: 'append', from: 'a', to: 'b', term: 2, prevIndex: 1, prevTerm: 1, commit: 1, entries: [{ index: 2, term: 2, type: 'normal', data: new Uint8Array([1, 2, 3]) }] },
  ]);
  for (let cut = 0; cut < frame.length; cut++) {
    t.throws(() => decodeBatch(frame.subarray(0, cut)), { code: 'RAFT_CODEC_INVALID' }, `cut at ${cut}`);
  }
  const padded = new Uint8Array(frame.length + 1);
  padded.set(frame);
  t.throws(() => decodeBatch(padded), { code: 'RAFT_CODEC_INVALID' });
  const badType = Uint8Array.from(frame);
  badType[4] = 99;
  t.throws(() => decodeBatch(badType), { code: 'RAFT_CODEC_INVALID' });
});
