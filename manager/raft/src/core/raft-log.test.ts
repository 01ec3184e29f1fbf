import t from 'tap';
import { MemoryStorage } from './memory-storage.js';
import { Inflights, Progress } from './progress.js';
import { RaftLog } from './raft-log.js';
import type { Entry } from './types.js';

const ents = (terms: number[], from = 1): Entry[] => terms.map((term, i) => ({ term, index: from + i, type: 'normal', data: new Uint8Array(1) }));

const logOf = (terms: number[]): RaftLog => {
  const s = new MemoryStorage();
  s.append(ents(terms));
  return new RaftLog(s, 1 << 20);
};

t.test('findConflictByTerm skips a whole term (fast back-tracking)', async (t) => {
  const log = logOf([1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 3]); // figure 7's follower f
  t.equal(log.findConflictByTerm(10, 6), 10, 'all terms <= 6: the hint stays');
  t.equal(log.findConflictByTerm(10, 2), 6, 'skips the term-3 run');
  t.equal(log.findConflictByTerm(10, 1), 3);
  t.equal(log.findConflictByTerm(10, 0), 0);
});

t.test('maybeAppend: matching prefix, conflict truncation, stale appends keep newer entries', async (t) => {
  const log = logOf([1, 1, 2]);
  t.equal(log.maybeAppend(3, 9, 0, ents([3], 4)), undefined, 'prevTerm mismatch is refused');
  t.equal(log.maybeAppend(2, 1, 2, ents([3, 3], 3)), 4, 'the conflict at 3 is replaced');
  t.same([1, 2, 3, 4].map((i) => log.term(i)), [1, 1, 3, 3]);
  t.equal(log.committed, 2, 'commit follows the leader, bounded by the new entries');
  t.equal(log.maybeAppend(2, 1, 2, ents([3], 3)), 3, 'a reordered older append');
  t.equal(log.lastIndex(), 4, 'does not truncate matching newer entries');
  t.throws(() => log.maybeAppend(1, 1, 0, ents([5], 2)), /conflicts with committed/, 'never overwrites a committed entry');
});

t.test('unstable entries become stable through stableTo; restore replaces the log', async (t) => {
  const log = logOf([1]);
  log.append(ents([2, 2], 2));
  t.same(log.unstableEntries().map((e) => e.index), [2, 3]);
  log.stableTo(3, 9);
  t.equal(log.unstableEntries().length, 2, 'a term mismatch (the entry was replaced meanwhile) keeps them');
  log.stableTo(2, 2);
  t.same(log.unstableEntries().map((e) => e.index), [3]);
  log.restore({ meta: { index: 10, term: 4, confState: { voters: [], learners: [] } }, data: new Uint8Array() });
  t.equal(log.lastIndex(), 10);
  t.equal(log.committed, 10);
  t.equal(log.term(10), 4);
  t.same(log.nextCommittedEntries(), [], 'nothing to apply while the snapshot is pending');
});

t.test('progress: probe pauses after one append; replicate is bounded by the inflight window', async (t) => {
  const pr = new Progress(5, 2, false, 0);
  t.notOk(pr.isPaused());
  pr.probeSent = true;
  t.ok(pr.isPaused(), 'probe: one append at a time');
  t.notOk(pr.maybeDecrTo(3, 1), 'a stale rejection is ignored');
  t.ok(pr.maybeDecrTo(4, 1), 'a rejection of the last probe');
  t.equal(pr.next, 2, 'next jumps to the hint + 1');
  pr.maybeUpdate(4);
  pr.becomeReplicate();
  pr.optimisticUpdate(6);
  pr.inflights.add(6);
  pr.optimisticUpdate(8);
  pr.inflights.add(8);
  t.ok(pr.isPaused(), 'window full');
  pr.inflights.freeLE(6);
  t.notOk(pr.isPaused(), 'an ack frees the window');
  const inf = new Inflights(3);
  inf.add(1);
  inf.add(2);
  inf.freeFirstOne();
  t.equal(inf.count, 1);
});
