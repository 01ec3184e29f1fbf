import type { FastifyPluginAsync } from 'fastify';

/** The Swarm section of /info (Docker's swarm.Info, the fields clients read). */
export interface SwarmInfo {
  NodeID: string;
  NodeAddr: string;
  LocalNodeState: 'inactive' | 'pending' | 'active' | 'error' | 'locked';
  ControlAvailable: boolean;
  Error: string;
  RemoteManagers: Array<{ NodeID: string; Addr: string }> | null;
  [k: string]: unknown;
}

/**
 * The cluster side of the API, given by the daemon once the node takes part
 * in a swarm (manager/ implements it). Without it, swarm endpoints answer as
 * an inactive Docker node does (503, "This node is not a swarm manager...").
 */
export interface SwarmRole {
  /** Routes for /swarm, /nodes, /services, /tasks, /secrets, /configs (unversioned paths). */
  plugin: FastifyPluginAsync;
  /** Read on every /info and /_ping. */
  info(): SwarmInfo;
}

/** /info's Swarm section of a node outside any swarm. */
export const INACTIVE_SWARM: SwarmInfo = {
  NodeID: '', NodeAddr: '', LocalNodeState: 'inactive', ControlAvailable: false, Error: '', RemoteManagers: null,
};

/** Docker's `Swarm` header of /_ping: inactive, pending, error, locked, active/worker or active/manager. */
export function swarmPingHeader(info: SwarmInfo): string {
  if (info.LocalNodeState !== 'active') return info.LocalNodeState;
  return info.ControlAvailable ? 'active/manager' : 'active/worker';
}
