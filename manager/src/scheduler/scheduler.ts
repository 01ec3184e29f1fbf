/**
 * The scheduler's decision: which node each unplaced task goes to, or why
 * none fits. Pure: given the nodes, the tasks already on them and the tasks
 * to place, it returns decisions; the caller writes them in one batch.
 *
 * Filters, in swarmkit's order, each explaining how many nodes it turned
 * away ("no suitable node (scheduling constraints not satisfied on 2
 * nodes; insufficient resources on 1 node)"): ready and active, resources,
 * constraints, platform, host-mode ports, max replicas per node. Among the
 * nodes left: spread over the values of each placement preference, then
 * the fewest tasks of the service, then the fewest tasks, then the node id.
 */
import type { SwarmNode, Task } from '@shoal/common';
import { nodeMatches, parseConstraints, type Constraint } from './constraints.js';

/** A task's placement, or why it has none. */
export type Decision = { taskId: string; nodeId: string } | { taskId: string; error: string };

/** What the scheduler sees. */
export interface SchedulerInput {
  nodes: readonly SwarmNode[];
  /** Tasks on nodes that hold resources and ports (not ended, desired to run). */
  placed: readonly Task[];
  /** Tasks to place, in the order to place them; a task with a NodeID (global services) is checked against that node only. */
  unplaced: readonly Task[];
}

interface NodeInfo {
  node: SwarmNode;
  tasks: number;
  byService: Map<string, number>;
  cpu: number;
  memory: number;
  ports: Set<string>;
}

interface Filter {
  check(n: NodeInfo): boolean;
  explain(count: number): string;
}

function nodesWord(count: number): string {
  return count === 1 ? '1 node' : `${count} nodes`;
}

/** Published host-mode ports of a task: `tcp/8080`. */
export function hostPorts(task: Task): string[] {
  const ports = (task as Task & { Endpoint?: { Ports?: Array<{ PublishMode?: string; PublishedPort?: number; Protocol?: string }> } }).Endpoint?.Ports ?? [];
  return ports.filter((p) => p.PublishMode === 'host' && (p.PublishedPort ?? 0) !== 0).map((p) => `${p.Protocol ?? 'tcp'}/${p.PublishedPort}`);
}

function reservation(task: Task): { cpu: number; memory: number } {
  const r = task.Spec.Resources?.Reservations;
  return { cpu: r?.NanoCPUs ?? 0, memory: r?.MemoryBytes ?? 0 };
}

function constraintsOf(task: Task): Constraint[] {
  try {
    return parseConstraints(task.Spec.Placement?.Constraints ?? []);
  } catch {
    return []; // validated by the control API; a bad one here filters nothing, as swarmkit
  }
}

function normArch(a: string | undefined): string | undefined {
  return a === 'x86_64' ? 'amd64' : a;
}

/** The filters that apply to `task` (those with nothing to check are left out). */
function filtersFor(task: Task): Filter[] {
  const out: Filter[] = [{
    check: (n) => n.node.Status.State === 'ready' && n.node.Spec.Availability === 'active',
    explain: (c) => `${nodesWord(c)} not available for new tasks`,
  }];
  const res = reservation(task);
  if (res.cpu > 0 || res.memory > 0) out.push({ check: (n) => res.cpu <= n.cpu && res.memory <= n.memory, explain: (c) => `insufficient resources on ${nodesWord(c)}` });
  const constraints = constraintsOf(task);
  if (constraints.length > 0) out.push({ check: (n) => nodeMatches(constraints, n.node), explain: (c) => `scheduling constraints not satisfied on ${nodesWord(c)}` });
  const platforms = task.Spec.Placement?.Platforms ?? [];
  if (platforms.length > 0) {
    out.push({
      check: (n) => platforms.some((p) => (p.Architecture === undefined || p.Architecture === '' || normArch(p.Architecture) === normArch(n.node.Description.Platform.Architecture))
        && (p.OS === undefined || p.OS === '' || p.OS === n.node.Description.Platform.OS)),
      explain: (c) => `unsupported platform on ${nodesWord(c)}`,
    });
  }
  const ports = hostPorts(task);
  if (ports.length > 0) out.push({ check: (n) => ports.every((p) => !n.ports.has(p)), explain: (c) => `host-mode port already in use on ${nodesWord(c)}` });
  const max = task.Spec.Placement?.MaxReplicas ?? 0;
  if (max > 0) out.push({ check: (n) => (n.byService.get(task.ServiceID) ?? 0) < max, explain: () => 'max replicas per node limit exceed' });
  return out;
}

