/**
 * The control API of services and tasks, in the Engine API's shapes: what
 * `docker service create/inspect/ls/update/rm/rollback` and `service ps`
 * ask of a manager. Writes go through the store (one transaction each);
 * reads are of the local store. The HTTP layer (shoald) maps requests here.
 */
import { generateName, hasEnded, type Clock, type Service, type ServiceSpec, type Task } from '@shoal/common';
import { newNodeId } from '../ca/index.js';
import type { StoredObject, Store } from '../store/index.js';
import { controlErrors } from './errors.js';
import { validateServiceSpec } from './validate.js';

/** Docker's filters: name -> values. */
export type Filters = Record<string, string[]>;

/** What the control API needs. */
export interface ControlDeps {
  store: Store;
  clock: Clock;
  /** Random bytes (ids). */
  random: (n: number) => Uint8Array;
}

const INTERNAL_TASK_FIELDS = ['ServiceAnnotations', 'Endpoint', 'StartAfter'] as const;

/** A task as the API shows it (without the fields only managers and agents use). */
export function taskView(t: StoredObject): Task {
  const out = structuredClone(t) as unknown as Record<string, unknown>;
  for (const k of INTERNAL_TASK_FIELDS) delete out[k];
  return out as unknown as Task;
}

function asService(o: StoredObject): Service {
  return o as unknown as Service;
}

function asTask(o: StoredObject): Task {
  return o as unknown as Task;
}

/** Finds by full id, then exact name, then unique id prefix (Docker's order and sentences). */
function lookup<T extends { ID: string }>(all: readonly T[], ref: string, name: (x: T) => string | undefined, kind: 'service' | 'task'): T {
  const exact = all.find((x) => x.ID === ref) ?? all.find((x) => name(x) === ref);
  if (exact !== undefined) return exact;
  const prefixed = ref === '' ? [] : all.filter((x) => x.ID.startsWith(ref));
  if (prefixed.length === 1) return prefixed[0] as T;
  if (prefixed.length > 1) throw controlErrors.make('AMBIGUOUS', `${kind} ${ref} is ambiguous (${prefixed.length} matches found)`);
  throw controlErrors.make(kind === 'service' ? 'SERVICE_NOT_FOUND' : 'TASK_NOT_FOUND', `${kind} ${ref} not found`);
}

/** Docker's label filter: every `key` or `key=value` holds in `labels`. */
export function labelMatch(labels: Record<string, string> | null | undefined, filters: string[]): boolean {
  return filters.every((f) => {
    const at = f.indexOf('=');
    const key = at < 0 ? f : f.slice(0, at);
    if (labels?.[key] === undefined) return false;
    return at < 0 || labels[key] === f.slice(at + 1);
  });
}

function modeOf(spec: ServiceSpec): string {
  const m = spec.Mode ?? {};
  if (m.Global !== undefined && m.Global !== null) return 'global';
  return 'replicated';
}

/** The name `service ps` shows: `web.3` or, for a global task, `web.<node id>`. */
function taskName(t: Task & { ServiceAnnotations?: { Name?: string } }): string {
  return `${t.ServiceAnnotations?.Name ?? ''}.${t.Slot ?? t.NodeID ?? ''}`;
}

/** The endpoint Docker shows for a spec (no VIPs before overlay networks exist). */
function endpointOf(spec: ServiceSpec): NonNullable<Service['Endpoint']> {
  const ports = spec.EndpointSpec?.Ports ?? [];
  const endpointSpec = { Mode: spec.EndpointSpec?.Mode ?? 'vip', ...(ports.length > 0 ? { Ports: structuredClone(ports) } : {}) };
  return ports.length > 0 ? { Spec: endpointSpec, Ports: ports.map((p) => ({ Protocol: 'tcp', ...structuredClone(p) })) } : { Spec: endpointSpec };
}

/** The spec as stored: a replicated mode without replicas has one (Docker's default), no mode is replicated. */
export function normalizeSpec(spec: ServiceSpec): ServiceSpec {
  const out = structuredClone(spec);
  const mode = out.Mode ?? {};
  const global = mode.Global !== undefined && mode.Global !== null;
  if (!global) out.Mode = { ...mode, Replicated: { ...(mode.Replicated ?? {}), Replicas: mode.Replicated?.Replicas ?? 1 } };
  return out;
}

