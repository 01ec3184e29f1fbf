/**
 * Swarm objects as the Engine API shows them (Docker's swarm.Service,
 * swarm.Task, swarm.Node...): the fields shoal reads or writes. Durations are
 * nanoseconds, as on the wire.
 */

/** A mount of a service's containers (bind, volume, tmpfs). */
export interface ServiceMount {
  Type?: 'bind' | 'volume' | 'tmpfs' | 'npipe' | 'cluster';
  Source?: string;
  Target?: string;
  ReadOnly?: boolean;
  BindOptions?: { Propagation?: string } | null;
  VolumeOptions?: { NoCopy?: boolean; Labels?: Record<string, string>; DriverConfig?: { Name?: string; Options?: Record<string, string> } | null } | null;
  TmpfsOptions?: { SizeBytes?: number; Mode?: number } | null;
}

/** Resources of a task (NanoCPUs, MemoryBytes, Pids). */
export interface SwarmResources {
  NanoCPUs?: number;
  MemoryBytes?: number;
  Pids?: number;
}

/** A service's container template (swarm.ContainerSpec). */
export interface ContainerSpec {
  Image?: string;
  Labels?: Record<string, string> | null;
  Command?: string[] | null;
  Args?: string[] | null;
  Hostname?: string;
  Env?: string[] | null;
  Dir?: string;
  User?: string;
  Groups?: string[] | null;
  TTY?: boolean;
  OpenStdin?: boolean;
  ReadOnly?: boolean;
  Mounts?: ServiceMount[] | null;
  StopSignal?: string;
  StopGracePeriod?: number;
  Healthcheck?: { Test?: string[] | null; Interval?: number; Timeout?: number; Retries?: number; StartPeriod?: number } | null;
  Init?: boolean | null;
  Isolation?: string;
  [k: string]: unknown;
}

/** A placement preference: spread over the values of a node descriptor. */
export interface PlacementPreference {
  Spread?: { SpreadDescriptor?: string };
}

/** What every task of a service runs (swarm.TaskSpec). */
export interface TaskSpec {
  ContainerSpec?: ContainerSpec;
  Resources?: { Limits?: SwarmResources | null; Reservations?: SwarmResources | null } | null;
  RestartPolicy?: { Condition?: 'none' | 'on-failure' | 'any'; Delay?: number; MaxAttempts?: number; Window?: number } | null;
  Placement?: { Constraints?: string[] | null; Preferences?: PlacementPreference[] | null; MaxReplicas?: number; Platforms?: Array<{ Architecture?: string; OS?: string }> | null } | null;
  Networks?: Array<{ Target?: string; Aliases?: string[] | null; DriverOpts?: Record<string, string> | null }> | null;
  LogDriver?: { Name?: string; Options?: Record<string, string> } | null;
  ForceUpdate?: number;
  Runtime?: string;
  [k: string]: unknown;
}

/** How a service is rolled out (UpdateConfig, RollbackConfig). */
export interface UpdateConfig {
  Parallelism?: number;
  Delay?: number;
  FailureAction?: 'continue' | 'pause' | 'rollback';
  Monitor?: number;
  MaxFailureRatio?: number;
  Order?: 'stop-first' | 'start-first';
}

/** A port of a service's endpoint. */
export interface EndpointPortConfig {
  Name?: string;
  Protocol?: 'tcp' | 'udp' | 'sctp';
  TargetPort?: number;
  PublishedPort?: number;
  PublishMode?: 'ingress' | 'host';
}

/** What a user gives for a service (swarm.ServiceSpec). */
export interface ServiceSpec {
  Name?: string;
  Labels?: Record<string, string> | null;
  TaskTemplate?: TaskSpec;
  Mode?: { Replicated?: { Replicas?: number } | null; Global?: Record<string, never> | null; ReplicatedJob?: unknown; GlobalJob?: unknown };
  UpdateConfig?: UpdateConfig | null;
  RollbackConfig?: UpdateConfig | null;
  EndpointSpec?: { Mode?: 'vip' | 'dnsrr'; Ports?: EndpointPortConfig[] | null } | null;
  [k: string]: unknown;
}

/** The state of a rolling update (Docker's UpdateStatus). */
export interface UpdateStatus {
  State: 'updating' | 'paused' | 'completed' | 'rollback_started' | 'rollback_paused' | 'rollback_completed';
  StartedAt?: string;
  CompletedAt?: string;
  Message: string;
}

/** A service (GET /services/{id}). */
export interface Service {
  ID: string;
  Version: { Index: number };
  CreatedAt: string;
  UpdatedAt: string;
  Spec: ServiceSpec;
  PreviousSpec?: ServiceSpec;
  Endpoint?: { Spec: { Mode?: string; Ports?: EndpointPortConfig[] | null }; Ports?: EndpointPortConfig[] | null; VirtualIPs?: unknown[] };
  UpdateStatus?: UpdateStatus;
  ServiceStatus?: { RunningTasks: number; DesiredTasks: number; CompletedTasks: number };
}

/** Task states (swarmkit's TaskState; manager/'s tasks/states.ts orders them). */
export type TaskState =
  | 'new' | 'pending' | 'assigned' | 'accepted' | 'preparing' | 'ready' | 'starting' | 'running'
  | 'complete' | 'shutdown' | 'failed' | 'rejected' | 'remove' | 'orphaned';

/** What a task reports (swarm.TaskStatus). */
export interface TaskStatus {
  Timestamp: string;
  State: TaskState;
  Message: string;
  Err?: string;
  ContainerStatus?: { ContainerID?: string; PID?: number; ExitCode?: number };
  PortStatus?: { Ports?: EndpointPortConfig[] };
}

/** A task (GET /tasks/{id}). */
export interface Task {
  ID: string;
  Version: { Index: number };
  CreatedAt: string;
  UpdatedAt: string;
  Labels: Record<string, string>;
  Spec: TaskSpec;
  ServiceID: string;
  Slot?: number;
  NodeID?: string;
  Status: TaskStatus;
  DesiredState: TaskState;
}

/** A node (GET /nodes/{id}). */
export interface SwarmNode {
  ID: string;
  Version: { Index: number };
  CreatedAt: string;
  UpdatedAt: string;
  Spec: { Name?: string; Labels?: Record<string, string>; Role: 'manager' | 'worker'; Availability: 'active' | 'pause' | 'drain' };
  Description: {
    Hostname: string;
    Platform: { Architecture: string; OS: string };
    Resources: { NanoCPUs: number; MemoryBytes: number };
    Engine: { EngineVersion: string; Labels?: Record<string, string> };
  };
  Status: { State: 'unknown' | 'down' | 'ready' | 'disconnected'; Message?: string; Addr: string };
  ManagerStatus?: { Leader?: boolean; Reachability: 'unknown' | 'unreachable' | 'reachable'; Addr: string };
}
