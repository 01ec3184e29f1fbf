import t from 'tap';
import { readContextSource } from './read-context.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

// The first read of every node in a term used to carry the same bytes
// (a counter from 1 plus the term), and a restart reused them.
t.test('read contexts never repeat across reads, nodes and restarts', async (t) => {
  const a = readContextSource('m1');
  const seen = new Set<string>();
  for (let i = 0; i < 1000; i++) seen.add(hex(a()));
  t.equal(seen.size, 1000, 'a run never repeats');
  const restarted = readContextSource('m1');
  t.notOk(seen.has(hex(restarted())), 'a restart starts elsewhere');
  const nonce = new Uint8Array(8);
  t.not(hex(readContextSource('m1', nonce)()), hex(readContextSource('m2', nonce)()), 'two nodes differ even with one nonce');
});
