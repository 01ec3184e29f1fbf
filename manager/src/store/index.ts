/**
 * store/: the cluster store (DESIGN: Store). Public surface:
 * - {@link Store}: `view`, `update`, `watch`, `applyEntry` (Raft's apply), `snapshot`/`restore`.
 * - {@link Proposer} (Raft behind it), {@link LocalProposer} (tests).
 * - The object and event types; `storeErrors` (`STORE_*`).
 */
export { Store } from './store.js';
export type { Proposer, ReadTx, WriteTx, StoreOptions } from './store.js';
export { LocalProposer } from './local-proposer.js';
export { storeErrors } from './errors.js';
export { OUT_OF_SEQUENCE } from './apply.js';
export { TABLES } from './types.js';
export type { TableName, StoreObject, NewObject, StoreEvent, Op, Tx, Batch, TxResult } from './types.js';
export type { StoredObject } from './tables.js';
export { RaftProposer, storeStateMachine } from './raft-backed.js';
export type { ProposingNode } from './raft-backed.js';
