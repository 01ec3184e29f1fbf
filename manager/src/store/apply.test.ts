import t from 'tap';
import { applyBatch, OUT_OF_SEQUENCE } from './apply.js';
import { Tables } from './tables.js';
import type { Batch, NewObject, Op } from './types.js';

const svc = (id: string, name: string, extra: Record<string, unknown> = {}): NewObject => ({ ID: id, Spec: { Name: name }, ...extra });
const tx = (id: string, ...ops: Op[]): Batch['txs'][number] => ({ id, at: `2026-12-07T00:00:0${id.length}.000Z`, ops });
const create = (o: NewObject): Op => ({ op: 'create', table: 'services', object: o });

t.test('create, update and delete: versions are the entry index, times travel in the entry', async (t) => {
  const tables = new Tables();
  let r = applyBatch(tables, { txs: [tx('a', create(svc('s1', 'web')))] }, 5);
  t.same([...r.results.values()], [{ ok: true }]);
  t.match(tables.get('services', 's1'), { ID: 's1', Version: { Index: 5 }, CreatedAt: '2026-12-07T00:00:01.000Z', UpdatedAt: '2026-12-07T00:00:01.000Z' });
  t.same(r.events.map((e) => [e.action, e.object.ID, e.index]), [['create', 's1', 5]]);
  r = applyBatch(tables, { txs: [tx('bb', { op: 'update', table: 'services', object: svc('s1', 'web', { Replicas: 3 }), version: 5 })] }, 9);
  t.match(tables.get('services', 's1'), { Version: { Index: 9 }, CreatedAt: '2026-12-07T00:00:01.000Z', UpdatedAt: '2026-12-07T00:00:02.000Z', Replicas: 3 });
  t.equal(r.events[0]?.old?.Version.Index, 5, 'the event carries the old version');
  t.ok(Object.isFrozen(tables.get('services', 's1')?.Spec), 'stored objects are read-only, deeply');
  r = applyBatch(tables, { txs: [tx('ccc', { op: 'delete', table: 'services', id: 's1' })] }, 10);
  t.equal(tables.get('services', 's1'), undefined);
  t.same(r.events.map((e) => e.action), ['delete']);
});

t.test('refusals: each with its code and Docker\'s sentence, nothing applied', async (t) => {
  const tables = new Tables();
  applyBatch(tables, { txs: [tx('a', create(svc('s1', 'web')))] }, 1);
  const cases: Array<[Op, string, string]> = [
    [create(svc('s1', 'other')), 'EXISTS', 'services object s1 already exists'],
    [create(svc('s2', 'web')), 'NAME_CONFLICT', 'name conflicts with an existing object'],
    [{ op: 'update', table: 'services', object: svc('s1', 'web'), version: 0 }, 'OUT_OF_SEQUENCE', OUT_OF_SEQUENCE],
    [{ op: 'update', table: 'services', object: svc('s9', 'x'), version: 1 }, 'NOT_FOUND', 'services object s9 does not exist'],
    [{ op: 'delete', table: 'tasks', id: 't9' }, 'NOT_FOUND', 'tasks object t9 does not exist'],
    [{ op: 'create', table: 'nope' as 'tasks', object: svc('x', 'x') }, 'INVALID', 'unknown table nope'],
    [create({ ID: '' }), 'INVALID', 'an object of services needs an ID'],
  ];
  for (const [op, code, message] of cases) {
    const r = applyBatch(tables, { txs: [tx('z', op)] }, 2);
    t.same(r.results.get('z'), { ok: false, code, message }, code);
    t.same(r.events, []);
  }
  t.same(tables.list('services').map((o) => [o.ID, o.Version.Index]), [['s1', 1]], 'the state did not move');
});

t.test('a transaction applies whole or not at all; the next one in the batch still applies', async (t) => {
  const tables = new Tables();
  const r = applyBatch(tables, {
    txs: [
      tx('a', create(svc('s1', 'web')), create(svc('s2', 'web'))),
      tx('b', create(svc('s3', 'api')), { op: 'create', table: 'tasks', object: { ID: 't1', ServiceID: 's3', Slot: 1 } }),
    ],
  }, 3);
  t.same(r.results.get('a'), { ok: false, code: 'NAME_CONFLICT', message: 'name conflicts with an existing object' });
  t.same(r.results.get('b'), { ok: true });
  t.same(tables.list('services').map((o) => o.ID), ['s3'], 's1 of the refused transaction is undone');
  t.same(tables.find('tasks', 'slot', 's3/1').map((o) => o.ID), ['t1']);
  t.same(r.events.map((e) => e.object.ID), ['s3', 't1'], 'only the applied transaction is announced');
});

t.test('two writers of one version in one batch: the second is out of sequence', async (t) => {
  const tables = new Tables();
  applyBatch(tables, { txs: [tx('a', create(svc('s1', 'web')))] }, 1);
  const r = applyBatch(tables, {
    txs: [
      tx('x', { op: 'update', table: 'services', object: svc('s1', 'web', { Replicas: 2 }), version: 1 }),
      tx('y', { op: 'update', table: 'services', object: svc('s1', 'web', { Replicas: 5 }), version: 1 }),
    ],
  }, 2);
  t.same(r.results.get('x'), { ok: true });
  t.same(r.results.get('y'), { ok: false, code: 'OUT_OF_SEQUENCE', message: OUT_OF_SEQUENCE });
  t.equal(tables.get('services', 's1')?.Replicas, 2);
});

t.test('renaming frees the old name in the same batch', async (t) => {
  const tables = new Tables();
  applyBatch(tables, { txs: [tx('a', create(svc('s1', 'web')))] }, 1);
  const r = applyBatch(tables, { txs: [tx('b', { op: 'update', table: 'services', object: svc('s1', 'web2'), version: 1 }), tx('c', create(svc('s2', 'web')))] }, 2);
  t.same([...r.results.values()], [{ ok: true }, { ok: true }]);
  t.same(tables.find('services', 'name', 'web').map((o) => o.ID), ['s2']);
});
