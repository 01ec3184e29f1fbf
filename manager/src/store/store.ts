/**
 * The cluster store: tables in memory on every manager, changed only by
 * applying committed Raft entries. `view(tx => ...)` reads the local state;
 * `update(tx => ...)` records writes against it and proposes them, batched
 * with the other updates of the same tick into one entry; the promise
 * settles when that entry is applied here (with the transaction's outcome).
 * `watch()` streams the changes of applied entries.
 */
import type { Clock } from '@shoal/common';
import { applyBatch } from './apply.js';
import { storeErrors } from './errors.js';
import { INDEXES } from './schema.js';
import { Tables, type StoredObject } from './tables.js';
import type { Batch, NewObject, Op, StoreEvent, TableName, Tx, TxResult } from './types.js';

/** How the store's batches reach Raft: resolves once the entry is committed (it is applied through {@link Store.applyEntry}). */
export interface Proposer {
  propose(data: Uint8Array): Promise<void>;
}

/** Reads of a consistent local state. Objects are read-only: clone before changing. */
export interface ReadTx {
  get(table: TableName, id: string): StoredObject | undefined;
  list(table: TableName): StoredObject[];
  /** By an index of schema.ts (`services`/`name`, `tasks`/`service`, ...). */
  find(table: TableName, index: string, key: string): StoredObject[];
}

/** Reads (seeing this transaction's own writes) and writes. */
export interface WriteTx extends ReadTx {
  /** A new object; its ID is the writer's (the store never makes ids). */
  create(table: TableName, object: NewObject): void;
  /** A new version of an object read in this transaction (or earlier: its Version.Index must still be current when applied). */
  update(table: TableName, object: NewObject & { Version: { Index: number } }): void;
  delete(table: TableName, id: string): void;
}

/** Options of {@link Store}. */
export interface StoreOptions {
  proposer: Proposer;
  clock: Clock;
  /** Unique transaction ids (random hex in production, a counter in tests). */
  newId: () => string;
  /** Transactions per proposal at most. Default 1000. */
  maxBatch?: number;
}

interface Pending {
  resolve: () => void;
  reject: (e: Error) => void;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** One write transaction: the ops to propose, and reads that see them. */
class Writer implements WriteTx {
  readonly ops = new Map<string, Op>();
  readonly #tables: Tables;

  constructor(tables: Tables) {
    this.#tables = tables;
  }

  #key(table: TableName, id: string): string {
    return `${table}/${id}`;
  }

  get(table: TableName, id: string): StoredObject | undefined {
    const op = this.ops.get(this.#key(table, id));
    if (op === undefined) return this.#tables.get(table, id);
    return op.op === 'delete' ? undefined : (op.object as unknown as StoredObject);
  }

  /** This transaction's ops on `table`, and the ids they touch. */
  #mine(table: TableName): { touched: Set<string>; written: StoredObject[] } {
    const ops = [...this.ops.values()].filter((o) => o.table === table);
    const touched = new Set(ops.map((o) => (o.op === 'delete' ? o.id : o.object.ID)));
    const written = ops.flatMap((o) => (o.op === 'delete' ? [] : [o.object as unknown as StoredObject]));
    return { touched, written };
  }

