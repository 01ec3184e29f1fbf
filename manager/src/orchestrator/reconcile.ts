/**
 * The orchestrator's decision for one service (replicated or global): what
 * tasks to make and which to stop so that the service's slots match its
 * spec. Pure: one pass over a snapshot gives a {@link Plan}.
 *
 * 1. Restarts: a live task that ended, or (replicated) whose node is down,
 *    gone or drained, is shut down, and gets a successor in its slot as its
 *    restart policy says (after the restart delay for a failure).
 * 2. Slots: a replicated service gets new slots up to its replicas, or
 *    loses the surplus (settled ones first, then those not running, then
 *    those on the busiest nodes, then the highest numbers); a global
 *    service gets a task on every eligible node (ready, not drained, not
 *    paused for new tasks, constraints met) and loses those on the others.
 * 3. Rolling update (updater.ts).
 * 4. A task waiting to start (`ready`) is told to run once its restart
 *    delay is over and its slot's stopping tasks have ended.
 */
import { hasEnded, type Service, type SwarmNode, type Task } from '@shoal/common';
import { nodeMatches, parseConstraints } from '../scheduler/constraints.js';
import { newTask, Plan, type OrchestratorInput } from './plan.js';
import { restartDecision, type EndCause } from './restart.js';
import { addToSlot, isGlobal, isLive, liveTasks, newest, setDesired, slotKind, slotsOf, type Slot } from './slots.js';
import { rollingUpdate } from './updater.js';

/** A node a replicated task can keep running on: present, not down, not drained. */
export function nodeHoldsTasks(node: SwarmNode | undefined): boolean {
  return node !== undefined && node.Status.State !== 'down' && node.Spec.Availability !== 'drain';
}

/** A node a global service runs on: holds tasks and meets the constraints. */
function globalEligible(service: Service, node: SwarmNode | undefined): boolean {
  if (!nodeHoldsTasks(node)) return false;
  try {
    return nodeMatches(parseConstraints(service.Spec.TaskTemplate?.Placement?.Constraints ?? []), node as SwarmNode);
  } catch {
    return true;
  }
}

function successor(input: OrchestratorInput, plan: Plan, slots: Slot[], s: Slot, delayMs: number): void {
  const where = s.nodeId !== undefined ? { nodeId: s.nodeId } : { slot: s.slot as number };
  const made = newTask(input.service, where, input.newId(), input.now, delayMs > 0 ? 'ready' : 'running');
  if (delayMs > 0) {
    made.StartAfter = input.now + delayMs;
    plan.wake(made.StartAfter);
  }
  addToSlot(slots, s, plan.add(made, input.now));
}

/** Step 1: shut down what ended or lost its node, and replace it per the restart policy. */
function restarts(input: OrchestratorInput, plan: Plan, slots: Slot[]): void {
  const global = isGlobal(input.service);
  for (const s of slots) {
    for (const t of liveTasks(s)) {
      let cause: EndCause | undefined;
      if (hasEnded(t.Status.State)) cause = 'ended';
      else if (!global && t.NodeID !== undefined && t.NodeID !== '' && !nodeHoldsTasks(input.nodes.get(t.NodeID))) cause = 'node';
      if (cause === undefined) continue;
      setDesired(plan, s, t, 'shutdown');
      // A task that ended while another of its slot runs on (a start-first update) needs no successor.
      if (liveTasks(s).length > 0) continue;
      const d = restartDecision(input.service, t, cause, s.tasks, input.now);
      if (d.restart) successor(input, plan, slots, s, d.delayMs);
    }
  }
}

