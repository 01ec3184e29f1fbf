/**
 * Task states in the order a task moves through them (swarmkit's
 * TaskState): a task only moves forward; from `complete` on it has ended.
 * Pure.
 */
import type { TaskState } from '../docker-api/index.js';

export const TASK_STATES: readonly TaskState[] = [
  'new', 'pending', 'assigned', 'accepted', 'preparing', 'ready', 'starting', 'running',
  'complete', 'shutdown', 'failed', 'rejected', 'remove', 'orphaned',
];

const RANK = new Map(TASK_STATES.map((s, i) => [s, i]));

/** The position of `s` in the lifecycle (unknown states sort first). */
export function stateRank(s: string | undefined): number {
  return RANK.get(s as TaskState) ?? -1;
}

/** `a` comes before `b`. */
export function before(a: string | undefined, b: TaskState): boolean {
  return stateRank(a) < stateRank(b);
}

/** The task has ended (complete, shutdown, failed, rejected, remove, orphaned). */
export function hasEnded(s: string | undefined): boolean {
  return stateRank(s) >= stateRank('complete');
}

/** Docker's status message of each state, as swarmkit's agent and managers set it. */
export const STATE_MESSAGES: Readonly<Partial<Record<TaskState, string>>> = {
  new: 'created', pending: 'pending task scheduling', assigned: 'scheduler assigned task to node',
  accepted: 'accepted', preparing: 'preparing', ready: 'prepared', starting: 'starting', running: 'started',
  complete: 'finished', shutdown: 'shutdown', failed: 'started', rejected: 'preparing',
};