  list(table: TableName): StoredObject[] {
    const { touched, written } = this.#mine(table);
    return [...this.#tables.list(table).filter((o) => !touched.has(o.ID)), ...written];
  }

  find(table: TableName, index: string, key: string): StoredObject[] {
    const def = INDEXES[table][index];
    if (def === undefined) throw storeErrors.make('INVALID', `table ${table} has no index ${index}`);
    const { touched, written } = this.#mine(table);
    return [...this.#tables.find(table, index, key).filter((o) => !touched.has(o.ID)), ...written.filter((o) => def.key(o) === key)];
  }

  create(table: TableName, object: NewObject): void {
    const k = this.#key(table, object.ID);
    const prev = this.ops.get(k);
    // Deleted then created again in one transaction: a replacement, as an update of the stored version.
    if (prev?.op === 'delete') {
      const stored = this.#tables.get(table, object.ID);
      if (stored !== undefined) {
        this.ops.set(k, { op: 'update', table, object: structuredClone(object), version: stored.Version.Index });
        return;
      }
    }
    this.ops.set(k, { op: 'create', table, object: structuredClone(object) });
  }

  update(table: TableName, object: NewObject & { Version: { Index: number } }): void {
    const k = this.#key(table, object.ID);
    const prev = this.ops.get(k);
    const { Version, ...rest } = object;
    // Written twice in one transaction: one write, checked against the version first read.
    if (prev?.op === 'create') this.ops.set(k, { op: 'create', table, object: structuredClone(rest) as NewObject });
    else this.ops.set(k, { op: 'update', table, object: structuredClone(rest) as NewObject, version: prev?.op === 'update' ? prev.version : Version.Index });
  }

  delete(table: TableName, id: string): void {
    const k = this.#key(table, id);
    if (this.ops.get(k)?.op === 'create' && this.#tables.get(table, id) === undefined) {
      this.ops.delete(k);
      return;
    }
    this.ops.set(k, { op: 'delete', table, id });
  }
}

/** The store of one manager. */
export class Store {
  readonly #tables = new Tables();
  readonly #o: StoreOptions;
  readonly #pending = new Map<string, Pending>();
  #queue: Tx[] = [];
  #flushing = false;
  #applied = 0;
  readonly #watchers = new Set<(e: StoreEvent) => void>();

  constructor(opts: StoreOptions) {
    this.#o = opts;
  }

  /** The Raft index of the last entry applied here. */
  get appliedIndex(): number {
    return this.#applied;
  }

  /** Read the local state. */
  view<T>(fn: (tx: ReadTx) => T): T {
    const t = this.#tables;
    return fn({ get: (table, id) => t.get(table, id), list: (table) => t.list(table), find: (table, i, k) => t.find(table, i, k) });
  }

  /**
   * Run `fn` against the local state, then propose its writes (nothing to
   * write: resolves at once). Settles once applied here: the value of `fn`,
   * or STORE_OUT_OF_SEQUENCE / NAME_CONFLICT / EXISTS / NOT_FOUND / INVALID
   * when the transaction was refused at apply (nothing of it applied), or
   * STORE_PROPOSAL_FAILED.
   */
  async update<T>(fn: (tx: WriteTx) => T): Promise<T> {
    const w = new Writer(this.#tables);
    const value = fn(w);
    if (w.ops.size === 0) return value;
    const tx: Tx = { id: this.#o.newId(), at: new Date(this.#o.clock.now()).toISOString(), ops: [...w.ops.values()] };
    const done = new Promise<void>((resolve, reject) => this.#pending.set(tx.id, { resolve, reject }));
    this.#queue.push(tx);
    if (!this.#flushing) {
      this.#flushing = true;
      queueMicrotask(() => { this.#flush(); });
    }
    await done;
    return value;
  }

  /** Propose what was queued this tick, in batches of maxBatch transactions. */
  #flush(): void {
    this.#flushing = false;
    const max = this.#o.maxBatch ?? 1000;
    while (this.#queue.length > 0) {
      const txs = this.#queue.splice(0, max);
      const batch: Batch = { txs };
      this.#o.proposer.propose(encoder.encode(JSON.stringify(batch))).catch((e: unknown) => {
        for (const tx of txs) {
          const p = this.#pending.get(tx.id);
          this.#pending.delete(tx.id);
          p?.reject(storeErrors.make('PROPOSAL_FAILED', e instanceof Error ? e.message : String(e), { cause: e }));
        }
      });
    }
  }

  /**
   * Apply a committed entry (Raft's state machine calls this on every
   * manager, in log order). Settles the transactions proposed here and
   * tells the watchers.
   */
  applyEntry(index: number, data: Uint8Array): void {
    if (index <= this.#applied) return;
    const batch = JSON.parse(decoder.decode(data)) as Batch;
    const { results, events } = applyBatch(this.#tables, batch, index);
    this.#applied = index;
    for (const [id, r] of results) this.#settle(id, r);
    for (const e of events) for (const w of this.#watchers) w(e);
  }

  #settle(id: string, r: TxResult): void {
    const p = this.#pending.get(id);
    if (p === undefined) return;
    this.#pending.delete(id);
    if (r.ok) p.resolve();
    else p.reject(storeErrors.make(r.code, r.message));
  }

  /**
   * Changes from now on (registered before this returns: `view` then
   * `watch` in one tick misses nothing). Ends when `signal` aborts.
   */
  watch(opts: { tables?: readonly TableName[]; signal?: AbortSignal } = {}): AsyncIterable<StoreEvent> {
    const queue: StoreEvent[] = [];
    let wake: (() => void) | undefined;
    const want = opts.tables === undefined ? undefined : new Set(opts.tables);
    const listener = (e: StoreEvent): void => {
      if (want !== undefined && !want.has(e.table)) return;
      queue.push(e);
      wake?.();
    };
    this.#watchers.add(listener);
    const stop = (): void => {
      this.#watchers.delete(listener);
      wake?.();
    };
    opts.signal?.addEventListener('abort', stop, { once: true });
    const watchers = this.#watchers;
    return {
      async *[Symbol.asyncIterator]() {
        try {
          for (;;) {
            const e = queue.shift();
            if (e !== undefined) {
              yield e;
              continue;
            }
            if (!watchers.has(listener)) return;
            await new Promise<void>((r) => { wake = r; });
            wake = undefined;
          }
        } finally {
          stop();
        }
      },
    };
  }

  /** Every table (Raft snapshots), with the index it reflects. */
  snapshot(): Uint8Array {
    return encoder.encode(JSON.stringify({ index: this.#applied, tables: this.#tables.dump() }));
  }

  /** Replace the state with a snapshot's. */
  restore(data: Uint8Array): void {
    const s = JSON.parse(decoder.decode(data)) as { index: number; tables: Parameters<Tables['load']>[0] };
    this.#tables.load(s.tables);
    this.#applied = s.index;
  }
}
