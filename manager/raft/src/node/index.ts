export { RaftNode } from './raft-node.js';
export type { RaftNodeOptions, RaftNodeCoreOptions, Committed } from './raft-node.js';
export type { StateMachine } from './state-machine.js';
export { RaftNodeError, raftNodeErrors } from './errors.js';
export type { NodeErrorName } from './errors.js';
