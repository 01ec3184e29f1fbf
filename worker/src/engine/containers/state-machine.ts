/**
 * A container's `State` as a pure state machine: every change the engine
 * makes to it is one of these events, applied here and nowhere else. The
 * swarm agent maps task states onto the same states (created -> running ->
 * exited, restarting, paused).
 *
 *   created --started--> running --exited--> exited --started--> running
 *   created/exited --start-failed--> (same status, Error and ExitCode set)
 *   running --paused--> paused --unpaused--> running; paused --exited--> exited
 *   exited --restart-scheduled--> restarting --started--> running
 *   restarting --start-failed--> exited; restarting --restart-cancelled--> exited
 *   running/paused --health--> (same status, Health replaced)
 *
 * Invariants (checkStateInvariants), as Docker's: Running is true while
 * running or paused; Restarting iff restarting; Paused iff paused; Pid > 0
 * iff running or paused. Health is set by a start with a healthcheck,
 * removed by a start without one, and kept after an exit (the last result).
 */
import type { ContainerState } from '@shoal/common';

/** Health as State.Health holds it. */
export type HealthSnapshot = NonNullable<ContainerState['Health']>;

/** What can happen to a container's state. */
export type StateEvent =
  | { type: 'started'; pid: number; at: string; health?: HealthSnapshot }
  | { type: 'start-failed'; error: string; exitCode: number }
  | { type: 'exited'; exitCode: number; finishedAt: string; oomKilled: boolean; error: string }
  | { type: 'restart-scheduled' }
  | { type: 'restart-cancelled' }
  | { type: 'paused' }
  | { type: 'unpaused' }
  | { type: 'health'; health: HealthSnapshot };

/** The events allowed in a state (the engine checks its verbs against Docker's rules before). */
export function allowedEvents(s: ContainerState): ReadonlyArray<StateEvent['type']> {
  switch (s.Status) {
    case 'created': return ['started', 'start-failed'];
    case 'running': return ['exited', 'paused', 'health'];
    case 'paused': return ['unpaused', 'exited', 'health'];
    case 'restarting': return ['started', 'start-failed', 'restart-cancelled'];
    case 'exited': return ['started', 'start-failed', 'restart-scheduled'];
    default: return [];
  }
}

/** A state a container never had run in. */
export function neverStarted(s: ContainerState): boolean {
  return s.StartedAt.startsWith('0001');
}

/**
 * Apply `e` to `s` (a new object; `s` is not changed). Throws a plain
 * Error for an event the state does not allow: that is an engine bug, not
 * a user error.
 */
export function transition(s: ContainerState, e: StateEvent): ContainerState {
  if (!allowedEvents(s).includes(e.type)) throw new Error(`container state: ${e.type} is not allowed in ${s.Status}`);
  switch (e.type) {
    case 'started': {
      const { Health: _previous, ...base } = s;
      return {
        ...base, Status: 'running', Running: true, Paused: false, Restarting: false, OOMKilled: false, Dead: false,
        Pid: e.pid, ExitCode: 0, Error: '', StartedAt: e.at, ...(e.health !== undefined ? { Health: e.health } : {}),
      };
    }
    case 'start-failed':
      // A container that never ran stays created; one that ran (or was restarting) is exited.
      return { ...s, Status: neverStarted(s) ? 'created' : 'exited', Running: false, Paused: false, Restarting: false, Pid: 0, Error: e.error, ExitCode: e.exitCode };
    case 'exited':
      return {
        ...s, Status: 'exited', Running: false, Paused: false, Restarting: false, OOMKilled: e.oomKilled, Pid: 0,
        ExitCode: e.exitCode, FinishedAt: e.finishedAt, Error: e.error,
      };
    case 'restart-scheduled':
      return { ...s, Status: 'restarting', Restarting: true };
    case 'restart-cancelled':
      return { ...s, Status: 'exited', Restarting: false };
    case 'paused':
      return { ...s, Status: 'paused', Paused: true };
    case 'unpaused':
      return { ...s, Status: 'running', Paused: false };
    case 'health':
      return { ...s, Health: e.health };
  }
}

/** The invariants every state reached by transitions keeps; returns what is wrong (empty when fine). */
export function checkStateInvariants(s: ContainerState): string[] {
  const bad: string[] = [];
  const live = s.Status === 'running' || s.Status === 'paused';
  if (s.Running !== live) bad.push(`Running=${s.Running} in ${s.Status}`);
  if (s.Paused !== (s.Status === 'paused')) bad.push(`Paused=${s.Paused} in ${s.Status}`);
  if (s.Restarting !== (s.Status === 'restarting')) bad.push(`Restarting=${s.Restarting} in ${s.Status}`);
  if ((s.Pid > 0) !== live) bad.push(`Pid=${s.Pid} in ${s.Status}`);
  return bad;
}
