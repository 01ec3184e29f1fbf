/**
 * The objects of the cluster store and what changes them. Objects keep
 * Docker's Engine API shapes (ID, Version.Index, CreatedAt, UpdatedAt,
 * Spec...), so the control API hands them out as they are.
 */

/** The tables of the store. */
export const TABLES = ['nodes', 'services', 'tasks', 'networks', 'secrets', 'configs', 'clusters'] as const;
export type TableName = (typeof TABLES)[number];

/** What every stored object has: an id, and the version and times the store sets. */
export interface StoreObject {
  ID: string;
  /** The Raft index of the write that made this version (Docker's `Version.Index`). */
  Version: { Index: number };
  /** RFC 3339, set by the store from the writer's clock (it travels in the log entry). */
  CreatedAt: string;
  UpdatedAt: string;
}

/** An object as a writer gives it: the store fills Version and the times. */
export type NewObject = Omit<StoreObject, 'Version' | 'CreatedAt' | 'UpdatedAt'> & Record<string, unknown>;

/** One write of a transaction, as it travels in the log. */
export type Op =
  | { op: 'create'; table: TableName; object: NewObject }
  /** `version`: the Version.Index the writer read; the update fails if the object moved on since. */
  | { op: 'update'; table: TableName; object: NewObject; version: number }
  | { op: 'delete'; table: TableName; id: string };

/** One transaction: all of its writes apply, or none. */
export interface Tx {
  /** Unique across managers: the proposer learns its outcome by it. */
  id: string;
  /** RFC 3339 time of the writer, for CreatedAt / UpdatedAt. */
  at: string;
  ops: Op[];
}

/** What one Raft entry of the store carries: the transactions of one batch. */
export interface Batch {
  txs: Tx[];
}

/** The outcome of a transaction: applied, or refused with a store error code and Docker's message. */
export type TxResult = { ok: true } | { ok: false; code: 'OUT_OF_SEQUENCE' | 'EXISTS' | 'NAME_CONFLICT' | 'NOT_FOUND' | 'INVALID'; message: string };

/** A change, as watchers see it. */
export interface StoreEvent {
  table: TableName;
  action: 'create' | 'update' | 'delete';
  /** The new object (create, update) or the removed one (delete). */
  object: Readonly<StoreObject> & Readonly<Record<string, unknown>>;
  /** The object before an update. */
  old?: Readonly<StoreObject> & Readonly<Record<string, unknown>>;
  /** The Raft index of the entry that made the change. */
  index: number;
}
