import fc from 'fast-check';
import t from 'tap';
import { committedIndex, hasQuorum, majority, voteResult } from './quorum.js';

// Quorum math against deliberately simple references.

const refCommitted = (matches: number[]): number => {
  // The largest index n such that more than half of the voters have match >= n.
  let best = 0;
  for (const n of matches) {
    const count = matches.filter((m) => m >= n).length;
    if (count * 2 > matches.length && n > best) best = n;
  }
  return best;
};

const refVote = (n: number, granted: number, rejected: number): string => {
  if (granted * 2 > n) return 'won';
  if (rejected * 2 >= n) return 'lost';
  return 'pending';
};

t.test('majority is a strict majority', async (t) => {
  t.same([1, 2, 3, 4, 5, 6, 7].map(majority), [1, 2, 2, 3, 3, 4, 4]);
  t.equal(majority(0), 0);
});

t.test('committedIndex equals the reference for any match indexes', async (t) => {
  t.doesNotThrow(() =>
    fc.assert(
      fc.property(fc.array(fc.nat(50), { minLength: 1, maxLength: 9 }), (matches) => {
        const ids = matches.map((_, i) => `n${i}`);
        return committedIndex(ids, (id) => matches[Number(id.slice(1))]!) === refCommitted(matches);
      }),
      { seed: 1, numRuns: 500 },
    ),
  );
  t.equal(committedIndex([], () => 0), Number.POSITIVE_INFINITY, 'no voters: no constraint');
});

t.test('voteResult equals the reference for any vote pattern', async (t) => {
  t.doesNotThrow(() =>
    fc.assert(
      fc.property(fc.array(fc.constantFrom<boolean | undefined>(true, false, undefined), { minLength: 1, maxLength: 9 }), (votes) => {
        const ids = votes.map((_, i) => `n${i}`);
        const m = new Map<string, boolean>();
        votes.forEach((v, i) => {
          if (v !== undefined) m.set(`n${i}`, v);
        });
        const granted = votes.filter((v) => v === true).length;
        const rejected = votes.filter((v) => v === false).length;
        return voteResult(ids, m) === refVote(votes.length, granted, rejected);
      }),
      { seed: 2, numRuns: 500 },
    ),
  );
});

t.test('hasQuorum: any two quorums of the same voters intersect', async (t) => {
  t.doesNotThrow(() =>
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 9 }), fc.nat(), fc.nat(), (n, a, b) => {
        const ids = Array.from({ length: n }, (_, i) => `n${i}`);
        const setA = new Set(ids.filter((_, i) => (a >> i) & 1));
        const setB = new Set(ids.filter((_, i) => (b >> i) & 1));
        if (!hasQuorum(ids, (id) => setA.has(id)) || !hasQuorum(ids, (id) => setB.has(id))) return true;
        return [...setA].some((id) => setB.has(id));
      }),
      { seed: 3, numRuns: 500 },
    ),
  );
});

t.test('single-step changes keep quorums of the old and new configuration intersecting', async (t) => {
  t.doesNotThrow(() =>
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 8 }), fc.boolean(), fc.nat(), fc.nat(), (n, add, a, b) => {
        const oldIds = Array.from({ length: n }, (_, i) => `n${i}`);
        if (!add && n === 1) return true;
        const newIds = add ? [...oldIds, `n${n}`] : oldIds.slice(1);
        const all = add ? newIds : oldIds;
        const setA = new Set(all.filter((_, i) => (a >> i) & 1));
        const setB = new Set(all.filter((_, i) => (b >> i) & 1));
        if (!hasQuorum(oldIds, (id) => setA.has(id)) || !hasQuorum(newIds, (id) => setB.has(id))) return true;
        return [...setA].some((id) => setB.has(id));
      }),
      { seed: 4, numRuns: 1000 },
    ),
  );
});