/** The value of a spread descriptor on a node (`node.labels.zone`, `engine.labels.x`, `node.role`...). */
function descriptorValue(descriptor: string, node: SwarmNode): string {
  const d = descriptor.trim();
  const lower = d.toLowerCase();
  if (lower.startsWith('node.labels.')) return node.Spec.Labels?.[d.slice('node.labels.'.length)] ?? '';
  if (lower.startsWith('engine.labels.')) return node.Description.Engine.Labels?.[d.slice('engine.labels.'.length)] ?? '';
  if (lower === 'node.hostname') return node.Description.Hostname;
  if (lower === 'node.role') return node.Spec.Role;
  if (lower === 'node.id') return node.ID;
  return '';
}

/** Picks among `candidates` (non-empty) for a task of `serviceId`, spreading over `spread` descriptors first. */
function pick(candidates: NodeInfo[], all: readonly NodeInfo[], serviceId: string, spread: readonly string[]): NodeInfo {
  let pool = candidates;
  for (const d of spread) {
    // Tasks of the service per value, over every node that has it (as swarmkit's tree of preferences).
    const perValue = new Map<string, number>();
    for (const n of all) {
      const v = descriptorValue(d, n.node);
      perValue.set(v, (perValue.get(v) ?? 0) + (n.byService.get(serviceId) ?? 0));
    }
    let best = Infinity;
    for (const n of pool) best = Math.min(best, perValue.get(descriptorValue(d, n.node)) ?? 0);
    pool = pool.filter((n) => (perValue.get(descriptorValue(d, n.node)) ?? 0) === best);
  }
  let chosen = pool[0] as NodeInfo;
  for (const n of pool) {
    const a = n.byService.get(serviceId) ?? 0;
    const b = chosen.byService.get(serviceId) ?? 0;
    if (a < b || (a === b && (n.tasks < chosen.tasks || (n.tasks === chosen.tasks && n.node.ID < chosen.node.ID)))) chosen = n;
  }
  return chosen;
}

function take(info: NodeInfo, task: Task): void {
  const r = reservation(task);
  info.tasks++;
  info.byService.set(task.ServiceID, (info.byService.get(task.ServiceID) ?? 0) + 1);
  info.cpu -= r.cpu;
  info.memory -= r.memory;
  for (const p of hostPorts(task)) info.ports.add(p);
}

/** Decides a node for every unplaced task, in order; each decision counts for the next. */
export function schedule(input: SchedulerInput): Decision[] {
  const infos = new Map<string, NodeInfo>(input.nodes.map((node) => [node.ID, {
    node, tasks: 0, byService: new Map(), cpu: node.Description.Resources.NanoCPUs, memory: node.Description.Resources.MemoryBytes, ports: new Set(),
  }]));
  for (const t of input.placed) {
    const info = t.NodeID === undefined ? undefined : infos.get(t.NodeID);
    if (info !== undefined) take(info, t);
  }
  const all = [...infos.values()];
  const decisions: Decision[] = [];
  for (const task of input.unplaced) {
    const filters = filtersFor(task);
    const pool = task.NodeID !== undefined && task.NodeID !== '' ? [infos.get(task.NodeID)].filter((n): n is NodeInfo => n !== undefined) : all;
    const failed = new Map<Filter, number>();
    const fits: NodeInfo[] = [];
    for (const n of pool) {
      const bad = filters.find((f) => !f.check(n));
      if (bad === undefined) fits.push(n);
      else failed.set(bad, (failed.get(bad) ?? 0) + 1);
    }
    if (fits.length === 0) {
      const why = filters.filter((f) => failed.has(f)).map((f) => f.explain(failed.get(f) as number));
      decisions.push({ taskId: task.ID, error: why.length === 0 ? 'no suitable node' : `no suitable node (${why.join('; ')})` });
      continue;
    }
    const spread = (task.Spec.Placement?.Preferences ?? []).map((p) => p.Spread?.SpreadDescriptor ?? '').filter((d) => d !== '');
    const chosen = pick(fits, all, task.ServiceID, spread);
    take(chosen, task);
    decisions.push({ taskId: task.ID, nodeId: chosen.node.ID });
  }
  return decisions;
}
