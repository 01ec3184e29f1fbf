import t from 'tap';
import { checkConfChange } from './conf-change-safety.js';
import type { MembershipView } from './conf-change-safety.js';
import { isRaftError } from './errors.js';
import type { ConfChange } from './types.js';
import { SnapshotReceiver } from './snapshot-receiver.js';

const view = (voters: string[], learners: string[], healthy: string[], match: Record<string, number> = {}, lastIndex = 10): MembershipView => ({
  voters: new Set(voters),
  learners: new Set(learners),
  healthy: (id) => healthy.includes(id),
  matchOf: (id) => match[id] ?? 0,
  lastIndex,
  learnerCatchUpSlack: 0,
});
const verdict = (cc: ConfChange, v: MembershipView): string => {
  try {
    checkConfChange(cc, v);
    return 'ok';
  } catch (err) {
    return isRaftError(err) ? err.code : 'other';
  }
};

t.test('conf-change vetting table', async (t) => {
  const all = ['a', 'b', 'c'];
  const cases: [string, ConfChange, MembershipView, string][] = [
    ['remove a voter with everyone healthy', { type: 'remove-node', nodeId: 'c' }, view(all, [], all), 'ok'],
    ['remove b while c is down leaves {a,c} without a quorum', { type: 'remove-node', nodeId: 'b' }, view(all, [], ['a', 'b']), 'RAFT_CONF_CHANGE_UNSAFE'],
    ['remove the down node c', { type: 'remove-node', nodeId: 'c' }, view(all, [], ['a', 'b']), 'ok'],
    ['add a 4th voter while c is down', { type: 'add-voter', nodeId: 'd' }, view(all, [], ['a', 'b']), 'RAFT_CONF_CHANGE_UNSAFE'],
    ['add a 4th voter with all healthy', { type: 'add-voter', nodeId: 'd' }, view(all, [], all), 'ok'],
    ['any change without a current quorum', { type: 'add-learner', nodeId: 'd' }, view(all, [], ['a']), 'RAFT_CONF_CHANGE_UNSAFE'],
    ['promote a lagging learner', { type: 'add-voter', nodeId: 'l' }, view(all, ['l'], [...all, 'l'], { l: 9 }), 'RAFT_CONF_CHANGE_UNSAFE'],
    ['promote a caught-up learner', { type: 'add-voter', nodeId: 'l' }, view(all, ['l'], [...all, 'l'], { l: 10 }), 'ok'],
    ['promote an unreachable learner', { type: 'add-voter', nodeId: 'l' }, view(all, ['l'], all, { l: 10 }), 'RAFT_CONF_CHANGE_UNSAFE'],
    ['demote a voter', { type: 'add-learner', nodeId: 'a' }, view(all, [], all), 'RAFT_CONF_CHANGE_INVALID'],
    ['remove a stranger', { type: 'remove-node', nodeId: 'z' }, view(all, [], all), 'RAFT_CONF_CHANGE_INVALID'],
    ['remove the last voter', { type: 'remove-node', nodeId: 'a' }, view(['a'], [], ['a']), 'RAFT_CONF_CHANGE_INVALID'],
    ['add an existing voter', { type: 'add-voter', nodeId: 'b' }, view(all, [], all), 'RAFT_CONF_CHANGE_INVALID'],
    ['re-add a removed id', { type: 'add-learner', nodeId: 'd' }, { ...view(all, [], all), removed: new Set(['d']) }, 'RAFT_CONF_CHANGE_INVALID'],
  ];
  for (const [name, cc, v, want] of cases) t.equal(verdict(cc, v), want, name);
});

t.test('snapshot chunks reassemble in order, resume after loss, restart at offset 0', async (t) => {
  const meta = { index: 9, term: 2, confState: { voters: ['a'], learners: [] } };
  const data = new Uint8Array([1, 2, 3, 4, 5, 6, 7]);
  const chunk = (offset: number, len: number) => ({
    type: 'snapshot' as const, from: 'l', to: 'f', term: 2, meta, offset, totalBytes: data.length, data: data.subarray(offset, offset + len),
  });
  const r = new SnapshotReceiver();
  t.same(r.receive(chunk(3, 3)), { nextOffset: 0 }, 'a chunk without its predecessors asks for offset 0');
  t.same(r.receive(chunk(0, 3)), { nextOffset: 3 });
  t.same(r.receive(chunk(0, 3)), { nextOffset: 3 }, 'a restarted transfer resets');
  t.same(r.receive(chunk(6, 1)), { nextOffset: 3 }, 'a gap is not accepted');
  t.same(r.receive(chunk(3, 3)), { nextOffset: 6 });
  t.same(r.receive(chunk(3, 3)), { nextOffset: 6 }, 'a duplicate is ignored');
  const done = r.receive(chunk(6, 1));
  t.equal(done.nextOffset, 7);
  t.same(done.snapshot?.data, data, 'the snapshot data is complete');
  t.same(done.snapshot?.meta, meta);
});
