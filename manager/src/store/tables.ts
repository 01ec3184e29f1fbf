/**
 * The store's in-memory tables: objects by id, and the indexes of schema.ts.
 * Objects put here are deep-frozen: whoever reads them gets a read-only
 * view and clones before changing. Pure (no I/O).
 */
import { INDEXES } from './schema.js';
import { TABLES, type StoreObject, type TableName } from './types.js';

/** A stored object: read-only. */
export type StoredObject = Readonly<StoreObject> & Readonly<Record<string, unknown>>;

function deepFreeze<T>(v: T): T {
  if (v !== null && typeof v === 'object' && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const x of Object.values(v as Record<string, unknown>)) deepFreeze(x);
  }
  return v;
}

/** Every table, with its indexes kept in step. */
export class Tables {
  readonly #rows = new Map<TableName, Map<string, StoredObject>>(TABLES.map((t) => [t, new Map()]));
  /** table -> index -> key -> ids */
  readonly #idx = new Map<TableName, Map<string, Map<string, Set<string>>>>(
    TABLES.map((t) => [t, new Map(Object.keys(INDEXES[t]).map((i) => [i, new Map()]))]),
  );

  #table(table: TableName): Map<string, StoredObject> {
    const m = this.#rows.get(table);
    if (m === undefined) throw new Error(`unknown table ${table}`);
    return m;
  }

  get(table: TableName, id: string): StoredObject | undefined {
    return this.#table(table).get(id);
  }

  /** Every object of a table, in insertion order. */
  list(table: TableName): StoredObject[] {
    return [...this.#table(table).values()];
  }

  /** The objects whose `index` key is `key`. */
  find(table: TableName, index: string, key: string): StoredObject[] {
    const ids = this.#idx.get(table)?.get(index);
    if (ids === undefined) throw new Error(`table ${table} has no index ${index}`);
    const rows = this.#table(table);
    return [...(ids.get(key) ?? [])].map((id) => rows.get(id)).filter((o): o is StoredObject => o !== undefined);
  }

  /** The unique index `index` of `o` that another object holds already, if any. */
  uniqueConflict(table: TableName, o: StoredObject): string | undefined {
    for (const [name, def] of Object.entries(INDEXES[table])) {
      if (!def.unique) continue;
      const key = def.key(o);
      if (key === undefined) continue;
      const holders = this.#idx.get(table)?.get(name)?.get(key);
      if (holders !== undefined && [...holders].some((id) => id !== o.ID)) return name;
    }
    return undefined;
  }

  size(table: TableName): number {
    return this.#table(table).size;
  }

  /** Insert or replace (frozen); indexes follow. */
  put(table: TableName, o: StoreObject & Record<string, unknown>): StoredObject {
    const frozen = deepFreeze(o) as StoredObject;
    const rows = this.#table(table);
    const old = rows.get(o.ID);
    if (old !== undefined) this.#unindex(table, old);
    rows.set(o.ID, frozen);
    this.#index(table, frozen);
    return frozen;
  }

  /** Remove; returns what was there. */
  remove(table: TableName, id: string): StoredObject | undefined {
    const rows = this.#table(table);
    const old = rows.get(id);
    if (old === undefined) return undefined;
    this.#unindex(table, old);
    rows.delete(id);
    return old;
  }

  #index(table: TableName, o: StoredObject): void {
    for (const [name, def] of Object.entries(INDEXES[table])) {
      const key = def.key(o);
      if (key === undefined) continue;
      const m = this.#idx.get(table)?.get(name);
      if (m === undefined) continue;
      let ids = m.get(key);
      if (ids === undefined) m.set(key, (ids = new Set()));
      ids.add(o.ID);
    }
  }

  #unindex(table: TableName, o: StoredObject): void {
    for (const [name, def] of Object.entries(INDEXES[table])) {
      const key = def.key(o);
      if (key === undefined) continue;
      const ids = this.#idx.get(table)?.get(name)?.get(key);
      ids?.delete(o.ID);
      if (ids?.size === 0) this.#idx.get(table)?.get(name)?.delete(key);
    }
  }

  /** Every object of every table (snapshots). */
  dump(): Record<TableName, StoredObject[]> {
    return Object.fromEntries(TABLES.map((t) => [t, this.list(t)])) as Record<TableName, StoredObject[]>;
  }

  /** Replace everything with a dump. */
  load(d: Partial<Record<TableName, ReadonlyArray<StoreObject & Record<string, unknown>>>>): void {
    for (const t of TABLES) {
      for (const o of this.list(t)) this.remove(t, o.ID);
      for (const o of d[t] ?? []) this.put(t, structuredClone(o));
    }
  }
}
