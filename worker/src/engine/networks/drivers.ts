/**
 * The network driver seam: what the networks subsystem asks of a driver.
 * The manager owns records, IPAM, port reservations and nftables; a driver
 * owns the kernel objects of its networks (the bridge device for `bridge`,
 * the VXLAN device and its namespace for `overlay` next) and plans how an
 * endpoint's interface is plugged into a container's sandbox.
 */
import type { EndpointRecord, NetworkRecord } from './network-record.js';

/** The `ip -batch` lines that plug one endpoint in. */
export interface JoinPlan {
  /** Run inside the sandbox's netns. */
  inside: string[];
  /** Run in shoald's netns afterwards. */
  host: string[];
}

/** Where the endpoint goes. */
export interface JoinContext {
  /** `/proc/<shoald pid>/ns/net`: where the veth's host end goes. */
  hostNetns: string;
  /** Give the sandbox its default route through this network (the primary endpoint, when not internal). */
  defaultRoute: boolean;
}

/**
 * How containers on a driver's networks are connected:
 * - `host`: in the host's network namespace; no other network possible.
 * - `isolated`: in a namespace of their own with only `lo`; no other network possible.
 * - `interface`: an interface with an address of the network's subnet in the
 *   container's namespace; several such networks per container.
 */
export type Attachment = 'host' | 'isolated' | 'interface';

/** One network driver. */
export interface NetworkDriver {
  /** Docker's driver name (`bridge`, `host`, `null`). */
  readonly name: string;
  readonly attachment: Attachment;
  /** Make (or adopt after a restart) the kernel objects of a network. Idempotent. */
  setUp(net: NetworkRecord): Promise<void>;
  /** Remove them; called once no endpoint is left. Idempotent. */
  tearDown(net: NetworkRecord): Promise<void>;
  /** Pure: the lines that make `ep`'s interface (its ifname, vethHost, ip, mac are set). */
  planJoin(net: NetworkRecord, ep: EndpointRecord, ctx: JoinContext): JoinPlan;
  /** Undo what join made outside the sandbox. Idempotent. */
  leave(net: NetworkRecord, ep: EndpointRecord): Promise<void>;
  /** Host-side links of the network no endpoint claims (left by a crash); the manager deletes them. */
  strayLinks(net: NetworkRecord, claimed: ReadonlySet<string>): Promise<string[]>;
}

/** A driver with no kernel objects of its own (host, null). */
function withoutKernelObjects(name: string, attachment: Attachment): NetworkDriver {
  const nothing = async (): Promise<void> => undefined;
  return { name, attachment, setUp: nothing, tearDown: nothing, planJoin: () => ({ inside: [], host: [] }), leave: nothing, strayLinks: async () => [] };
}

/** `host`: the container shares the host's network namespace. */
export const hostDriver: NetworkDriver = withoutKernelObjects('host', 'host');

/** `null` (network `none`): a namespace with only `lo`. */
export const nullDriver: NetworkDriver = withoutKernelObjects('null', 'isolated');
