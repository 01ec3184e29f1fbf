/**
 * What an orchestrator decides for one service: tasks to create, tasks to
 * change (desired state), the service's new update status, and when to
 * look again (a restart delay or an update delay running out). The caller
 * writes a plan in one transaction. Pure.
 */
import { STATE_MESSAGES, type Service, type SwarmNode, type Task, type TaskState } from '@shoal/common';

/** A task as the orchestrator makes it (the store adds Version and times). */
export type NewTask = Omit<Task, 'Version' | 'CreatedAt' | 'UpdatedAt'> & {
  /** The service's name, for the task's container name (not shown by the API). */
  ServiceAnnotations: { Name: string };
  /** The service's endpoint when the task was made: its host-mode ports hold on a node. */
  Endpoint?: { Ports?: unknown[] };
  /** A delayed restart: the task is not started before this time (ms since the epoch; not shown by the API). */
  StartAfter?: number;
};

/** What an orchestrator sees of the cluster for one service. */
export interface OrchestratorInput {
  service: Service;
  /** Every task of the service. */
  tasks: readonly Task[];
  nodes: ReadonlyMap<string, SwarmNode>;
  /** Milliseconds since the epoch. */
  now: number;
  newId: () => string;
}

/** The writes one pass decides. */
export class Plan {
  readonly create: NewTask[] = [];
  readonly update = new Map<string, Task>();
  /** The service with a new UpdateStatus or spec (rollback), when it changes. */
  service: Service | undefined;
  /** The earliest time a pass has something new to do (ms), if any. */
  wakeAt: number | undefined;

  /** The task as this plan leaves it (its pending change, or as stored). */
  current(t: Task): Task {
    return this.update.get(t.ID) ?? t;
  }

  /** Adds a new task; returns it as a task of this pass (for the decisions that follow in the same pass). */
  add(t: NewTask, now: number): Task {
    this.create.push(t);
    const at = new Date(now).toISOString();
    return { ...t, Version: { Index: 0 }, CreatedAt: at, UpdatedAt: at };
  }

  /** Sets a task's desired state (a clone goes into the plan; a task this plan creates changes in place). */
  desire(t: Task, state: TaskState): Task {
    const made = this.create.find((c) => c.ID === t.ID);
    if (made !== undefined) {
      made.DesiredState = state;
      return { ...t, DesiredState: state };
    }
    const cur = this.current(t);
    if (cur.DesiredState === state) return cur;
    const next = { ...structuredClone(cur), DesiredState: state };
    this.update.set(t.ID, next);
    return next;
  }

  wake(at: number): void {
    this.wakeAt = this.wakeAt === undefined ? at : Math.min(this.wakeAt, at);
  }

  get empty(): boolean {
    return this.create.length === 0 && this.update.size === 0 && this.service === undefined;
  }
}

/** A new task of `service` for a slot (replicated) or a node (global). */
export function newTask(service: Service, where: { slot?: number; nodeId?: string }, id: string, now: number, desired: TaskState = 'running'): NewTask {
  const t: NewTask = {
    ID: id,
    Labels: {},
    Spec: structuredClone(service.Spec.TaskTemplate ?? {}),
    ServiceID: service.ID,
    ServiceAnnotations: { Name: service.Spec.Name ?? '' },
    Status: { Timestamp: new Date(now).toISOString(), State: 'new', Message: STATE_MESSAGES.new as string },
    DesiredState: desired,
  };
  if (where.slot !== undefined) t.Slot = where.slot;
  if (where.nodeId !== undefined) t.NodeID = where.nodeId;
  const ports = service.Spec.EndpointSpec?.Ports;
  if (ports !== undefined && ports !== null && ports.length > 0) t.Endpoint = { Ports: structuredClone(ports) };
  return t;
}

/** The parts of a task that make it current with its service: its spec and its endpoint. */
export function specKey(spec: unknown, ports: unknown): string {
  return JSON.stringify([spec ?? {}, ports ?? []]);
}

/** Whether `t` runs the service's current spec. */
export function isCurrent(t: Task, service: Service): boolean {
  const ports = service.Spec.EndpointSpec?.Ports;
  return specKey(t.Spec, (t as Task & { Endpoint?: { Ports?: unknown[] } }).Endpoint?.Ports) === specKey(service.Spec.TaskTemplate, ports !== null && ports !== undefined && ports.length > 0 ? ports : undefined);
}
