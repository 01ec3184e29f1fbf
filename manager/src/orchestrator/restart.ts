/**
 * The restart policy (`--restart-condition none|on-failure|any`,
 * `--restart-delay`, `--restart-max-attempts`, `--restart-window`): whether
 * a task that ended, or whose node went away, gets a successor in its slot,
 * and after what delay. Pure.
 */
import type { Service, Task } from '@shoal/common';

const NS = 1_000_000;
/** swarmkit's default restart delay (the docker CLI sends it too). */
export const DEFAULT_RESTART_DELAY_MS = 5000;

/** Why a task stopped counting: it ended on its own, or its node is gone, down or drained. */
export type EndCause = 'ended' | 'node';

/** The successor a task gets: none, or one that starts after `delayMs`. */
export type RestartDecision = { restart: false } | { restart: true; delayMs: number };

function ms(t: string): number {
  return Date.parse(t);
}

/**
 * Whether `task` (which ended, or lost its node) is replaced. `slotTasks`:
 * every task of its slot, for max attempts within the window (counting the
 * tasks of the current spec started in the window, this one included).
 */
export function restartDecision(service: Service, task: Task, cause: EndCause, slotTasks: readonly Task[], now: number): RestartDecision {
  const policy = service.Spec.TaskTemplate?.RestartPolicy ?? {};
  const condition = policy.Condition ?? 'any';
  if (condition === 'none') return { restart: false };
  if (condition === 'on-failure' && cause === 'ended' && task.Status.State === 'complete') return { restart: false };
  const max = policy.MaxAttempts ?? 0;
  if (max > 0) {
    const windowMs = (policy.Window ?? 0) / NS;
    const since = windowMs > 0 ? now - windowMs : -Infinity;
    const attempts = slotTasks.filter((t) => JSON.stringify(t.Spec) === JSON.stringify(task.Spec) && ms(t.CreatedAt) >= since).length;
    // The first run is not a restart: max attempts 3 allows 4 tasks.
    if (attempts > max) return { restart: false };
  }
  // A task whose node went away restarts at once elsewhere; a task that failed waits the delay.
  const delayMs = cause === 'node' ? 0 : policy.Delay === undefined ? DEFAULT_RESTART_DELAY_MS : policy.Delay / NS;
  return { restart: true, delayMs };
}