/** The order in which surplus slots go: settled, not running, on the busiest node, highest number. */
function removalOrder(slots: Slot[]): Slot[] {
  const perNode = new Map<string, number>();
  for (const s of slots) for (const t of liveTasks(s)) if (t.NodeID !== undefined) perNode.set(t.NodeID, (perNode.get(t.NodeID) ?? 0) + 1);
  const rank = (s: Slot): number[] => {
    const live = liveTasks(s);
    const running = live.some((t) => t.Status.State === 'running');
    const node = live.find((t) => t.NodeID !== undefined)?.NodeID;
    return [slotKind(s) === 'settled' ? 0 : 1, running ? 1 : 0, -(node === undefined ? 0 : perNode.get(node) ?? 0), -(s.slot ?? 0)];
  };
  return [...slots].sort((a, b) => {
    const ra = rank(a);
    const rb = rank(b);
    for (let i = 0; i < ra.length; i++) if (ra[i] !== rb[i]) return (ra[i] as number) - (rb[i] as number);
    return 0;
  });
}

function removeSlot(plan: Plan, s: Slot): void {
  const live = liveTasks(s);
  if (live.length === 0) {
    const last = newest(s);
    if (last !== undefined) setDesired(plan, s, last, 'remove');
  }
  for (const t of live) setDesired(plan, s, t, 'remove');
}

/** Step 2 for a replicated service. */
function replicatedSlots(input: OrchestratorInput, plan: Plan, slots: Slot[]): void {
  const want = input.service.Spec.Mode?.Replicated?.Replicas ?? 1;
  const counted = slots.filter((s) => slotKind(s) !== 'gone');
  if (counted.length > want) {
    for (const s of removalOrder(counted).slice(0, counted.length - want)) removeSlot(plan, s);
    return;
  }
  const used = new Set(counted.map((s) => s.slot));
  let next = 1;
  for (let i = counted.length; i < want; i++) {
    while (used.has(next)) next++;
    used.add(next);
    const s = slots.find((x) => x.slot === next) ?? { key: String(next), slot: next, tasks: [] };
    addToSlot(slots, s, plan.add(newTask(input.service, { slot: next }, input.newId(), input.now), input.now));
  }
}

/** Step 2 for a global service. */
function globalSlots(input: OrchestratorInput, plan: Plan, slots: Slot[]): void {
  for (const s of slots) {
    const node = input.nodes.get(s.key);
    if (globalEligible(input.service, node)) continue;
    for (const t of liveTasks(s)) setDesired(plan, s, t, node === undefined ? 'remove' : 'shutdown');
  }
  for (const node of input.nodes.values()) {
    if (!globalEligible(input.service, node) || node.Spec.Availability === 'pause') continue;
    const s = slots.find((x) => x.key === node.ID);
    if (s !== undefined && slotKind(s) !== 'gone') continue;
    const made = plan.add(newTask(input.service, { nodeId: node.ID }, input.newId(), input.now), input.now);
    addToSlot(slots, s ?? { key: node.ID, nodeId: node.ID, tasks: [] }, made);
  }
}

/** Step 4: start the tasks that wait (`ready`) once nothing holds them back. */
function promote(input: OrchestratorInput, plan: Plan, slots: Slot[]): void {
  for (const s of slots) {
    for (const t of s.tasks) {
      if (t.DesiredState !== 'ready') continue;
      const after = (t as Task & { StartAfter?: number }).StartAfter ?? 0;
      if (after > input.now) {
        plan.wake(after);
        continue;
      }
      // Stop-first: the tasks it replaces must have ended (or be on a node that is gone).
      const blocking = s.tasks.some((o) => o.ID !== t.ID && !isLive(o) && !hasEnded(o.Status.State)
        && o.NodeID !== undefined && o.NodeID !== '' && input.nodes.get(o.NodeID)?.Status.State !== 'down' && input.nodes.has(o.NodeID));
      if (!blocking) setDesired(plan, s, t, 'running');
    }
  }
}

/** One orchestration pass over a service. */
export function reconcileService(input: OrchestratorInput): Plan {
  const plan = new Plan();
  const slots = slotsOf(input.service, input.tasks, plan);
  restarts(input, plan, slots);
  if (isGlobal(input.service)) globalSlots(input, plan, slots);
  else replicatedSlots(input, plan, slots);
  rollingUpdate(input, plan, slots);
  promote(input, plan, slots);
  return plan;
}
