import t from 'tap';
import { SeededRand } from '../sim/seeded-rand.js';
import { bootstrapLog } from './bootstrap.js';
import { decodeConfChange, encodeConfChange } from './conf-change-codec.js';
import { RaftError, isRaftError, raftErrors } from './errors.js';
import { MemoryStorage } from './memory-storage.js';
import { RawNode } from './raw-node.js';

t.test('a single-node cluster: the driver loop persists, applies and acknowledges', async (t) => {
  const storage = new MemoryStorage();
  const boot = bootstrapLog(['solo']);
  storage.append(boot.entries);
  storage.setHardState(boot.hardState);
  const node = new RawNode({ id: 'solo', storage, rand: new SeededRand(1) });
  const applied: string[] = [];
  const drive = (): void => {
    while (node.hasReady()) {
      const rd = node.ready();
      storage.append(rd.entries);
      if (rd.hardState) storage.setHardState(rd.hardState);
      t.equal(rd.messages.length, 0, 'nobody to talk to');
      for (const e of rd.committedEntries) {
        if (e.type === 'conf-change') node.applyConfChange(decodeConfChange(e.data));
        else if (e.data.length > 0) applied.push(new TextDecoder().decode(e.data));
      }
      node.advance(rd);
    }
  };
  drive();
  t.same(node.status().confState.voters, ['solo'], 'membership learned from the bootstrap entries');
  t.throws(() => node.propose(new Uint8Array([1])), { code: 'RAFT_NOT_LEADER' });
  for (let i = 0; i < 30 && node.softState().role !== 'leader'; i++) {
    node.tick();
    drive();
  }
  t.equal(node.softState().role, 'leader', 'elected itself after an election timeout');
  const ticket = node.propose(new TextEncoder().encode('hello'));
  drive();
  t.same(applied, ['hello']);
  t.equal(storage.term(ticket.index), ticket.term, 'persisted at the ticket');
  node.readIndex(new TextEncoder().encode('q'));
  const rd = node.ready();
  t.same(rd.readStates.map((r) => r.index), [ticket.index], 'a lone voter answers reads at once');
  node.advance(rd);
});

t.test('configuration is validated with typed errors', async (t) => {
  const storage = new MemoryStorage();
  const bad = (cfg: Record<string, unknown>): string | undefined => {
    try {
      new RawNode({ id: 'x', storage, rand: new SeededRand(1), ...cfg });
      return undefined;
    } catch (err) {
      return isRaftError(err) ? err.code : 'other';
    }
  };
  t.equal(bad({ id: '' }), 'RAFT_INVALID_CONFIG');
  t.equal(bad({ electionTicks: 2, heartbeatTicks: 2 }), 'RAFT_INVALID_CONFIG');
  t.equal(bad({ maxInflightMsgs: 0 }), 'RAFT_INVALID_CONFIG');
  t.equal(bad({}), undefined);
});

t.test('errors carry stable codes, statuses and retryability', async (t) => {
  const err = new RaftError('NOT_LEADER', 'nope', { leader: 'b' });
  t.equal(err.code, 'RAFT_NOT_LEADER');
  t.equal(err.status, 503);
  t.equal(err.retryable, true);
  t.same(err.details, { leader: 'b' });
  t.ok(isRaftError(err, 'RAFT_NOT_LEADER'));
  t.notOk(isRaftError(err, 'RAFT_COMPACTED'));
  t.equal(raftErrors.codes.CONF_CHANGE_UNSAFE, 'RAFT_CONF_CHANGE_UNSAFE');
  for (const [name, def] of Object.entries(raftErrors.defs)) t.ok(def.doc.length > 10, `${name} is documented`);
});

t.test('conf changes round-trip through entry data', async (t) => {
  const cc = { type: 'add-learner' as const, nodeId: 'n4', context: new Uint8Array([1, 2, 255]) };
  t.same(decodeConfChange(encodeConfChange(cc)), cc);
  t.throws(() => decodeConfChange(new TextEncoder().encode('{"type":"bogus","nodeId":"x"}')), { code: 'RAFT_INVALID_MESSAGE' });
});

t.test('restart: applied starts at the snapshot even when entries below it are kept and the commit lags', async (t) => {
  const storage = new MemoryStorage();
  const boot = bootstrapLog(['a', 'b', 'c']);
  storage.append(boot.entries);
  const ents = [4, 5, 6, 7].map((index) => ({ term: 2, index, type: 'normal' as const, data: new Uint8Array([index]) }));
  storage.append(ents);
  storage.createSnapshot(6, { voters: ['a', 'b', 'c'], learners: [] }, new Uint8Array([42]));
  storage.compact(4); // keep 5 and 6 below the snapshot for slow followers
  storage.setHardState({ term: 2, vote: 'a', commit: 5 }); // commit persisted lazily, behind the snapshot
  const node = new RawNode({ id: 'a', storage, rand: new SeededRand(3) });
  t.equal(node.status().applied, 6, 'applied = snapshot index');
  t.equal(node.hardState().commit, 6, 'the snapshot counts as committed');
  t.same(node.ready().committedEntries, [], 'nothing at or below the snapshot is handed out again');
});

// A Ready whose only news is a snapshot must be fsynced before its messages
// go out: otherwise a follower acks it, crashes, loses it, and then takes
// the leader's commit index for entries it does not have.
t.test('a Ready that carries only a snapshot must be synced', async (t) => {
  const storage = new MemoryStorage();
  const boot = bootstrapLog(['l', 'f']);
  storage.append(boot.entries);
  storage.setHardState(boot.hardState);
  const node = new RawNode({ id: 'f', storage, rand: new SeededRand(1) });
  const settle = (): void => {
    while (node.hasReady()) {
      const rd = node.ready();
      storage.append(rd.entries);
      if (rd.hardState) storage.setHardState(rd.hardState);
      for (const e of rd.committedEntries) if (e.type === 'conf-change') node.applyConfChange(decodeConfChange(e.data));
      node.advance(rd);
    }
  };
  settle();
  // Learn term 2 and its leader first, so that the snapshot changes neither term nor vote.
  node.step({ type: 'heartbeat', from: 'l', to: 'f', term: 2, commit: 0 });
  settle();
  const data = new Uint8Array([1, 2, 3]);
  node.step({
    type: 'snapshot', from: 'l', to: 'f', term: 2, offset: 0, totalBytes: data.length, data,
    meta: { index: 9, term: 2, confState: { voters: ['l', 'f'], learners: [] } },
  });
  const rd = node.ready();
  t.equal(rd.snapshot?.meta.index, 9, 'the Ready carries the snapshot');
  t.equal(rd.entries.length, 0, 'and no entries');
  t.ok(rd.mustSync, 'it must be synced before the ack is sent');
});
