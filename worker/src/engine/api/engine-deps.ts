/**
 * What the Engine API needs from the engine: the contract between the API
 * plugins (this folder) and the engine subsystems (containers/, images/,
 * networks/, volumes/, events/). Declared here, by the consumer. Bodies and results
 * are Docker Engine API v1.44 shapes (see common's docker-api types).
 *
 * Every method throws ShoalError with a stable code and a Docker-compatible
 * status (404 not found, 409 conflict, 400 bad parameter, 304 not modified
 * for start/stop of a container already in that state).
 */
import type { AttachOptions, LogsOptions } from '../containers/index.js';
import type { NetworkCreateBody } from '../networks/index.js';
import type { Duplex, Readable, Writable } from 'node:stream';
import type {
  ContainerCreateBody, ContainerInspect, ContainerSummary, ContainerStats, ContainerUpdateBody,
  ExecCreateBody, ExecInspect, ContainerTop, ContainerWaitResponse,
  ImageSummary, ImageInspect, ImageHistoryItem, ImageDeleteItem, ImagePruneResponse,
  NetworkResource, EngineEvent, EndpointSettings, Filters, Volume, VolumeCreateBody,
} from '@shoal/common';

/** Containers, exec, logs and attach. Implemented by containers/ContainerManager. */
export interface ContainerEngine {
  create(name: string | undefined, body: ContainerCreateBody): Promise<{ Id: string; Warnings: string[] }>;
  start(idOrName: string): Promise<void>;
  /** timeoutS: seconds before SIGKILL (default the container's StopTimeout or 10). */
  stop(idOrName: string, opts: { timeoutS?: number; signal?: string }): Promise<void>;
  restart(idOrName: string, opts: { timeoutS?: number; signal?: string }): Promise<void>;
  kill(idOrName: string, signal?: string): Promise<void>;
  pause(idOrName: string): Promise<void>;
  unpause(idOrName: string): Promise<void>;
  remove(idOrName: string, opts: { force?: boolean; volumes?: boolean }): Promise<void>;
  /**
   * Resolves when the condition holds. The waiter is registered before the
   * returned promise's first await, so a start right after `wait` is seen.
   */
  wait(idOrName: string, condition: 'not-running' | 'next-exit' | 'removed', signal?: AbortSignal): Promise<ContainerWaitResponse>;
  rename(idOrName: string, newName: string): Promise<void>;
  /** POST /networks/{id}/connect: a running container is plugged in at once, a stopped one at its next start. */
  connectNetwork(idOrName: string, network: string, cfg?: EndpointSettings): Promise<void>;
  /** POST /networks/{id}/disconnect. */
  disconnectNetwork(idOrName: string, network: string): Promise<void>;
  update(idOrName: string, body: ContainerUpdateBody): Promise<{ Warnings: string[] }>;
  inspect(idOrName: string, opts?: { size?: boolean }): Promise<ContainerInspect>;
  list(opts: { all?: boolean; limit?: number; size?: boolean; filters?: Filters }): Promise<ContainerSummary[]>;
  top(idOrName: string, psArgs?: string): Promise<ContainerTop>;
  /** One sample when !stream; else a sample about every second until signal aborts. */
  stats(idOrName: string, opts: { stream: boolean; oneShot?: boolean }, signal?: AbortSignal): AsyncIterable<ContainerStats>;
  /**
   * Log bytes ready to send: Docker's multiplexed frames (8-byte header)
   * unless the container has a tty, then raw. Ends when done (or, with
   * follow, when the container stops or signal aborts).
   */
  logs(idOrName: string, opts: LogsOptions, signal?: AbortSignal): Promise<{ tty: boolean; stream: Readable }>;
  /**
   * Attach a hijacked connection (raw TCP/unix stream or a websocket stream)
   * to the container's stdio. Output frames are multiplexed unless tty. The
   * engine owns `conn` from here on and ends it when the container exits
   * (stream=true) or after the logs were sent (stream=false).
   */
  attach(idOrName: string, opts: AttachOptions, conn: Duplex): Promise<void>;
  resize(idOrName: string, h: number, w: number): Promise<void>;
  prune(filters?: Filters): Promise<{ ContainersDeleted: string[] | null; SpaceReclaimed: number }>;
  execCreate(idOrName: string, body: ExecCreateBody): Promise<{ Id: string }>;
  /** With detach, resolves once started and conn is undefined. Otherwise owns conn like attach. */
  execStart(execId: string, opts: { detach?: boolean; tty?: boolean }, conn?: Duplex): Promise<void>;
  execResize(execId: string, h: number, w: number): Promise<void>;
  execInspect(execId: string): Promise<ExecInspect>;
  /** Counts for /info. */
  counts(): { total: number; running: number; paused: number; stopped: number };
}