/** Services and tasks, as the Engine API serves them. */
export class ServiceControl {
  readonly #d: ControlDeps;

  constructor(deps: ControlDeps) {
    this.#d = deps;
  }

  #newId(): string {
    return newNodeId(this.#d.random(16));
  }

  #generatedName(): string {
    const taken = new Set(this.#services().map((s) => s.Spec.Name));
    const rand = (): number => new DataView(this.#d.random(4).buffer).getUint32(0) / 2 ** 32;
    return generateName(rand, (n) => taken.has(n.slice(1)));
  }

  #services(): Service[] {
    return this.#d.store.view((tx) => tx.list('services')).map(asService);
  }

  #find(ref: string): Service {
    return lookup(this.#services(), ref, (s) => s.Spec.Name, 'service');
  }

  /** POST /services/create. A spec without a name gets a generated one (`hopeful_curie`), as on Docker. */
  async createService(body: unknown): Promise<{ ID: string; Warnings: string[] | null }> {
    const spec = body !== null && typeof body === 'object' && !Array.isArray(body) && ((body as ServiceSpec).Name ?? '') === ''
      ? { ...(body as ServiceSpec), Name: this.#generatedName() } : body;
    validateServiceSpec(spec);
    const id = this.#newId();
    const stored = normalizeSpec(spec);
    await this.#d.store.update((tx) => {
      tx.create('services', { ID: id, Spec: stored, Endpoint: endpointOf(stored) });
    });
    return { ID: id, Warnings: null };
  }

  /** GET /services/{id}. */
  getService(ref: string): Service {
    return structuredClone(this.#find(ref));
  }

  /** GET /services (filters: id, name, label, mode); `status` adds ServiceStatus. */
  listServices(filters: Filters = {}, status = false): Service[] {
    const out = this.#services().filter((s) =>
      (filters.id === undefined || filters.id.some((f) => s.ID.startsWith(f)))
      && (filters.name === undefined || filters.name.some((f) => (s.Spec.Name ?? '').startsWith(f)))
      && (filters.mode === undefined || filters.mode.includes(modeOf(s.Spec)))
      && (filters.label === undefined || labelMatch(s.Spec.Labels, filters.label)));
    return out.map((s) => (status ? { ...structuredClone(s), ServiceStatus: this.#status(s) } : structuredClone(s)));
  }

  /** Running and desired tasks, as `service ls` shows them (a task on a node that is down does not run). */
  #status(s: Service): NonNullable<Service['ServiceStatus']> {
    return this.#d.store.view((tx) => {
      const tasks = tx.find('tasks', 'service', s.ID).map(asTask);
      const down = new Set(tx.list('nodes').filter((n) => (n.Status as { State?: string } | undefined)?.State === 'down').map((n) => n.ID));
      const running = tasks.filter((t) => t.Status.State === 'running' && t.DesiredState === 'running' && !down.has(t.NodeID ?? '')).length;
      const desired = modeOf(s.Spec) === 'global' ? tasks.filter((t) => t.DesiredState === 'running').length : s.Spec.Mode?.Replicated?.Replicas ?? 1;
      return { RunningTasks: running, DesiredTasks: desired, CompletedTasks: 0 };
    });
  }

  /**
   * POST /services/{id}/update?version=N: the new spec replaces the old
   * (kept as PreviousSpec); `rollback: 'previous'` brings the previous spec
   * back (`docker service rollback`). A version that is not the current one
   * is Docker's "update out of sequence".
   */
  async updateService(ref: string, version: number, spec: unknown, opts: { rollback?: string } = {}): Promise<{ Warnings: string[] | null }> {
    const current = this.#find(ref);
    const rollback = opts.rollback === 'previous';
    if (!rollback) validateServiceSpec(spec);
    if (!Number.isInteger(version) || version < 0) throw controlErrors.make('INVALID_ARGUMENT', 'invalid service version');
    let next: ServiceSpec;
    let status: Service['UpdateStatus'];
    if (rollback) {
      if (current.PreviousSpec === undefined) throw controlErrors.make('NO_PREVIOUS_SPEC', `service ${current.ID} does not have a previous spec`);
      next = structuredClone(current.PreviousSpec);
      status = { State: 'rollback_started', StartedAt: new Date(this.#d.clock.now()).toISOString(), Message: 'manually requested rollback' };
    } else {
      next = normalizeSpec(spec as ServiceSpec);
      if (next.Name !== current.Spec.Name) throw controlErrors.make('INVALID_ARGUMENT', 'renaming services is not supported');
      if (modeOf(next) !== modeOf(current.Spec)) throw controlErrors.make('INVALID_ARGUMENT', 'service mode change is not allowed');
      const rolls = JSON.stringify([next.TaskTemplate, next.EndpointSpec?.Ports ?? []]) !== JSON.stringify([current.Spec.TaskTemplate, current.Spec.EndpointSpec?.Ports ?? []]);
      // A change of what tasks run starts a new update (the orchestrator sets its status); otherwise the status stays.
      status = rolls ? undefined : current.UpdateStatus;
    }
    await this.#d.store.update((tx) => {
      const { UpdateStatus: _old, ...rest } = current;
      tx.update('services', {
        ...structuredClone(rest), Version: { Index: version }, Spec: next, PreviousSpec: structuredClone(current.Spec), Endpoint: endpointOf(next),
        ...(status !== undefined ? { UpdateStatus: structuredClone(status) } : {}),
      });
    });
    return { Warnings: null };
  }

  /** DELETE /services/{id}: the service goes; its tasks are told to go (the reaper deletes them once stopped). */
  async removeService(ref: string): Promise<void> {
    const s = this.#find(ref);
    await this.#d.store.update((tx) => {
      tx.delete('services', s.ID);
      for (const t of tx.find('tasks', 'service', s.ID).map(asTask)) {
        if (t.DesiredState !== 'remove') tx.update('tasks', { ...structuredClone(t), DesiredState: 'remove' });
      }
    });
  }

  /** GET /tasks/{id}. */
  getTask(ref: string): Task {
    const all = this.#d.store.view((tx) => tx.list('tasks')).map(asTask);
    return taskView(lookup(all, ref, () => undefined, 'task') as unknown as StoredObject);
  }

  /** GET /tasks (filters: id, name, service (id or name), node, label, desired-state). */
  listTasks(filters: Filters = {}): Task[] {
    return this.#d.store.view((tx) => {
      const services = tx.list('services').map(asService);
      const serviceIds = filters.service?.map((f) => services.find((s) => s.ID === f || s.Spec.Name === f)?.ID ?? services.find((s) => s.ID.startsWith(f))?.ID ?? f);
      const source = serviceIds !== undefined && serviceIds.length === 1 ? tx.find('tasks', 'service', serviceIds[0] as string) : tx.list('tasks');
      const nodes = tx.list('nodes');
      const nodeIds = filters.node?.map((f) => nodes.find((n) => n.ID === f || (n.Description as { Hostname?: string } | undefined)?.Hostname === f)?.ID ?? f);
      return source.map(asTask).filter((t) =>
        (filters.id === undefined || filters.id.some((f) => t.ID.startsWith(f)))
        && (serviceIds === undefined || serviceIds.includes(t.ServiceID))
        && (nodeIds === undefined || nodeIds.includes(t.NodeID ?? ''))
        && (filters.name === undefined || filters.name.some((f) => taskName(t).startsWith(f)))
        && (filters.label === undefined || labelMatch(t.Labels, filters.label))
        && (filters['desired-state'] === undefined || filters['desired-state'].some((d) => desiredMatches(t, d))))
        .map((t) => taskView(t as unknown as StoredObject));
    });
  }
}

/** Docker's desired-state filter: running (also ready/accepted ones that will run), shutdown, accepted. */
function desiredMatches(t: Task, want: string): boolean {
  if (want === 'running') return t.DesiredState === 'running' || t.DesiredState === 'ready';
  if (want === 'shutdown') return t.DesiredState === 'shutdown' || t.DesiredState === 'remove' || (hasEnded(t.DesiredState) && t.DesiredState !== 'complete');
  return t.DesiredState === want;
}
