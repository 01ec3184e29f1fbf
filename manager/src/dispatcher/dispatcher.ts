/**
 * The dispatcher: the manager's side of each node's session. A node's
 * agent gets its assignments (every task placed on it, then each change
 * as it happens) and reports its tasks' states, which are batched into one
 * store write per tick. A state only moves forward, and a node reports
 * only its own tasks. The leader's cluster server serves it to the agent of
 * every node, managers included (cluster/server.ts).
 */
import { stateRank, type Clock, type Task, type TaskStatus } from '@shoal/common';
import type { Store, StoredObject, WriteTx } from '../store/index.js';

/** One message of a node's assignment stream. */
export interface Assignments {
  /** `full`: `tasks` is every task of the node (the first message); otherwise changes. */
  full: boolean;
  /** New or changed tasks (as stored: with the fields agents use, such as ServiceAnnotations). */
  tasks: Task[];
  /** Tasks no longer assigned to the node (deleted, or moved away). */
  removed: string[];
}

/** A state report of one task. */
export interface StatusUpdate {
  taskId: string;
  status: TaskStatus;
}

const asTask = (o: StoredObject): Task => o as unknown as Task;

/** Assigned: placed on the node by the scheduler (or bound to it and accepted). */
function assignedTo(t: Task | undefined, nodeId: string): boolean {
  return t !== undefined && t.NodeID === nodeId && stateRank(t.Status.State) >= stateRank('assigned');
}

interface Queued {
  nodeId: string;
  update: StatusUpdate;
  done: { resolve: () => void; reject: (e: unknown) => void };
}

/** The manager's end of the node sessions. */
export class Dispatcher {
  readonly #store: Store;
  readonly #clock: Clock;
  #queue: Queued[] = [];
  #flushing = false;

  constructor(o: { store: Store; clock: Clock }) {
    this.#store = o.store;
    this.#clock = o.clock;
  }

  /** The assignment stream of `nodeId`, until `signal` aborts. */
  async *assignments(nodeId: string, signal: AbortSignal): AsyncGenerator<Assignments> {
    // Watch first, then read: nothing falls between the two.
    const changes = this.#store.watch({ tables: ['tasks'], signal });
    const tasks = this.#store.view((tx) => tx.find('tasks', 'node', nodeId).map(asTask).filter((t) => assignedTo(t, nodeId)));
    yield { full: true, tasks: structuredClone(tasks), removed: [] };
    const known = new Set(tasks.map((t) => t.ID));
    for await (const e of changes) {
      const t = asTask(e.object);
      const mine = e.action !== 'delete' && assignedTo(t, nodeId);
      if (mine) {
        known.add(t.ID);
        yield { full: false, tasks: [structuredClone(t)], removed: [] };
      } else if (known.delete(t.ID)) {
        yield { full: false, tasks: [], removed: [t.ID] };
      }
    }
  }

  /** Records `nodeId`'s reports; resolves once written (batched with every report of the same tick). */
  updateTaskStatus(nodeId: string, updates: readonly StatusUpdate[]): Promise<void> {
    return Promise.all(updates.map((update) => new Promise<void>((resolve, reject) => {
      this.#queue.push({ nodeId, update, done: { resolve, reject } });
      if (!this.#flushing) {
        this.#flushing = true;
        setImmediate(() => { void this.#flush(); });
      }
    }))).then(() => undefined);
  }

  async #flush(): Promise<void> {
    const batch = this.#queue;
    this.#queue = [];
    this.#flushing = false;
    // The newest report of each task wins; a write refused because the task moved on is retried on fresh state.
    for (let attempt = 0; ; attempt++) {
      try {
        await this.#store.update((tx) => { this.#apply(tx, batch); });
        for (const q of batch) q.done.resolve();
        return;
      } catch (e) {
        if (attempt >= 4 || (e as { code?: string }).code !== 'STORE_OUT_OF_SEQUENCE') {
          for (const q of batch) q.done.reject(e);
          return;
        }
      }
    }
  }

  #apply(tx: WriteTx, batch: readonly Queued[]): void {
    const latest = new Map<string, Queued>();
    for (const q of batch) latest.set(q.update.taskId, q);
    for (const q of latest.values()) {
      const t = tx.get('tasks', q.update.taskId) as unknown as Task | undefined;
      if (t === undefined || t.NodeID !== q.nodeId) continue;
      const s = q.update.status;
      if (stateRank(s.State) < stateRank(t.Status.State)) continue;
      if (s.State === t.Status.State && JSON.stringify(s) === JSON.stringify(t.Status)) continue;
      const status: TaskStatus = { ...structuredClone(s), Timestamp: s.Timestamp !== '' ? s.Timestamp : new Date(this.#clock.now()).toISOString() };
      tx.update('tasks', { ...structuredClone(t), Status: status } as unknown as Parameters<WriteTx['update']>[1]);
    }
  }
}
