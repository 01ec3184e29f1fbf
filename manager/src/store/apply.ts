/**
 * The store's apply: one committed batch of transactions onto the tables.
 * Pure and deterministic: every replica applying the same entries reaches
 * the same state. Times and ids come in the entry; versions are the entry's
 * Raft index. Each transaction applies whole or not at all.
 */
import type { StoredObject, Tables } from './tables.js';
import { TABLES, type Batch, type Op, type StoreEvent, type Tx, type TxResult } from './types.js';

class Refused extends Error {
  constructor(readonly code: Exclude<TxResult, { ok: true }>['code'], message: string) {
    super(message);
  }
}

/** Docker's sentence for a write based on an old version (swarmkit's ErrSequenceConflict). */
export const OUT_OF_SEQUENCE = 'update out of sequence';

function check(op: Op): void {
  if (!(TABLES as readonly string[]).includes(op.table)) throw new Refused('INVALID', `unknown table ${String(op.table)}`);
  const id = op.op === 'delete' ? op.id : op.object.ID;
  if (typeof id !== 'string' || id === '') throw new Refused('INVALID', `an object of ${op.table} needs an ID`);
}

/** Apply one op; returns its event and the undo. */
function applyOp(tables: Tables, op: Op, tx: Tx, index: number): { event: StoreEvent; undo: () => void } {
  check(op);
  const { table } = op;
  if (op.op === 'delete') {
    const old = tables.remove(table, op.id);
    if (old === undefined) throw new Refused('NOT_FOUND', `${table} object ${op.id} does not exist`);
    return { event: { table, action: 'delete', object: old, index }, undo: () => tables.put(table, old) };
  }
  const current = tables.get(table, op.object.ID);
  if (op.op === 'create' && current !== undefined) throw new Refused('EXISTS', `${table} object ${op.object.ID} already exists`);
  if (op.op === 'update') {
    if (current === undefined) throw new Refused('NOT_FOUND', `${table} object ${op.object.ID} does not exist`);
    if (current.Version.Index !== op.version) throw new Refused('OUT_OF_SEQUENCE', OUT_OF_SEQUENCE);
  }
  const next = {
    ...structuredClone(op.object),
    Version: { Index: index },
    CreatedAt: current?.CreatedAt ?? tx.at,
    UpdatedAt: tx.at,
  };
  const conflict = tables.uniqueConflict(table, next as StoredObject);
  if (conflict !== undefined) throw new Refused('NAME_CONFLICT', 'name conflicts with an existing object');
  const stored = tables.put(table, next);
  const undo = current === undefined ? () => { tables.remove(table, next.ID); } : () => { tables.put(table, current); };
  const event: StoreEvent = current === undefined
    ? { table, action: 'create', object: stored, index }
    : { table, action: 'update', object: stored, old: current, index };
  return { event, undo };
}

/**
 * Apply `batch`, committed at Raft index `index`. Returns each
 * transaction's outcome by its id, and the events of the applied ones in
 * order. A refused transaction leaves nothing behind.
 */
export function applyBatch(tables: Tables, batch: Batch, index: number): { results: Map<string, TxResult>; events: StoreEvent[] } {
  const results = new Map<string, TxResult>();
  const events: StoreEvent[] = [];
  for (const tx of batch.txs) {
    const done: Array<{ event: StoreEvent; undo: () => void }> = [];
    try {
      for (const op of tx.ops) done.push(applyOp(tables, op, tx, index));
      results.set(tx.id, { ok: true });
      for (const d of done) events.push(d.event);
    } catch (e) {
      for (const d of done.reverse()) d.undo();
      if (!(e instanceof Refused)) throw e;
      results.set(tx.id, { ok: false, code: e.code, message: e.message });
    }
  }
  return { results, events };
}
