/** The persisted shape of a container (config.v2.json), close to Docker's. */
import type { ContainerConfig, ContainerState, EndpointSettings, HostConfig, NetworkSettings, MountPoint } from '@shoal/common';
import type { PlannedMount } from './mount-plan.js';

/** One container as stored on disk and held in memory. */
export interface ContainerRecord {
  Id: string;
  /** RFC 3339 with nanoseconds. */
  Created: string;
  /** Docker's `/name`. */
  Name: string;
  Path: string;
  Args: string[];
  /** The merged config (image config + create body), as `docker inspect` shows. */
  Config: ContainerConfig;
  HostConfig: HostConfig;
  /** Image id (sha256:...). */
  Image: string;
  State: ContainerState;
  RestartCount: number;
  NetworkSettings: NetworkSettings;
  /**
   * The networks it is on, by network name, with their endpoint settings
   * (NetworkingConfig.EndpointsConfig, `network connect/disconnect`). Absent
   * in records written before user-defined networks: then HostConfig.NetworkMode alone.
   */
  EndpointsConfig?: Record<string, EndpointSettings>;
  /** Inspect's view of MountSpecs. */
  Mounts: MountPoint[];
  /** The mounts as planned at create, volumes named (absent in records written before volumes existed). */
  MountSpecs?: PlannedMount[];
  /** Set by a user stop/kill; cleared by a user start. Docker's HasBeenManuallyStopped. */
  ManuallyStopped: boolean;
  /** Image's exposed ports merged in, for list/filters. */
  ExposedPorts: string[];
}

/** A zero state. */
export function createdState(): ContainerState {
  return {
    Status: 'created', Running: false, Paused: false, Restarting: false, OOMKilled: false, Dead: false,
    Pid: 0, ExitCode: 0, Error: '', StartedAt: '0001-01-01T00:00:00Z', FinishedAt: '0001-01-01T00:00:00Z',
  };
}

/** Empty network settings (before the first start / after detach). */
export function emptyNetworkSettings(): NetworkSettings {
  return { Bridge: '', SandboxID: '', SandboxKey: '', Ports: {}, Gateway: '', IPAddress: '', IPPrefixLen: 0, MacAddress: '', Networks: {} };
}

/** RFC3339Nano from epoch ms (Docker prints 9 fraction digits). */
export function rfc3339(ms: number): string {
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 23)}000000Z`;
}
