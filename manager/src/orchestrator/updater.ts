/**
 * Rolling updates and rollbacks with Docker's parameters (`--update-*`,
 * `--rollback-*`): slots whose tasks run an older spec are replaced
 * `Parallelism` at a time (0: all at once); a replaced slot stays in flight
 * until its new task runs and `Delay` has passed; `stop-first` stops the
 * old task before the new one starts, `start-first` stops it once the new
 * one runs. New tasks that fail while the update is in progress (its
 * monitor window included) count as failures; more than `MaxFailureRatio`
 * of the slots triggers `FailureAction` (pause, continue, or rollback to
 * the previous spec). `UpdateStatus` tells where it stands, with Docker's
 * states and messages. Pure.
 */
import { hasEnded, type Service, type Task, type UpdateConfig, type UpdateStatus } from '@shoal/common';
import { isCurrent, newTask, type OrchestratorInput, type Plan } from './plan.js';
import { addToSlot, liveTasks, newest, setDesired, slotKind, type Slot } from './slots.js';

const NS = 1_000_000;

/** swarmkit's defaults for an update or rollback config the client left out. */
export const DEFAULT_UPDATE: Required<UpdateConfig> = { Parallelism: 1, Delay: 0, FailureAction: 'pause', Monitor: 5 * 1000 * NS, MaxFailureRatio: 0, Order: 'stop-first' };

function config(service: Service, rollback: boolean): Required<UpdateConfig> {
  const c = (rollback ? service.Spec.RollbackConfig : service.Spec.UpdateConfig) ?? {};
  return {
    Parallelism: c.Parallelism ?? DEFAULT_UPDATE.Parallelism,
    Delay: c.Delay ?? DEFAULT_UPDATE.Delay,
    FailureAction: c.FailureAction ?? DEFAULT_UPDATE.FailureAction,
    Monitor: c.Monitor ?? DEFAULT_UPDATE.Monitor,
    MaxFailureRatio: c.MaxFailureRatio ?? DEFAULT_UPDATE.MaxFailureRatio,
    Order: c.Order ?? DEFAULT_UPDATE.Order,
  };
}

function setStatus(plan: Plan, input: OrchestratorInput, status: UpdateStatus, spec?: Pick<Service, 'Spec' | 'PreviousSpec'>): void {
  const base = plan.service ?? structuredClone(input.service);
  plan.service = { ...base, ...(spec ?? {}), UpdateStatus: status };
}

/** The newest live task of the slot that runs the current spec. */
function currentTask(s: Slot, service: Service): Task | undefined {
  return liveTasks(s).filter((t) => isCurrent(t, service)).pop();
}

/** Since when a running task runs (its status time), in ms. */
function runningSince(t: Task): number {
  return Date.parse(t.Status.Timestamp);
}

/** Replaces the old tasks of slot `s` with one of the current spec, in the configured order. */
function replace(input: OrchestratorInput, plan: Plan, slots: Slot[], s: Slot, order: UpdateConfig['Order']): void {
  const old = liveTasks(s);
  const where = s.nodeId !== undefined ? { nodeId: s.nodeId } : { slot: s.slot as number };
  const stopFirst = order !== 'start-first' && old.some((t) => !hasEnded(t.Status.State));
  const made = newTask(input.service, where, input.newId(), input.now, stopFirst ? 'ready' : 'running');
  if (stopFirst) for (const t of old) setDesired(plan, s, t, 'shutdown');
  addToSlot(slots, s, plan.add(made, input.now));
}

/** Step 3 of a pass: move a rolling update (or rollback) on. */
export function rollingUpdate(input: OrchestratorInput, plan: Plan, slots: Slot[]): void {
  const service = plan.service ?? input.service;
  const counted = slots.filter((s) => slotKind(s) !== 'gone');
  // Start-first handover: once the new task runs, the old ones of its slot stop.
  for (const s of counted) {
    const cur = currentTask(s, service);
    if (cur?.Status.State !== 'running') continue;
    for (const t of liveTasks(s)) if (t.ID !== cur.ID) setDesired(plan, s, t, 'shutdown');
  }
  const dirty = counted.filter((s) => {
    if (slotKind(s) === 'settled') return !isCurrent(newest(s) as Task, service);
    return currentTask(s, service) === undefined;
  });
  const status = service.UpdateStatus;
  const rollingBack = status?.State === 'rollback_started';
  const active = status?.State === 'updating' || rollingBack;
  const cfg = config(service, rollingBack);
  const now = input.now;
  if (status?.State === 'paused' || status?.State === 'rollback_paused') return;
  if (!active) {
    if (dirty.length === 0 || service.PreviousSpec === undefined) return;
    setStatus(plan, input, { State: 'updating', StartedAt: new Date(now).toISOString(), Message: 'update in progress' });
    rollingUpdate(input, plan, slots);
    return;
  }
  const startedAt = Date.parse(status?.StartedAt ?? '') || 0;
  const failed = input.tasks.filter((t) => isCurrent(t, service) && (t.Status.State === 'failed' || t.Status.State === 'rejected') && Date.parse(t.Status.Timestamp) >= startedAt);
  if (failed.length > 0 && failed.length > cfg.MaxFailureRatio * counted.length && cfg.FailureAction !== 'continue') {
    const who = (failed[0] as Task).ID;
    if (cfg.FailureAction === 'rollback' && !rollingBack && service.PreviousSpec !== undefined) {
      setStatus(plan, input, { State: 'rollback_started', StartedAt: new Date(now).toISOString(), Message: `update rolled back due to failure or early termination of task ${who}` },
        { Spec: structuredClone(service.PreviousSpec), PreviousSpec: structuredClone(service.Spec) });
    } else {
      setStatus(plan, input, { ...(status as UpdateStatus), State: rollingBack ? 'rollback_paused' : 'paused', Message: `${rollingBack ? 'rollback' : 'update'} paused due to failure or early termination of task ${who}` });
    }
    return;
  }
  const delayMs = cfg.Delay / NS;
  let inFlight = 0;
  for (const s of counted) {
    const cur = currentTask(s, service);
    if (cur === undefined || dirty.includes(s)) continue;
    if (cur.Status.State !== 'running') {
      if (!hasEnded(cur.Status.State) && Date.parse(cur.CreatedAt) >= startedAt) inFlight++;
    } else if (delayMs > 0 && runningSince(cur) + delayMs > now && Date.parse(cur.CreatedAt) >= startedAt) {
      inFlight++;
      plan.wake(runningSince(cur) + delayMs);
    }
  }
  const budget = cfg.Parallelism === 0 ? Infinity : cfg.Parallelism - inFlight;
  const order = [...dirty].sort((a, b) => (a.slot ?? 0) - (b.slot ?? 0) || (a.key < b.key ? -1 : 1));
  for (const s of order.slice(0, Math.max(0, budget))) replace(input, plan, slots, s, cfg.Order);
  if (dirty.length > 0 || inFlight > 0) return;
  // Every slot runs the new spec: done once each new task has run through the monitor window.
  const monitorMs = cfg.Monitor / NS;
  let doneAt = now;
  for (const s of counted) {
    const cur = currentTask(s, service);
    if (cur === undefined) continue;
    if (cur.Status.State !== 'running') return;
    doneAt = Math.max(doneAt, runningSince(cur) + monitorMs);
  }
  if (doneAt > now) {
    plan.wake(doneAt);
    return;
  }
  setStatus(plan, input, {
    State: rollingBack ? 'rollback_completed' : 'completed', StartedAt: status?.StartedAt, CompletedAt: new Date(now).toISOString(),
    Message: rollingBack ? 'rollback completed' : 'update completed',
  });
}
