/**
 * What we remember of one attached container, persisted before any kernel
 * object is made so that detach can always clean up (even after a crash
 * half-way through attach, or a daemon restart).
 */
import type { PortMapping } from './nft-plan.js';

/** The networks a container can be attached to for now. */
export type NetworkMode = 'bridge' | 'host' | 'none';

/** How a container is attached: to a network, or into another container's namespace (`container:<id>`). */
export type EndpointMode = NetworkMode | 'container';

/** One container's endpoint. */
export interface EndpointRecord {
  containerId: string;
  name: string;
  mode: EndpointMode;
  /** container mode: the id of the container whose namespace is shared (it owns the netns). */
  joinedTo?: string;
  endpointId: string;
  sandboxId: string;
  /** Netns bind mount (bridge, none; container: the target's) or null (host). */
  netnsPath: string | null;
  /** Host side of the veth pair (bridge). */
  vethHost?: string;
  /** Container IP (bridge). */
  ip?: string;
  mac?: string;
  /** Published ports with the host ports chosen (bridge). */
  ports: PortMapping[];
  /** Every exposed port key, for NetworkSettings.Ports (`80/tcp`). */
  portKeys: string[];
}
