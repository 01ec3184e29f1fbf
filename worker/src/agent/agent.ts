/**
 * The agent: runs this node's swarm tasks with the embedded engine. It
 * follows the node's assignments from a dispatcher, brings each task's
 * container to what the task's desired state asks (prepare, start, stop,
 * remove), and reports the task's states as swarmkit's agent does
 * (accepted, preparing, ready, starting, running, then complete, failed,
 * shutdown or rejected, with Docker's messages and errors). Containers are
 * found again by their `com.docker.swarm.task.id` label, so a restarted
 * shoald adopts its running tasks instead of restarting them. Work on one
 * task is serialized; tasks proceed in parallel.
 */
import { setMaxListeners } from 'node:events';
import type { ContainerCreateBody, ContainerInspect, ContainerSummary, Filters, Logger, Task, TaskState, TaskStatus } from '@shoal/common';
import { hasEnded, STATE_MESSAGES, stateRank } from '@shoal/common';
import { stopTimeoutS, TASK_ID_LABEL, taskContainerName, taskCreateBody, type AgentTask } from './task-container.js';

/** The manager side the agent talks to (the leader's dispatcher over the cluster port, or a fake in tests). */
export interface DispatcherClient {
  assignments(nodeId: string, signal: AbortSignal): AsyncIterable<{ full: boolean; tasks: Task[]; removed: string[] }>;
  updateTaskStatus(nodeId: string, updates: ReadonlyArray<{ taskId: string; status: TaskStatus }>): Promise<void>;
}

/** The slice of the engine the agent drives. */
export interface AgentEngine {
  containers: {
    create(name: string | undefined, body: ContainerCreateBody): Promise<{ Id: string }>;
    start(id: string): Promise<void>;
    stop(id: string, opts: { timeoutS?: number }): Promise<void>;
    remove(id: string, opts: { force?: boolean }): Promise<void>;
    inspect(id: string): Promise<ContainerInspect>;
    list(opts: { all?: boolean; filters?: Filters }): Promise<ContainerSummary[]>;
    wait(id: string, condition: 'not-running', signal?: AbortSignal): Promise<{ StatusCode: number }>;
  };
  images: { inspect(ref: string): Promise<unknown> };
}

/** Options of {@link Agent}. */
export interface AgentOptions {
  nodeId: string;
  dispatcher: DispatcherClient;
  engine: AgentEngine;
  log: Logger;
  now: () => number;
}

/** The host-mode ports a running task holds (`service ps` shows them). */
function portStatus(t: AgentTask): Partial<TaskStatus> {
  const ports = (t.Endpoint?.Ports ?? []).filter((p) => p.PublishMode === 'host');
  if (ports.length === 0) return {};
  return { PortStatus: { Ports: ports.map((p) => ({ Protocol: (p.Protocol ?? 'tcp') as 'tcp', TargetPort: p.TargetPort, PublishedPort: p.PublishedPort, PublishMode: 'host' as const })) } };
}

/** One node's agent. */
export class Agent {
  readonly #o: AgentOptions;
  readonly #abort = new AbortController();
  readonly #tasks = new Map<string, AgentTask>();
  /** Task id -> container id. */
  readonly #containers = new Map<string, string>();
  /** The last state reported per task (ahead of the echo from the store). */
  readonly #reported = new Map<string, TaskState>();
  readonly #chains = new Map<string, Promise<void>>();
  readonly #watching = new Set<string>();
  #session: Promise<void> | undefined;

  constructor(o: AgentOptions) {
    this.#o = o;
    // Every running task's exit watch listens on this signal: thousands on a busy node are expected, not a leak.
    setMaxListeners(0, this.#abort.signal);
  }

  /** Finds this node's task containers, then follows the assignments. */
  start(): void {
    this.#session = this.#run().catch((e: unknown) => {
      if (!this.#abort.signal.aborted) this.#o.log.error({ err: e }, 'agent session ended');
    });
  }

