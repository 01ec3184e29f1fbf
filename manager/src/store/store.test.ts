import t from 'tap';
import fc from 'fast-check';
import { ManualClock, hasCode } from '@shoal/common';
import { LocalProposer } from './local-proposer.js';
import { Store } from './store.js';
import { OUT_OF_SEQUENCE } from './apply.js';
import type { StoreEvent } from './types.js';

function newStore(proposer = new LocalProposer()): { store: Store; proposer: LocalProposer } {
  let n = 0;
  const store = new Store({ proposer, clock: new ManualClock(Date.parse('2026-12-07T10:00:00Z')), newId: () => `tx${++n}` });
  proposer.attach((i, d) => store.applyEntry(i, d));
  return { store, proposer };
}

t.test('update proposes, applies and resolves; view reads the applied state', async (t) => {
  const { store, proposer } = newStore();
  const id = await store.update((tx) => {
    tx.create('services', { ID: 's1', Spec: { Name: 'web' } });
    tx.create('tasks', { ID: 't1', ServiceID: 's1', Slot: 1, NodeID: 'n1' });
    t.equal(tx.find('tasks', 'service', 's1').length, 1, 'a transaction reads its own writes');
    t.equal(tx.get('services', 's1')?.Spec !== undefined, true);
    return 's1';
  });
  t.equal(id, 's1');
  t.equal(proposer.log.length, 1, 'one transaction, one entry');
  t.match(store.view((tx) => tx.get('services', 's1')), { Version: { Index: 1 }, CreatedAt: '2026-12-07T10:00:00.000Z' });
  t.same(store.view((tx) => tx.find('tasks', 'node', 'n1').map((o) => o.ID)), ['t1']);
  t.equal(await store.update(() => 'nothing written'), 'nothing written');
  t.equal(proposer.log.length, 1, 'a transaction without writes proposes nothing');
  t.equal(store.appliedIndex, 1);
});

t.test('updates of one tick share one proposal; racing writers of one version: one wins, the other is out of sequence', async (t) => {
  const { store, proposer } = newStore();
  await Promise.all(Array.from({ length: 50 }, (_, i) => store.update((tx) => tx.create('tasks', { ID: `t${i}`, ServiceID: 's' }))));
  t.equal(proposer.log.length, 1, '50 transactions in one entry');
  t.equal(store.view((tx) => tx.find('tasks', 'service', 's').length), 50);
  await store.update((tx) => tx.create('services', { ID: 's1', Spec: { Name: 'web', Replicas: 1 } }));
  const bump = (n: number) => store.update((tx) => {
    const s = tx.get('services', 's1');
    if (s === undefined) throw new Error('gone');
    tx.update('services', { ...structuredClone(s), Spec: { Name: 'web', Replicas: n } });
  });
  const [a, b] = await Promise.allSettled([bump(2), bump(3)]);
  t.equal(a.status, 'fulfilled');
  t.equal(b.status, 'rejected');
  const err = b.status === 'rejected' ? (b.reason as Error) : undefined;
  t.ok(hasCode(err, 'STORE_OUT_OF_SEQUENCE'));
  t.equal(err?.message, OUT_OF_SEQUENCE, 'Docker\'s sentence');
  t.match(store.view((tx) => tx.get('services', 's1')), { Spec: { Replicas: 2 } });
});

t.test('a proposal that fails rejects its transactions; nothing applies', async (t) => {
  const store = new Store({
    proposer: { propose: async () => { throw new Error('not the leader'); } },
    clock: new ManualClock(0), newId: () => 'x',
  });
  await t.rejects(store.update((tx) => tx.create('nodes', { ID: 'n1' })), { code: 'STORE_PROPOSAL_FAILED', message: 'not the leader' });
  t.same(store.view((tx) => tx.list('nodes')), []);
});

t.test('write folding in one transaction: create then update is one create; create then delete is nothing', async (t) => {
  const { store, proposer } = newStore();
  await store.update((tx) => {
    tx.create('networks', { ID: 'a', Spec: { Name: 'x' } });
    const a = tx.get('networks', 'a');
    tx.update('networks', { ...structuredClone(a as object), ID: 'a', Version: { Index: 0 }, Spec: { Name: 'y' } });
    tx.create('networks', { ID: 'b', Spec: { Name: 'b' } });
    tx.delete('networks', 'b');
  });
  t.same(store.view((tx) => tx.list('networks').map((n) => [n.ID, (n.Spec as { Name: string }).Name])), [['a', 'y']]);
  t.equal(proposer.log.length, 1);
});

