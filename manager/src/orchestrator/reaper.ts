/**
 * The task reaper: which tasks leave the store. A task desired `remove`
 * (its slot was scaled away, its service removed) goes once it has ended,
 * never reached a node, or its node is gone or down; a slot keeps at most
 * `--task-history-limit` tasks (the live ones and the newest ended ones).
 * Pure.
 */
import { hasEnded, type SwarmNode, type Task } from '@shoal/common';
import { byAge, isLive } from './slots.js';

/** The ids of `tasks` (every task of one service) that may be deleted. A negative limit keeps all history. */
export function reap(tasks: readonly Task[], nodes: ReadonlyMap<string, SwarmNode>, historyLimit: number): string[] {
  const out: string[] = [];
  const slots = new Map<string, Task[]>();
  for (const t of tasks) {
    const unplaced = t.NodeID === undefined || t.NodeID === '';
    const node = unplaced ? undefined : nodes.get(t.NodeID as string);
    const stopped = hasEnded(t.Status.State) || unplaced || node === undefined || node.Status.State === 'down';
    if (t.DesiredState === 'remove' && stopped) {
      out.push(t.ID);
      continue;
    }
    const key = t.Slot !== undefined ? `s${t.Slot}` : `n${t.NodeID ?? ''}`;
    const list = slots.get(key) ?? [];
    list.push(t);
    slots.set(key, list);
  }
  if (historyLimit < 0) return out;
  for (const list of slots.values()) {
    if (list.length <= historyLimit) continue;
    const history = list.filter((t) => !isLive(t) && hasEnded(t.Status.State)).sort(byAge);
    const excess = Math.min(history.length, list.length - historyLimit);
    for (const t of history.slice(0, excess)) out.push(t.ID);
  }
  return out;
}
