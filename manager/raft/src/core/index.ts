export * from './types.js';
export { RaftError, raftErrors, isRaftError } from './errors.js';
export type { RaftErrorCode, RaftErrorName, RaftErrorDef } from './errors.js';
export type { LogStorage, InitialState } from './log-storage.js';
export type { RaftConfig, ResolvedConfig } from './config.js';
export type { RaftNodeApi } from './raft-node-api.js';
