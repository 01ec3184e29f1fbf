/**
 * A worker's dispatcher session with a manager over the cluster port: the
 * same calls as the manager's Dispatcher (assignments, status
 * reports), plus the session and its heartbeats. A broken stream is opened
 * again (the next manager of the list first, with a backoff); the first
 * message after a reconnect is the full set of assignments, so the agent
 * converges to the managers' view. While no manager answers, the agent
 * keeps its tasks running.
 */
import * as grpc from '@grpc/grpc-js';
import { cluster, type Logger, type Task, type TaskStatus } from '@shoal/common';
import type { DispatcherClient } from './agent.js';
import { callUnary, dispatcherClient, type ClusterClient, type NodeTls } from '@shoal/manager';

export interface RemoteDispatcherOptions {
  /** Cluster addresses of the managers (host:port); the first is tried first. */
  managers: string[];
  tls: NodeTls;
  log: Logger;
}

/** Waits `ms`, or less if `signal` aborts; leaves no listener behind either way (the heartbeat loop sleeps for hours). */
const sleep = (ms: number, signal: AbortSignal): Promise<void> => new Promise((resolve) => {
  const done = (): void => {
    clearTimeout(t);
    signal.removeEventListener('abort', done);
    resolve();
  };
  const t = setTimeout(done, ms);
  signal.addEventListener('abort', done, { once: true });
});

/** The dispatcher of the managers, reached over the network. */
export class RemoteDispatcher implements DispatcherClient {
  readonly #o: RemoteDispatcherOptions;
  #managers: string[];
  #index = 0;
  #client: ClusterClient | undefined;
  #periodMs = 1000;
  #heartbeat: AbortController | undefined;

  constructor(o: RemoteDispatcherOptions) {
    this.#o = o;
    this.#managers = [...o.managers];
  }

  /** The managers this node knows (the session updates the list). */
  get managers(): string[] {
    return [...this.#managers];
  }

  #current(): ClusterClient {
    if (this.#client === undefined) this.#client = dispatcherClient(this.#managers[this.#index % this.#managers.length] as string, this.#o.tls);
    return this.#client;
  }

  /** Moves to the next manager. */
  #failover(): void {
    this.#client?.close();
    this.#client = undefined;
    this.#index++;
  }

  /** Opens a session (learns the heartbeat period and the managers) and keeps it beating. */
  async #session(signal: AbortSignal): Promise<void> {
    const c = this.#current();
    const first = await new Promise<cluster.SessionResponse>((resolve, reject) => {
      const stream = (c.session as (req: unknown, md: grpc.Metadata) => grpc.ClientReadableStream<cluster.SessionResponse>).call(c, cluster.create(cluster.SessionRequestSchema, {}), new grpc.Metadata());
      // A manager that neither answers nor refuses within 10 s counts as gone.
      const timer = setTimeout(() => { stream.cancel(); reject(new Error('no answer to the session request')); }, 10_000);
      stream.once('data', (m: cluster.SessionResponse) => { clearTimeout(timer); resolve(m); });
      stream.once('error', (e) => { clearTimeout(timer); reject(e); });
      signal.addEventListener('abort', () => { clearTimeout(timer); stream.cancel(); }, { once: true });
    });
    if (first.heartbeatPeriodMs > 0) this.#periodMs = first.heartbeatPeriodMs;
    if (first.managers.length > 0) this.#managers = [...new Set([...first.managers, ...this.#managers])];
    this.#heartbeat?.abort();
    const beat = new AbortController();
    this.#heartbeat = beat;
    signal.addEventListener('abort', () => beat.abort(), { once: true });
    void (async () => {
      while (!beat.signal.aborted) {
        await sleep(this.#periodMs, beat.signal);
        if (beat.signal.aborted) return;
        try {
          const r = await callUnary<cluster.HeartbeatResponse>(c, 'heartbeat', cluster.create(cluster.HeartbeatRequestSchema, {}), Math.max(1000, this.#periodMs * 2));
          if (r.periodMs > 0) this.#periodMs = r.periodMs;
        } catch (e) {
          this.#o.log.debug({ err: e }, 'heartbeat failed');
        }
      }
    })();
  }

  async *assignments(_nodeId: string, signal: AbortSignal): AsyncGenerator<{ full: boolean; tasks: Task[]; removed: string[] }> {
    let backoff = 100;
    while (!signal.aborted) {
      const attempt = new AbortController();
      const cancel = (): void => attempt.abort();
      signal.addEventListener('abort', cancel, { once: true });
      try {
        await this.#session(attempt.signal);
        const c = this.#current();
        const stream = (c.assignments as (req: unknown, md: grpc.Metadata) => grpc.ClientReadableStream<cluster.AssignmentsResponse>)
          .call(c, cluster.create(cluster.AssignmentsRequestSchema, {}), new grpc.Metadata());
        attempt.signal.addEventListener('abort', () => stream.cancel(), { once: true });
        for await (const m of stream as AsyncIterable<cluster.AssignmentsResponse>) {
          backoff = 100;
          yield { full: m.full, tasks: m.tasks.map((t) => cluster.taskFromProto(t)), removed: [...m.removed] };
        }
      } catch (e) {
        if (signal.aborted) break;
        this.#o.log.warn({ err: e, manager: this.#managers[this.#index % this.#managers.length] }, 'dispatcher session lost; trying again');
      } finally {
        signal.removeEventListener('abort', cancel);
        attempt.abort();
      }
      if (signal.aborted) break;
      this.#failover();
      await sleep(backoff, signal);
      backoff = Math.min(backoff * 2, 2000);
    }
    this.#heartbeat?.abort();
    this.#client?.close();
    this.#client = undefined;
  }

  async updateTaskStatus(_nodeId: string, updates: ReadonlyArray<{ taskId: string; status: TaskStatus }>): Promise<void> {
    const request = cluster.create(cluster.UpdateTaskStatusRequestSchema, { updates: updates.map((u) => ({ taskId: u.taskId, status: cluster.statusToProto(u.status) })) });
    // A report must not be lost to a manager's hiccup: a few tries, then the next full assignment set reconciles.
    for (let i = 0; i < 5; i++) {
      try {
        await callUnary(this.#current(), 'updateTaskStatus', request);
        return;
      } catch (e) {
        if (i === 4) throw e;
        await new Promise((r) => setTimeout(r, 200 * (i + 1)));
      }
    }
  }
}
