/**
 * ca/: the swarm's root CA, node certificates and join tokens (issue: swarm
 * core, "Cluster membership and security"). Public surface:
 * - identity.ts (pure): `newNodeId`, `isNodeId`, `makeJoinToken`,
 *   `parseJoinToken`, `checkRemoteCA`.
 * - root-ca.ts: `createRootCA`, `caDigest`, `newNodeKey`, `signNodeCSR`,
 *   `verifyNodeCert`.
 * - `caErrors` (`CA_*`).
 */
export { newNodeId, isNodeId, makeJoinToken, parseJoinToken, checkRemoteCA } from './identity.js';
export type { JoinToken } from './identity.js';
export { createRootCA, caDigest, newNodeKey, signNodeCSR, verifyNodeCert } from './root-ca.js';
export type { RootCA, NodeRole, NodeIdentity } from './root-ca.js';
export { caErrors } from './errors.js';
export { NodeIssuer, INVALID_JOIN_TOKEN } from './issuer.js';
export { peerChecker } from './peer-identity.js';
export type { Peer } from './peer-identity.js';
export type { IssueRequest, Issued } from './issuer.js';
