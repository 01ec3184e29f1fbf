import t from 'tap';
import { bootstrapLog } from './bootstrap.js';
import { MemoryStorage } from './memory-storage.js';
import { RawNode } from './raw-node.js';
import { SeededRand } from '../sim/seeded-rand.js';
import type { Message } from './types.js';

function follower(): RawNode {
  const storage = new MemoryStorage();
  const boot = bootstrapLog(['a', 'b', 'c']);
  storage.append(boot.entries);
  storage.setHardState(boot.hardState);
  return new RawNode({ id: 'a', storage, rand: new SeededRand(3) });
}

const ok = { type: 'append', from: 'b', to: 'a', term: 5, prevIndex: 3, prevTerm: 1, commit: 3, entries: [] };
const bytes = new Uint8Array([1]);

// Each malformed message is refused before anything changes: a message that
// reached the handlers half-formed used to leave the core half-updated (here:
// the term would move to 5 before a missing field threw a TypeError).
t.test('malformed messages are refused with RAFT_INVALID_MESSAGE and change nothing', async (t) => {
  const cases: Array<[string, unknown]> = [
    ['no entries', { ...ok, entries: undefined }],
    ['an entry without data', { ...ok, entries: [{ index: 4, term: 5, type: 'normal' }] }],
    ['an entry of an unknown type', { ...ok, entries: [{ index: 4, term: 5, type: 'x', data: bytes }] }],
    ['a negative term', { ...ok, term: -1 }],
    ['a fractional index', { ...ok, prevIndex: 1.5 }],
    ['empty from', { ...ok, from: '' }],
    ['addressed to another node', { ...ok, to: 'c' }],
    ['an unknown type', { ...ok, type: 'hup' }],
    ['a vote without transfer', { type: 'vote', from: 'b', to: 'a', term: 5, lastLogIndex: 9, lastLogTerm: 4 }],
    ['a heartbeat with a string context', { type: 'heartbeat', from: 'b', to: 'a', term: 5, commit: 0, context: 'x' }],
    ['a snapshot without confState', { type: 'snapshot', from: 'b', to: 'a', term: 5, offset: 0, totalBytes: 1, data: bytes, meta: { index: 9, term: 4 } }],
    ['a read-index without context', { type: 'read-index', from: 'b', to: 'a', term: 5 }],
  ];
  for (const [name, m] of cases) {
    const node = follower();
    const before = node.status();
    t.throws(() => node.step(m as Message), { code: 'RAFT_INVALID_MESSAGE' }, name);
    t.same(node.status(), before, `${name}: nothing changed`);
  }
  const node = follower();
  node.step(ok as Message);
  t.equal(node.status().hardState.term, 5, 'the well-formed one is taken');
});
