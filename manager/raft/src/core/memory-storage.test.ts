import t from 'tap';
import { isRaftError } from './errors.js';
import { MemoryStorage } from './memory-storage.js';
import type { Entry } from './types.js';

const ent = (index: number, term: number): Entry => ({ index, term, type: 'normal', data: new Uint8Array(index) });
const codeOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
    return undefined;
  } catch (err) {
    return isRaftError(err) ? err.code : 'other';
  }
};

t.test('append, overwrite and read entries', async (t) => {
  const s = new MemoryStorage();
  s.append([ent(1, 1), ent(2, 1), ent(3, 2)]);
  t.equal(s.firstIndex(), 1);
  t.equal(s.lastIndex(), 3);
  t.equal(s.term(3), 2);
  t.equal(s.term(0), 0, 'the dummy entry answers term(first-1)');
  s.append([ent(3, 3), ent(4, 3)]);
  t.same(s.entries(1, 5).map((e) => e.term), [1, 1, 3, 3], 'a conflicting suffix is replaced');
  s.append([ent(2, 4)]);
  t.equal(s.lastIndex(), 2, 'appending at 2 truncates everything after');
  t.same(s.entries(1, 3, 1).length, 1, 'maxBytes limits the slice (at least one entry)');
  t.equal(codeOf(() => s.entries(1, 9)), 'RAFT_UNAVAILABLE');
  t.equal(codeOf(() => s.append([ent(9, 4)])), 'RAFT_UNAVAILABLE', 'a gap is refused');
});

t.test('snapshots and compaction', async (t) => {
  const s = new MemoryStorage();
  s.append([1, 2, 3, 4, 5].map((i) => ent(i, 1)));
  const snap = s.createSnapshot(3, { voters: ['a'], learners: [] }, new Uint8Array([7]));
  t.same(snap.meta, { index: 3, term: 1, confState: { voters: ['a'], learners: [] } });
  s.compact(3);
  t.equal(s.firstIndex(), 4);
  t.equal(s.term(3), 1, 'the compaction point keeps its term');
  t.equal(codeOf(() => s.term(2)), 'RAFT_COMPACTED');
  t.equal(codeOf(() => s.entries(3, 5)), 'RAFT_COMPACTED');
  t.equal(codeOf(() => s.createSnapshot(2, { voters: [], learners: [] }, new Uint8Array())), 'RAFT_SNAPSHOT_OUT_OF_DATE');
  t.same(s.initialState().confState, { voters: ['a'], learners: [] });
  s.applySnapshot({ meta: { index: 10, term: 3, confState: { voters: ['a', 'b'], learners: [] } }, data: new Uint8Array() });
  t.equal(s.firstIndex(), 11);
  t.equal(s.lastIndex(), 10);
  t.equal(s.term(10), 3);
  t.equal(codeOf(() => s.applySnapshot(snap)), 'RAFT_SNAPSHOT_OUT_OF_DATE');
  s.append([ent(11, 3)]);
  t.equal(s.lastIndex(), 11);
});
