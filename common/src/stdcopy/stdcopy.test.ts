import t from 'tap';
import fc from 'fast-check';
import { encodeFrame, FrameDecoder, StdStream } from './stdcopy.js';

t.test('encodeFrame writes Docker\'s 8-byte header', async (t) => {
  const f = encodeFrame('stderr', 'hi\n');
  t.same([...f.subarray(0, 8)], [2, 0, 0, 0, 0, 0, 0, 3]);
  t.equal(f.subarray(8).toString(), 'hi\n');
  t.same([...encodeFrame(StdStream.stdout, Buffer.alloc(0))], [1, 0, 0, 0, 0, 0, 0, 0]);
  t.equal(encodeFrame('stdout', Buffer.alloc(70000)).readUInt32BE(4), 70000);
});

t.test('FrameDecoder gives back the frames whatever the chunking', async (t) => {
  t.doesNotThrow(() => fc.assert(fc.property(
    fc.array(fc.record({ stream: fc.constantFrom(1, 2) as fc.Arbitrary<1 | 2>, payload: fc.uint8Array({ maxLength: 40 }) }), { maxLength: 12 }),
    fc.array(fc.integer({ min: 1, max: 17 }), { minLength: 1, maxLength: 20 }),
    (frames, cuts) => {
      const wire = Buffer.concat(frames.map((f) => encodeFrame(f.stream, Buffer.from(f.payload))));
      const d = new FrameDecoder();
      const got: Array<{ stream: number; payload: number[] }> = [];
      let off = 0;
      let i = 0;
      while (off < wire.length) {
        const n = cuts[i++ % cuts.length] ?? 1;
        for (const f of d.push(wire.subarray(off, off + n))) got.push({ stream: f.stream, payload: [...f.payload] });
        off += n;
      }
      return d.pending === 0 && JSON.stringify(got) === JSON.stringify(frames.map((f) => ({ stream: f.stream, payload: [...f.payload] })));
    },
  )));
});

t.test('FrameDecoder holds an incomplete frame and rejects a non-stdcopy stream', async (t) => {
  const d = new FrameDecoder();
  t.same(d.push(encodeFrame('stdout', 'abc').subarray(0, 9)), []);
  t.equal(d.pending, 9);
  t.throws(() => new FrameDecoder().push(Buffer.from('hello world, a tty stream')), RangeError);
});