t.test('watch: changes in order, filtered by table, from registration on; abort ends it', async (t) => {
  const { store } = newStore();
  await store.update((tx) => tx.create('nodes', { ID: 'n0' }));
  const ac = new AbortController();
  const seen: string[] = [];
  const done = (async () => {
    for await (const e of store.watch({ tables: ['services', 'tasks'], signal: ac.signal })) {
      seen.push(`${e.action} ${e.table} ${e.object.ID}@${e.index}`);
      if (seen.length === 3) ac.abort();
    }
  })();
  await store.update((tx) => { tx.create('services', { ID: 's1', Spec: { Name: 'web' } }); tx.create('nodes', { ID: 'n1' }); });
  await store.update((tx) => tx.create('tasks', { ID: 't1', ServiceID: 's1' }));
  await store.update((tx) => tx.delete('services', 's1'));
  await done;
  t.same(seen, ['create services s1@2', 'create tasks t1@3', 'delete services s1@4']);
});

t.test('snapshot and restore; an entry already applied is skipped', async (t) => {
  const { store, proposer } = newStore();
  await store.update((tx) => tx.create('secrets', { ID: 'k1', Spec: { Name: 'db-pass' } }));
  const other = newStore().store;
  other.restore(store.snapshot());
  t.same(other.view((tx) => tx.find('secrets', 'name', 'db-pass').map((o) => o.ID)), ['k1']);
  t.equal(other.appliedIndex, 1);
  const first = proposer.log[0];
  if (first !== undefined) other.applyEntry(first.index, first.data);
  t.equal(other.view((tx) => tx.list('secrets').length), 1, 'replaying an applied entry changes nothing');
});

t.test('property: replicas applying the same log agree, versions only grow, names stay unique', async (t) => {
  const op = fc.oneof(
    fc.record({ kind: fc.constant('create' as const), id: fc.integer({ min: 0, max: 7 }), name: fc.integer({ min: 0, max: 4 }) }),
    fc.record({ kind: fc.constant('rename' as const), id: fc.integer({ min: 0, max: 7 }), name: fc.integer({ min: 0, max: 4 }), stale: fc.boolean() }),
    fc.record({ kind: fc.constant('delete' as const), id: fc.integer({ min: 0, max: 7 }) }),
  );
  await fc.assert(fc.asyncProperty(fc.array(fc.array(op, { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 25 }), async (txs) => {
    const { store, proposer } = newStore();
    const versions = new Map<string, number>();
    const events: StoreEvent[] = [];
    const ac = new AbortController();
    const watching = (async () => { for await (const e of store.watch({ signal: ac.signal })) events.push(e); })();
    await Promise.allSettled(txs.map((ops) => store.update((tx) => {
      for (const o of ops) {
        const id = `s${o.id}`;
        const cur = tx.get('services', id);
        if (o.kind === 'create' && cur === undefined) tx.create('services', { ID: id, Spec: { Name: `n${o.name}` } });
        else if (o.kind === 'rename' && cur !== undefined) {
          tx.update('services', { ...structuredClone(cur), Version: { Index: o.stale ? cur.Version.Index - 1 : cur.Version.Index }, Spec: { Name: `n${o.name}` } });
        } else if (o.kind === 'delete' && cur !== undefined) tx.delete('services', id);
      }
    })));
    ac.abort();
    await watching;
    // A replica fed the same entries reaches the same state.
    const replica = newStore().store;
    for (const e of proposer.log) replica.applyEntry(e.index, e.data);
    if (JSON.stringify(replica.snapshot()) !== JSON.stringify(store.snapshot())) return false;
    const names = store.view((tx) => tx.list('services').map((s) => (s.Spec as { Name: string }).Name));
    if (new Set(names).size !== names.length) return false;
    for (const e of events) {
      const prev = versions.get(e.object.ID) ?? 0;
      if (e.action !== 'delete' && e.object.Version.Index <= prev) return false;
      versions.set(e.object.ID, e.action === 'delete' ? 0 : e.object.Version.Index);
    }
    return true;
  }), { numRuns: 200 });
  t.pass('200 random histories');
});
