/**
 * Test objects of the swarm in Docker's shapes: nodes, services and tasks
 * with the fields the scheduler and the orchestrators read, and a store
 * without Raft. Test-only.
 */
import type { Clock, Service, ServiceSpec, SwarmNode, Task, TaskState } from '@shoal/common';
import { LocalProposer, Store } from '../store/index.js';

/** Test time zero: 2026-12-01T00:00:00Z. */
export const T0 = Date.parse('2026-12-01T00:00:00.000Z');

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** A ready, active worker with 2 CPUs and 4 GiB unless told otherwise. */
export function node(id: string, over: { role?: 'manager' | 'worker'; availability?: 'active' | 'pause' | 'drain'; state?: 'ready' | 'down'; labels?: Record<string, string>; engineLabels?: Record<string, string>; cpus?: number; memory?: number; hostname?: string; arch?: string } = {}): SwarmNode {
  return {
    ID: id, Version: { Index: 1 }, CreatedAt: iso(T0), UpdatedAt: iso(T0),
    Spec: { Labels: over.labels ?? {}, Role: over.role ?? 'worker', Availability: over.availability ?? 'active' },
    Description: {
      Hostname: over.hostname ?? `host-${id}`, Platform: { Architecture: over.arch ?? 'x86_64', OS: 'linux' },
      Resources: { NanoCPUs: (over.cpus ?? 2) * 1e9, MemoryBytes: over.memory ?? 4 * 2 ** 30 },
      Engine: { EngineVersion: '0.1.0', Labels: over.engineLabels ?? {} },
    },
    Status: { State: over.state ?? 'ready', Addr: '10.0.0.1' },
  };
}

export function nodeMap(...nodes: SwarmNode[]): Map<string, SwarmNode> {
  return new Map(nodes.map((n) => [n.ID, n]));
}

/** A replicated service (3 replicas) unless `spec` says otherwise. */
export function service(id: string, spec: ServiceSpec = {}, over: Partial<Service> = {}): Service {
  return {
    ID: id, Version: { Index: 1 }, CreatedAt: iso(T0), UpdatedAt: iso(T0),
    Spec: { Name: `svc-${id}`, TaskTemplate: { ContainerSpec: { Image: 'busybox:latest' } }, Mode: { Replicated: { Replicas: 3 } }, ...spec },
    ...over,
  };
}

/** A task of `svc` in `slot` (or on `node` for a global one), running the service's current spec unless told otherwise. */
export function task(svc: Service, id: string, over: { slot?: number; node?: string; state?: TaskState; desired?: TaskState; at?: number; created?: number; spec?: Service['Spec']['TaskTemplate']; startAfter?: number } = {}): Task {
  const t: Task & { StartAfter?: number; ServiceAnnotations: { Name: string } } = {
    ID: id, Version: { Index: 1 }, CreatedAt: iso(over.created ?? T0), UpdatedAt: iso(over.at ?? T0), Labels: {},
    Spec: structuredClone(over.spec ?? svc.Spec.TaskTemplate ?? {}), ServiceID: svc.ID, ServiceAnnotations: { Name: svc.Spec.Name ?? '' },
    Status: { Timestamp: iso(over.at ?? T0), State: over.state ?? 'running', Message: '' },
    DesiredState: over.desired ?? 'running',
  };
  if (over.slot !== undefined) t.Slot = over.slot;
  if (over.node !== undefined) t.NodeID = over.node;
  if (over.startAfter !== undefined) t.StartAfter = over.startAfter;
  return t;
}

/** Sequential ids: new1, new2... */
export function ids(prefix = 'new'): () => string {
  let n = 0;
  return () => `${prefix}${++n}`;
}

/** A store whose writes commit at once (no Raft), on `clock`. */
export function memoryStore(clock: Clock): Store {
  const proposer = new LocalProposer();
  let n = 0;
  const store = new Store({ proposer, clock, newId: () => `tx${++n}` });
  proposer.attach((i, d) => store.applyEntry(i, d));
  return store;
}
