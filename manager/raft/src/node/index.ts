export { RaftNode } from './raft-node.js';
export type { RaftNodeOptions, RaftNodeCoreOptions, PersistedLogView } from './raft-node.js';
export type { Committed } from './pending-requests.js';
export type { StateMachine } from './state-machine.js';
export { RaftNodeError, raftNodeErrors } from './errors.js';
export type { NodeErrorName } from './errors.js';
export { readContextSource } from './read-context.js';
