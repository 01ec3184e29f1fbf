/**
 * What the container manager needs from other subsystems, declared here by
 * the consumer. Implementations: images/ImageStore, networks/NetworkManager,
 * logs/ (json-file reader), @shoal/native (the shim).
 */
import type { Readable } from 'node:stream';
import type { ContainerConfig, EngineEventInput, NetworkSettings, PortMap, Clock, Logger } from '@shoal/common';
import type { LogsOptions } from './options.js';

/** An image as the container engine needs it (images/ImageStore resolves its ResolvedImage to this shape). */
export interface ContainerImage {
  /** sha256:... */
  id: string;
  /** The image's config (Env, Cmd, Entrypoint, WorkingDir, User, ExposedPorts, Volumes, Labels, StopSignal...). */
  config: ContainerConfig;
  /** The tag the reference matched, if any. */
  repoTag?: string;
}

/** Images. Throws a 404 ShoalError ("No such image: x") when the ref does not resolve. */
export interface ImageSource {
  resolveImage(ref: string): Promise<ContainerImage>;
  /** Unpacked layer directories, lowest first. */
  layerPaths(imageId: string): Promise<string[]>;
}

/** One endpoint's settings (networks/EndpointRequest). */
export interface ContainerNetworkEndpoint {
  aliases?: string[];
  ipv4Address?: string;
  macAddress?: string;
}

/** A network as containers see it. */
export interface NetworkRef {
  id: string;
  name: string;
  /** `bridge`, `host`, `null`. */
  driver: string;
}

/** What a container asks of the network when it starts (networks/AttachRequest). */
export interface NetworkAttachRequest {
  containerId: string;
  name: string;
  hostname: string;
  domainname?: string;
  networkMode: string;
  /** Every network it is on, by name, with its endpoint settings. */
  endpoints?: Record<string, ContainerNetworkEndpoint>;
  portBindings: PortMap;
  publishAllPorts: boolean;
  exposedPorts: string[];
  macAddress?: string;
  dns?: string[];
  dnsSearch?: string[];
  dnsOptions?: string[];
  extraHosts?: string[];
}

/** What the network gives (networks/AttachResult). */
export interface NetworkAttachment {
  /** netns to join, or null for host mode. */
  netnsPath: string | null;
  settings: NetworkSettings;
  hosts: string;
  resolvConf: string;
  hostnameFile: string;
}

/** Networking as containers use it (implemented by networks/NetworkManager, a NetworkAttacher). */
export interface ContainerNetworking {
  attach(req: NetworkAttachRequest): Promise<NetworkAttachment>;
  /** Idempotent. */
  detach(containerId: string): Promise<void>;
  /** After a daemon restart, for a container still running. */
  restore(containerId: string, settings: NetworkSettings): Promise<void>;
  rename(containerId: string, newName: string): Promise<void>;
  /** Plug a running container into a network; its new NetworkSettings. */
  connect(containerId: string, network: string, req: ContainerNetworkEndpoint): Promise<NetworkSettings>;
  /** Unplug a running container from a network; its new NetworkSettings. */
  disconnect(containerId: string, network: string): Promise<NetworkSettings>;
  /** The network a name, id or id prefix names; throws a 404 when none. */
  resolveNetwork(ref: string): NetworkRef;
}

/** Volumes as containers use them (implemented by volumes/VolumeManager). */
export interface ContainerVolumes {
  /** The named volume (made when missing) or a new anonymous one (no name), referenced by `containerId`. */
  acquire(containerId: string, req: { name?: string; driver?: string; driverOpts?: Record<string, string>; labels?: Record<string, string> }): Promise<{ name: string; mountpoint: string }>;
  /** After a daemon restart: a restored container's reference, and its use of the volume while it runs. */
  restoreReference(name: string, containerId: string, running: boolean): void;
  /** Drop the reference; with removeAnonymous, remove an anonymous volume nobody references any more. */
  release(name: string, containerId: string, removeAnonymous: boolean): Promise<void>;
  /** Ready the volume for a run; returns its host directory. */
  mount(name: string, containerId: string, attrs?: Record<string, string>): Promise<string>;
  unmount(name: string, containerId: string): Promise<void>;
  /** The volume's directory has no entries. */
  isEmpty(name: string): Promise<boolean>;
  /** Where a volume's data is on the host (inspect's Source). */
  pathOf(name: string): string;
}

/** Reads a json-file log as Docker's framed (or raw, with a tty) stream. */
export interface LogReader {
  /**
   * `logPath` is the json-file (rotated files FILE.1.. next to it). With
   * follow, the stream ends when `stopped` resolves (after the final bytes
   * were read) or signal aborts.
   */
  read(logPath: string, opts: LogsOptions & { tty: boolean }, stopped: Promise<void>, signal?: AbortSignal): Readable;
}

/** The daemon-level facts and knobs of the container engine. */
export interface ContainerManagerOptions {
  /** `<data-root>`: containers/<id>/ (state, /etc files, logs) and overlay/<id>/. */
  dataRoot: string;
  /** `<exec-root>`: runtime/ (crun --root), shims/<id>/, bundles/<id>/. */
  execRoot: string;
  /** Cgroup parent (default `shoal`): cgroups at /<parent>/<id>. */
  cgroupParent?: string;
  images: ImageSource;
  network: ContainerNetworking;
  volumes: ContainerVolumes;
  logs?: LogReader;
  /** The event bus (it stamps the time and Docker's old fields). */
  events: (e: EngineEventInput) => void;
  clock: Clock;
  log: Logger;
  /** Random floats in [0,1) for generated names (default Math.random). */
  rand?: () => number;
  /** Restart back-off (default Docker's). */
  backoff?: { initialMs: number; maxMs: number; resetAfterMs: number };
  /** crun binary (default /usr/bin/crun). */
  crunPath?: string;
  /** Static init for --init (default /usr/bin/tini-static). */
  initPath?: string;
  /** json-file rotation defaults from daemon.json log-opts. */
  logMaxSize?: number;
  logMaxFiles?: number;
}
