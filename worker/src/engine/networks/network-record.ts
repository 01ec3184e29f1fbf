/**
 * What the networks subsystem persists: networks, and per container a
 * sandbox (its network namespace) holding one endpoint per network it is
 * on. Records are written before kernel objects are made, so that detach
 * can always clean up (after a crash half-way through attach, or a restart).
 */
import type { PortMapping } from './nft-plan.js';

/** One network (`network ls`). Built-ins (bridge, host, none) are made by shoald and never removed. */
export interface NetworkRecord {
  id: string;
  name: string;
  /** Docker's driver name: `bridge`, `host`, `null` (overlay next). */
  driver: string;
  scope: 'local' | 'swarm';
  /** RFC 3339. */
  created: string;
  builtin: boolean;
  /** No traffic to or from outside the network (no masquerade, no published ports). */
  internal: boolean;
  attachable: boolean;
  labels: Record<string, string>;
  /** Driver options as given (`com.docker.network.bridge.name`, ...). */
  options: Record<string, string>;
  /** IPv4 subnet (CIDR) and gateway address of networks whose endpoints get addresses. */
  subnet?: string;
  gateway?: string;
  /** bridge driver: the Linux bridge's name. */
  bridgeName?: string;
}

/** One container on one network; keyed by (networkId, containerId). */
export interface EndpointRecord {
  networkId: string;
  containerId: string;
  endpointId: string;
  /** Interface name in the sandbox (`eth0`, `eth1`, ...); empty for host and none. */
  ifname: string;
  /** Host side of the veth pair. */
  vethHost?: string;
  ip?: string;
  mac?: string;
  /** Extra names of the container on this network (`--network-alias`). */
  aliases: string[];
  /** Published ports with the host ports chosen (the primary bridge endpoint only). */
  ports: PortMapping[];
  /** Every exposed port key, for NetworkSettings.Ports (`80/tcp`). */
  portKeys: string[];
}

/** How a container gets its network namespace. */
export type SandboxKind = 'own' | 'host' | 'container';

/** One container's network namespace and its endpoints. */
export interface SandboxRecord {
  containerId: string;
  name: string;
  /** own: a netns of ours; host: the host's; container: another container's (`joinedTo`, which owns it). */
  kind: SandboxKind;
  joinedTo?: string;
  sandboxId: string;
  /** Netns bind mount (own; container: the target's) or null (host). */
  netnsPath: string | null;
  /** In join order; the first is the primary (default route, published ports, the /etc/hosts address). */
  endpoints: EndpointRecord[];
}
