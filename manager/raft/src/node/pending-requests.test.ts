import t from 'tap';
import type { TimerHandle, Timers } from '../transport/index.js';
import { PendingRequests } from './pending-requests.js';

const noTimers: Timers = { setTimeout: (): TimerHandle => ({ cancel: () => undefined }) };

function proposal(p: PendingRequests, index: number, term: number): Promise<unknown> {
  return new Promise((resolve, reject) => p.addProposal(index, term, resolve, reject));
}

// A snapshot that overtakes waiting proposals used to reject them as
// RAFT_PROPOSAL_DROPPED, retryable, although each may be inside the snapshot.
t.test('a snapshot that overtakes waiting proposals: outcome unknown, not retryable', async (t) => {
  const p = new PendingRequests(noTimers, 1000);
  const inside = proposal(p, 5, 2);
  const beyond = proposal(p, 9, 2);
  p.snapshotInstalled(7);
  await t.rejects(inside, { code: 'RAFT_OUTCOME_UNKNOWN', retryable: false, details: { index: 5 } });
  p.applied({ index: 9, term: 2, type: 'normal', data: new Uint8Array() });
  t.same(await beyond, { index: 9, term: 2 }, 'a proposal above the snapshot still completes, with its term');
});

t.test('lost leadership: appended proposals have an unknown outcome; replaced ones were dropped', async (t) => {
  const p = new PendingRequests(noTimers, 1000);
  const replaced = proposal(p, 3, 2);
  p.applied({ index: 3, term: 3, type: 'normal', data: new Uint8Array() });
  await t.rejects(replaced, { code: 'RAFT_PROPOSAL_DROPPED', retryable: true }, 'another entry took its index: it never commits');
  const appended = proposal(p, 4, 2);
  p.leadershipLost('n2');
  await t.rejects(appended, { code: 'RAFT_OUTCOME_UNKNOWN', retryable: false, details: { index: 4, leader: 'n2' } });
});