  /** Stops following assignments; `removeContainers` (leaving the swarm) also removes every task container. */
  async stop(opts: { removeContainers?: boolean } = {}): Promise<void> {
    this.#abort.abort();
    await this.#session;
    await Promise.allSettled([...this.#chains.values()]);
    if (opts.removeContainers === true) {
      const all = await this.#taskContainers();
      await Promise.allSettled(all.map((c) => this.#o.engine.containers.remove(c.Id, { force: true })));
    }
  }

  async #taskContainers(): Promise<ContainerSummary[]> {
    return this.#o.engine.containers.list({ all: true, filters: { label: [TASK_ID_LABEL] } });
  }

  async #run(): Promise<void> {
    for (const c of await this.#taskContainers()) {
      const id = c.Labels?.[TASK_ID_LABEL];
      if (id !== undefined) this.#containers.set(id, c.Id);
    }
    for await (const a of this.#o.dispatcher.assignments(this.#o.nodeId, this.#abort.signal)) {
      if (a.full) {
        const keep = new Set(a.tasks.map((t) => t.ID));
        // Containers of tasks this node no longer has (removed while shoald was down): they go.
        for (const id of new Set([...this.#tasks.keys(), ...this.#containers.keys()])) {
          if (!keep.has(id)) {
            this.#tasks.delete(id);
            this.#enqueue(id);
          }
        }
      }
      for (const t of a.tasks) {
        this.#tasks.set(t.ID, t as AgentTask);
        this.#enqueue(t.ID);
      }
      for (const id of a.removed) {
        this.#tasks.delete(id);
        this.#enqueue(id);
      }
    }
  }

  #enqueue(id: string): void {
    const prev = this.#chains.get(id) ?? Promise.resolve();
    const next = prev.then(() => this.#reconcile(id)).catch((e: unknown) => {
      this.#o.log.warn({ err: e, task: id }, 'task reconcile failed');
    });
    this.#chains.set(id, next);
    void next.then(() => {
      if (this.#chains.get(id) === next) this.#chains.delete(id);
    });
  }

  #state(t: AgentTask): TaskState {
    const r = this.#reported.get(t.ID);
    return r !== undefined && stateRank(r) > stateRank(t.Status.State) ? r : t.Status.State;
  }

  async #report(t: AgentTask, state: TaskState, extra: Partial<TaskStatus> = {}): Promise<void> {
    if (this.#abort.signal.aborted) return;
    const cid = this.#containers.get(t.ID);
    const status: TaskStatus = {
      Timestamp: new Date(this.#o.now()).toISOString(), State: state, Message: STATE_MESSAGES[state] ?? state,
      ...(cid !== undefined ? { ContainerStatus: { ContainerID: cid, ExitCode: 0 } } : {}),
      ...extra,
    };
    await this.#o.dispatcher.updateTaskStatus(this.#o.nodeId, [{ taskId: t.ID, status }]);
    // Only a report that reached a manager counts: one lost while managers were away is made again on the next assignments.
    this.#reported.set(t.ID, state);
  }

  async #reconcile(id: string): Promise<void> {
    if (this.#abort.signal.aborted) return;
    const t = this.#tasks.get(id);
    const cid = this.#containers.get(id);
    if (t === undefined) {
      // No longer this node's: its container goes.
      this.#reported.delete(id);
      if (cid !== undefined) {
        await this.#o.engine.containers.remove(cid, { force: true }).catch(() => undefined);
        this.#containers.delete(id);
      }
      return;
    }
    const state = this.#state(t);
    if (stateRank(t.DesiredState) > stateRank('running')) {
      await this.#shutdown(t, cid, state);
      return;
    }
    if (hasEnded(state)) return;
    if (stateRank(state) < stateRank('accepted')) await this.#report(t, 'accepted');
    const container = cid ?? await this.#prepare(t);
    if (container === undefined || t.DesiredState !== 'running') return;
    const info = await this.#o.engine.containers.inspect(container).catch(() => undefined);
    if (info === undefined) {
      this.#containers.delete(id);
      await this.#report(t, 'failed', { Err: 'task container disappeared', Message: 'started' });
      return;
    }
    if (info.State.Running) {
      if (this.#state(t) !== 'running') await this.#report(t, 'running', { ContainerStatus: { ContainerID: container, PID: info.State.Pid, ExitCode: 0 }, ...portStatus(t) });
      this.#watch(t, container);
      return;
    }
    if (stateRank(this.#state(t)) >= stateRank('starting')) {
      // It ran and ended while no one watched (shoald was down).
      await this.#exited(t, container, info.State.ExitCode);
      return;
    }
    await this.#report(t, 'starting');
    try {
      await this.#o.engine.containers.start(container);
    } catch (e) {
      await this.#report(t, 'failed', { Message: 'starting', Err: `starting container failed: ${(e as Error).message}` });
      return;
    }
    const started = await this.#o.engine.containers.inspect(container);
    await this.#report(t, 'running', { ContainerStatus: { ContainerID: container, PID: started.State.Pid, ExitCode: 0 }, ...portStatus(t) });
    this.#watch(t, container);
  }

  /** Creates the task's container (the image must be on the node). */
  async #prepare(t: AgentTask): Promise<string | undefined> {
    await this.#report(t, 'preparing');
    const image = t.Spec.ContainerSpec?.Image ?? '';
    const found = await this.#o.engine.images.inspect(image).then(() => true, () => false);
    if (!found) {
      await this.#report(t, 'rejected', { Message: 'preparing', Err: `No such image: ${image}` });
      return undefined;
    }
    try {
      const { Id } = await this.#o.engine.containers.create(taskContainerName(t), taskCreateBody(t));
      this.#containers.set(t.ID, Id);
      await this.#report(t, 'ready');
      return Id;
    } catch (e) {
      await this.#report(t, 'rejected', { Message: 'preparing', Err: (e as Error).message });
      return undefined;
    }
  }

  async #shutdown(t: AgentTask, cid: string | undefined, state: TaskState): Promise<void> {
    if (cid !== undefined) {
      const info = await this.#o.engine.containers.inspect(cid).catch(() => undefined);
      if (info?.State.Running === true) await this.#o.engine.containers.stop(cid, { timeoutS: stopTimeoutS(t) }).catch(() => undefined);
    }
    if (!hasEnded(state)) await this.#report(t, 'shutdown');
  }

  /** Reports the task's end when its container stops on its own. */
  #watch(t: AgentTask, cid: string): void {
    if (this.#watching.has(t.ID)) return;
    this.#watching.add(t.ID);
    // Its end is handled in the task's turn: reconcile finds the container stopped.
    const done = (): void => {
      this.#watching.delete(t.ID);
      if (!this.#abort.signal.aborted) this.#enqueue(t.ID);
    };
    void this.#o.engine.containers.wait(cid, 'not-running', this.#abort.signal).then(done, done);
  }

  async #exited(t: AgentTask, cid: string, code: number): Promise<void> {
    if (hasEnded(this.#state(t))) return;
    if (code === 0) await this.#report(t, 'complete', { ContainerStatus: { ContainerID: cid, ExitCode: 0 } });
    else await this.#report(t, 'failed', { Message: 'started', Err: `task: non-zero exit (${code})`, ContainerStatus: { ContainerID: cid, ExitCode: code } });
  }
}
