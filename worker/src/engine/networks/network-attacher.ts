/**
 * The contract between the container engine (containers/) and the networks
 * subsystem: what the containers engine calls to give a container its
 * network before `crun create`, and to take it away after the container
 * stopped. Implemented by {@link NetworkManager}. Stable: code against it.
 */
import type { NetworkSettings, PortMap } from '@shoal/common';

/** Settings of one endpoint (Docker's EndpointSettings, the parts we honour). */
export interface EndpointRequest {
  /** `--network-alias` (user-defined networks only). */
  aliases?: string[];
  /** `--ip` (user-defined networks only). */
  ipv4Address?: string;
  /** `--mac-address` for this endpoint. */
  macAddress?: string;
}

/** What a container asks of the network when it starts. */
export interface AttachRequest {
  /** Full 64-hex container id (also names the netns file and the endpoint record). */
  containerId: string;
  /** Container name without the leading slash (shown in `network inspect`, used in error messages). */
  name: string;
  /** The container's hostname (goes into the generated /etc/hosts). */
  hostname: string;
  /** Domainname, if any (hosts entry `hostname.domainname`). */
  domainname?: string;
  /**
   * HostConfig.NetworkMode: a network's name or id (`bridge`, `default` or
   * `` = bridge, `host`, `none`, a user-defined network; ENGINE_NETWORK_NOT_FOUND
   * (404) when there is none), or `container:<id|id-prefix|name>` (share the
   * network namespace of that running container;
   * ENGINE_NETWORK_JOIN_TARGET_NOT_RUNNING (409) if it has none). This
   * network is the primary one: the default route, the published ports.
   */
  networkMode: string;
  /**
   * Per network (name or id; NetworkingConfig.EndpointsConfig and networks
   * connected while the container was stopped): its endpoint settings. The
   * network of networkMode may be listed (for its settings); the others are
   * joined too, in name order, as eth1, eth2, ...
   */
  endpoints?: Record<string, EndpointRequest>;
  /**
   * HostConfig.PortBindings. Keys `80/tcp`, `53/udp` (a key range `80-81/tcp`
   * is accepted too). HostPort: `` or `0` = ephemeral, `8080`, or a range
   * `8000-8010` (first free port of the range). HostIp: `` = 0.0.0.0.
   * Ignored (like Docker) in host and none mode.
   */
  portBindings: PortMap;
  /** HostConfig.PublishAllPorts: publish every exposed port to an ephemeral host port. */
  publishAllPorts: boolean;
  /** Config.ExposedPorts keys, e.g. `["80/tcp", "53/udp"]` (image's and container's merged). */
  exposedPorts: string[];
  /** Config.MacAddress; default derived from the IP as Docker does (02:42:ac:1d:00:02). */
  macAddress?: string;
  /** HostConfig.Dns / DnsSearch / DnsOptions: override the host's resolv.conf entries. */
  dns?: string[];
  dnsSearch?: string[];
  dnsOptions?: string[];
  /** HostConfig.ExtraHosts: `name:ip` lines added to /etc/hosts (`host-gateway` = the bridge gateway). */
  extraHosts?: string[];
}

/** What the container gets. */
export interface AttachResult {
  /**
   * Path of the network namespace to put in the OCI spec
   * (`linux.namespaces: [{type: "network", path}]`), or null: share the
   * host's network namespace (host mode, or container mode joining a
   * host-mode container); then do not list a network namespace at all.
   */
  netnsPath: string | null;
  /**
   * Docker's NetworkSettings for `docker inspect` (store it with the
   * container; hand it back to {@link NetworkAttacher.restore} after a daemon
   * restart). `Ports` holds the host ports actually chosen.
   */
  settings: NetworkSettings;
  /** Content for the container's /etc/hosts (Docker's layout). */
  hosts: string;
  /** Content for the container's /etc/resolv.conf (host's, minus localhost nameservers, or the overrides). */
  resolvConf: string;
  /** Content for /etc/hostname (`hostname\n`). */
  hostnameFile: string;
}

/** Networking as the container engine sees it. */
export interface NetworkAttacher {
  /**
   * Give the container its network: netns + veth + IP for bridge, a netns
   * with only `lo` for none, nothing for host. Published ports are reserved
   * by real sockets held by shoald until detach, then programmed in nftables.
   * All or nothing: on failure nothing is left behind. Throws
   * ENGINE_NETWORK_PORT_IN_USE (500, Docker's "port is already allocated" message),
   * ENGINE_NETWORK_INVALID_PORT_SPEC (400), ENGINE_NETWORK_NOT_FOUND (404),
   * IPAM_POOL_EXHAUSTED (500), NET_SETUP_FAILED or ENGINE_NETWORK_SETUP_FAILED (500), or
   * ENGINE_NETWORK_ALREADY_ATTACHED (409) when the container is attached already.
   */
  attach(req: AttachRequest): Promise<AttachResult>;
  /**
   * Undo attach: nft rules, port sockets, IP, veth, netns. Idempotent: a
   * container that is not attached (or was attached before a daemon
   * restart and not restored) is cleaned up from the persisted record, or
   * is a no-op. Call it when the container stops (exit, kill, stop) and on
   * remove.
   */
  detach(containerId: string): Promise<void>;
  /**
   * After a daemon restart, for each container still running: re-reserve
   * its published ports and re-own its endpoint (netns, IP and nft rules
   * survive in the kernel and in our state files). `settings` is what attach
   * returned. Containers that died while the daemon was down must get
   * `detach` instead. Throws ENGINE_NETWORK_PORT_IN_USE if another process took a
   * port meanwhile (the endpoint stays recorded; detach cleans it).
   */
  restore(containerId: string, settings: NetworkSettings): Promise<void>;
  /**
   * Plug a running container into one more network (`docker network
   * connect`); returns its new NetworkSettings. Throws NOT_FOUND (404),
   * ENDPOINT_EXISTS (403), EXCLUSIVE_NETWORK (400), INVALID_SPEC (400).
   */
  connect(containerId: string, network: string, req: EndpointRequest): Promise<NetworkSettings>;
  /** Unplug a running container from a network; returns its new NetworkSettings. Throws NOT_FOUND, NOT_CONNECTED (403), EXCLUSIVE_NETWORK (400). */
  disconnect(containerId: string, network: string): Promise<NetworkSettings>;
  /** The network a name, id or unique id prefix names (`default` = bridge). Throws NOT_FOUND (404), AMBIGUOUS (400). */
  resolveNetwork(ref: string): { id: string; name: string; driver: string; builtin: boolean };
  /** The container was renamed: update what `network inspect` shows. No-op if unknown. */
  rename(containerId: string, newName: string): Promise<void>;
}
