/**
 * The leader's control loop: watches the store and runs the pure
 * decisions over it — the orchestrator for every service whose tasks,
 * spec or nodes changed, the scheduler for every task waiting for a node,
 * the reaper — and writes what they decide, each pass in one batch of
 * transactions. Passes never overlap; changes during a pass make another.
 * A refused write (someone changed the object meanwhile) only marks its
 * service for the next pass.
 */
import { hasEnded, STATE_MESSAGES, stateRank, type Clock, type Logger, type Service, type SwarmNode, type Task, type TimerHandle } from '@shoal/common';
import { schedule } from '../scheduler/scheduler.js';
import type { Store, StoredObject, WriteTx } from '../store/index.js';
import type { Plan } from '../orchestrator/plan.js';
import { reap } from '../orchestrator/reaper.js';
import { reconcileService } from '../orchestrator/reconcile.js';

/** What the loop needs. */
export interface LoopOptions {
  store: Store;
  clock: Clock;
  newId: () => string;
  log: Logger;
  /** The cluster object's id (task history limit). */
  clusterId: string;
}

const asService = (o: StoredObject): Service => o as unknown as Service;
const asTask = (o: StoredObject): Task => o as unknown as Task;
const asNode = (o: StoredObject): SwarmNode => o as unknown as SwarmNode;

/** Writes a plan: its tasks, its task changes, its service change. */
function writePlan(tx: WriteTx, plan: Plan): void {
  for (const t of plan.create) tx.create('tasks', t as unknown as Parameters<WriteTx['create']>[1]);
  for (const t of plan.update.values()) tx.update('tasks', t as unknown as Parameters<WriteTx['update']>[1]);
  if (plan.service !== undefined) tx.update('services', plan.service as unknown as Parameters<WriteTx['update']>[1]);
}

/** The orchestrators, scheduler and reaper of the leader. */
export class ControlLoop {
  readonly #o: LoopOptions;
  readonly #dirty = new Set<string>();
  #all = true;
  #scheduling = true;
  #running = false;
  #again = false;
  #stopped = false;
  readonly #abort = new AbortController();
  #timer: { at: number; handle: TimerHandle } | undefined;
  /** Resolves when the current pass (if any) ends. */
  #idle: Promise<void> = Promise.resolve();

  constructor(o: LoopOptions) {
    this.#o = o;
  }

  /** Starts watching; the first pass covers everything. */
  start(): void {
    void this.#watch();
    this.#kick();
  }