/** Images. Implemented by images/ImageStore. */
export interface ImageEngine {
  list(opts: { all?: boolean; filters?: Filters; digests?: boolean }): Promise<ImageSummary[]>;
  inspect(ref: string): Promise<ImageInspect>;
  history(ref: string): Promise<ImageHistoryItem[]>;
  tag(ref: string, repo: string, tag?: string): Promise<void>;
  /** isInUse comes from the container engine: refuse (409) unless force. */
  remove(ref: string, opts: { force?: boolean; noprune?: boolean }): Promise<ImageDeleteItem[]>;
  prune(filters?: Filters): Promise<ImagePruneResponse>;
  /** POST /images/create?fromSrc=-: a tar of a rootfs; returns the new image id. */
  importRootfs(tar: Readable, opts: { repo?: string; tag?: string; changes?: string[]; message?: string; platform?: string }): Promise<string>;
  /** POST /images/load: docker-archive or OCI layout tar; progress messages (Docker's JSON message shape). */
  load(tar: Readable): Promise<Array<{ stream?: string; error?: string }>>;
  /** GET /images/get and /images/{name}/get: docker-archive tar (with OCI index too, like Docker 25+). */
  save(refs: string[], out: Writable): Promise<void>;
  /** Counts for /info. */
  counts(): { images: number };
  /** For /system/df: bytes of all unpacked layers, each once; per image id, the bytes it shares with other images. */
  diskUsage(): { layersSize: number; sharedSize: Record<string, number> };
}

/** Networks: built-in bridge, host, none and user-defined bridge networks. Implemented by networks/NetworkManager. */
export interface NetworkEngine {
  list(filters?: Filters): Promise<NetworkResource[]>;
  inspect(idOrName: string): Promise<NetworkResource>;
  /** 201 with the new id; 409 name taken, 403 predefined or overlapping, 404 unknown driver, 400 invalid. */
  create(body: NetworkCreateBody): Promise<{ Id: string; Warning: string }>;
  /** 403 predefined or with active endpoints, 404 unknown. */
  remove(idOrName: string): Promise<void>;
  /** User-defined networks no container is on (filters label; `until` given apart, in ms). */
  prune(filters?: Filters, untilMs?: number): Promise<{ NetworksDeleted: string[] }>;
}

/** Volumes (the local driver). Implemented by volumes/VolumeManager. */
export interface VolumeEngine {
  create(req: VolumeCreateBody): Promise<Volume>;
  inspect(name: string): Promise<Volume>;
  list(filters?: Filters): Promise<{ Volumes: Volume[]; Warnings: string[] }>;
  /** 409 while containers reference it; `force` ignores a missing volume. */
  remove(name: string, opts?: { force?: boolean }): Promise<void>;
  /** Anonymous unused volumes (all unused ones with `all=true`, or for clients before API 1.42: `prunesAll`). */
  prune(filters?: Filters, prunesAll?: boolean): Promise<{ VolumesDeleted: string[]; SpaceReclaimed: number }>;
  /** For /system/df: every volume with UsageData (Size in bytes, -1 unknown; RefCount). */
  usage(): Promise<Volume[]>;
}

/** The event bus. Implemented by events/EventBus. */
export interface EventSource {
  /**
   * Past events in [since, until] then, unless until is past, live ones until signal aborts. Times in unix seconds.
   * Throws synchronously (400) on an unknown filter key, so the API can answer before the stream opens.
   */
  subscribe(opts: { since?: number; until?: number; filters?: Filters }, signal: AbortSignal): AsyncIterable<EngineEvent>;
}

export type { AttachOptions, LogsOptions };
