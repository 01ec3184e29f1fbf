import fc from 'fast-check';
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

t.test('property: appends and compactions match a plain array of terms', async (t) => {
  const op = fc.oneof(
    fc.record({ kind: fc.constant('append' as const), at: fc.nat(20), terms: fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 5 }) }),
    fc.record({ kind: fc.constant('compact' as const), at: fc.nat(20) }),
  );
  t.doesNotThrow(() =>
    fc.assert(
      fc.property(fc.array(op, { maxLength: 30 }), (ops) => {
        const s = new MemoryStorage();
        const ref: number[] = [0]; // ref[i] = term of index i; ref[0] = the snapshot point
        let first = 1;
        for (const o of ops) {
          const last = first + ref.length - 2;
          if (o.kind === 'append') {
            const at = Math.min(o.at + first, last + 1);
            s.append(o.terms.map((term, k) => ent(at + k, term)));
            ref.length = at - first + 1;
            ref.push(...o.terms);
          } else if (o.at + first <= last) {
            const at = o.at + first;
            s.compact(at);
            ref.splice(0, ref.length, ...ref.slice(at - first + 1));
            first = at + 1;
          }
        }
        if (s.firstIndex() !== first || s.lastIndex() !== first + ref.length - 2) return false;
        for (let i = first - 1; i <= s.lastIndex(); i++) if (s.term(i) !== ref[i - first + 1]) return false;
        return true;
      }),
      { seed: 5, numRuns: 300 },
    ),
  );
});