  /** Stops (leadership lost, shutdown); resolves once no pass runs. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#abort.abort();
    this.#timer?.handle.cancel();
    await this.#idle;
  }

  async #watch(): Promise<void> {
    for await (const e of this.#o.store.watch({ tables: ['services', 'tasks', 'nodes', 'clusters'], signal: this.#abort.signal })) {
      if (e.table === 'services') this.#dirty.add(e.object.ID);
      else if (e.table === 'tasks') {
        const t = asTask(e.object);
        this.#dirty.add(t.ServiceID);
        if (stateRank(t.Status.State) <= stateRank('pending') || e.action === 'delete' || hasEnded(t.Status.State)) this.#scheduling = true;
      } else {
        this.#all = true;
        this.#scheduling = true;
      }
      this.#kick();
    }
  }

  #kick(): void {
    if (this.#stopped) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    this.#running = true;
    this.#idle = new Promise<void>((resolve) => {
      setImmediate(() => {
        void this.#passes().finally(() => {
          this.#running = false;
          resolve();
        });
      });
    });
  }

  async #passes(): Promise<void> {
    do {
      this.#again = false;
      try {
        await this.#pass();
      } catch (e) {
        this.#o.log.warn({ err: e }, 'control loop pass failed; retrying on the next change');
      }
    } while (this.#again && !this.#stopped);
  }

  async #pass(): Promise<void> {
    const { store, clock } = this.#o;
    const now = clock.now();
    const all = this.#all;
    const dirty = new Set(this.#dirty);
    this.#all = false;
    this.#dirty.clear();
    const scheduling = this.#scheduling;
    this.#scheduling = false;
    const { services, nodes, limit, deleted } = store.view((tx) => {
      const cluster = tx.get('clusters', this.#o.clusterId) as { Spec?: { Orchestration?: { TaskHistoryRetentionLimit?: number } } } | undefined;
      const services = (all ? tx.list('services') : [...dirty].map((id) => tx.get('services', id)).filter((s) => s !== undefined)).map(asService);
      // Tasks of services that are gone: told to go, then reaped.
      const deleted = (all ? [...new Set(tx.list('tasks').map((t) => asTask(t).ServiceID))] : [...dirty]).filter((id) => tx.get('services', id) === undefined);
      return { services, nodes: new Map(tx.list('nodes').map((n) => [n.ID, asNode(n)])), limit: cluster?.Spec?.Orchestration?.TaskHistoryRetentionLimit ?? 5, deleted };
    });
    const writes: Array<Promise<unknown>> = [];
    let wakeAt: number | undefined;
    for (const service of services) {
      const tasks = store.view((tx) => tx.find('tasks', 'service', service.ID).map(asTask));
      const plan = reconcileService({ service, tasks, nodes, now, newId: this.#o.newId });
      if (plan.wakeAt !== undefined) wakeAt = Math.min(wakeAt ?? Infinity, plan.wakeAt);
      const gone = reap(tasks, nodes, limit).filter((id) => !plan.update.has(id));
      if (plan.empty && gone.length === 0) continue;
      writes.push(store.update((tx) => {
        writePlan(tx, plan);
        for (const id of gone) tx.delete('tasks', id);
      }).catch(() => this.#dirty.add(service.ID)));
      if (!plan.empty) this.#scheduling = true;
    }
    for (const id of deleted) writes.push(this.#removeTasksOf(id).catch(() => this.#dirty.add(id)));
    if (scheduling) writes.push(this.#schedule(nodes).catch(() => { this.#scheduling = true; }));
    await Promise.all(writes);
    if (this.#dirty.size > 0 || this.#scheduling) this.#again = true;
    if (wakeAt !== undefined) this.#wakeAt(wakeAt);
  }

  /** The tasks of a removed service: desired `remove`, and deleted once stopped. */
  async #removeTasksOf(serviceId: string): Promise<void> {
    const { store } = this.#o;
    const nodes = store.view((tx) => new Map(tx.list('nodes').map((n) => [n.ID, asNode(n)])));
    await store.update((tx) => {
      const tasks = tx.find('tasks', 'service', serviceId).map(asTask);
      const gone = new Set(reap(tasks, nodes, -1));
      for (const t of tasks) {
        if (gone.has(t.ID)) tx.delete('tasks', t.ID);
        else if (t.DesiredState !== 'remove') tx.update('tasks', { ...structuredClone(t), DesiredState: 'remove' } as unknown as Parameters<WriteTx['update']>[1]);
      }
    });
  }

  /** One scheduling pass over every task waiting for a node. */
  async #schedule(nodes: Map<string, SwarmNode>): Promise<void> {
    const { store, clock } = this.#o;
    const { placed, unplaced } = store.view((tx) => {
      const placed: Task[] = [];
      const unplaced: Task[] = [];
      for (const o of tx.list('tasks')) {
        const t = asTask(o);
        const waiting = stateRank(t.Status.State) <= stateRank('pending') && stateRank(t.DesiredState) <= stateRank('running');
        if (waiting) unplaced.push(t);
        else if (t.NodeID !== undefined && !hasEnded(t.Status.State)) placed.push(t);
      }
      return { placed, unplaced };
    });
    if (unplaced.length === 0) return;
    const decisions = schedule({ nodes: [...nodes.values()], placed, unplaced });
    const at = new Date(clock.now()).toISOString();
    const byId = new Map(unplaced.map((t) => [t.ID, t]));
    await store.update((tx) => {
      for (const d of decisions) {
        const t = byId.get(d.taskId) as Task;
        if ('nodeId' in d) {
          tx.update('tasks', { ...structuredClone(t), NodeID: d.nodeId, Status: { Timestamp: at, State: 'assigned', Message: STATE_MESSAGES.assigned as string } } as unknown as Parameters<WriteTx['update']>[1]);
        } else if (t.Status.State !== 'pending' || t.Status.Err !== d.error) {
          tx.update('tasks', { ...structuredClone(t), Status: { Timestamp: at, State: 'pending', Message: STATE_MESSAGES.pending as string, Err: d.error } } as unknown as Parameters<WriteTx['update']>[1]);
        }
      }
    });
  }

  #wakeAt(at: number): void {
    if (this.#timer !== undefined && this.#timer.at <= at) return;
    this.#timer?.handle.cancel();
    const handle = this.#o.clock.setTimeout(() => {
      this.#timer = undefined;
      this.#all = true;
      this.#kick();
    }, Math.max(0, at - this.#o.clock.now()));
    this.#timer = { at, handle };
  }
}
