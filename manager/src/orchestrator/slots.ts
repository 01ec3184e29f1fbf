/**
 * A service's tasks by slot: a replicated service's slot number, or a
 * global service's node. A slot is live while one of its tasks is desired
 * to run (`ready` or `running`), settled when its last task ended and the
 * restart policy keeps it ended (it still counts as a replica, as Docker's
 * `--restart-condition none` does), and gone when its last task is desired
 * `remove` (scaled down). Pure.
 */
import { stateRank, type Service, type Task } from '@shoal/common';
import type { Plan } from './plan.js';

/** One slot as the plan leaves it. */
export interface Slot {
  key: string;
  slot?: number;
  nodeId?: string;
  /** Every task of the slot, oldest first (as the plan leaves them). */
  tasks: Task[];
}

/** Oldest first: creation time, then id. */
export function byAge(a: Task, b: Task): number {
  return a.CreatedAt < b.CreatedAt ? -1 : a.CreatedAt > b.CreatedAt ? 1 : a.ID < b.ID ? -1 : a.ID > b.ID ? 1 : 0;
}

/** Desired to run (ready or running). */
export function isLive(t: Task): boolean {
  return stateRank(t.DesiredState) <= stateRank('running');
}

export function liveTasks(s: Slot): Task[] {
  return s.tasks.filter(isLive);
}

export function newest(s: Slot): Task | undefined {
  return s.tasks[s.tasks.length - 1];
}

/** Live, settled (counts, nothing runs) or gone. */
export function slotKind(s: Slot): 'live' | 'settled' | 'gone' {
  if (s.tasks.some(isLive)) return 'live';
  const last = newest(s);
  return last === undefined || last.DesiredState === 'remove' ? 'gone' : 'settled';
}

/** Groups `tasks` of `service` (as `plan` leaves them) into slots. */
export function slotsOf(service: Service, tasks: readonly Task[], plan: Plan): Slot[] {
  const global = isGlobal(service);
  const slots = new Map<string, Slot>();
  for (const stored of tasks) {
    const t = plan.current(stored);
    const key = global ? t.NodeID : t.Slot === undefined ? undefined : String(t.Slot);
    if (key === undefined || key === '') continue;
    let s = slots.get(key);
    if (s === undefined) {
      s = global ? { key, nodeId: key, tasks: [] } : { key, slot: t.Slot as number, tasks: [] };
      slots.set(key, s);
    }
    s.tasks.push(t);
  }
  for (const s of slots.values()) s.tasks.sort(byAge);
  return [...slots.values()];
}

export function isGlobal(service: Service): boolean {
  return service.Spec.Mode?.Global !== undefined && service.Spec.Mode.Global !== null;
}

/** Sets the desired state of a task of `s` through `plan`, keeping the slot's view in step. */
export function setDesired(plan: Plan, s: Slot, t: Task, state: Task['DesiredState']): void {
  const next = plan.desire(t, state);
  const i = s.tasks.findIndex((x) => x.ID === t.ID);
  if (i >= 0) s.tasks[i] = next;
}

/** Adds a task the plan created to its slot (keeps the order: the newest last). */
export function addToSlot(slots: Slot[], s: Slot, t: Task): void {
  if (!slots.includes(s)) slots.push(s);
  s.tasks.push(t);
}
