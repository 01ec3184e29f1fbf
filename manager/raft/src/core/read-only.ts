import type { NodeId } from './types.js';

/** A ReadIndex request waiting for a heartbeat quorum. */
export interface ReadRequest {
  readonly key: string;
  readonly context: Uint8Array;
  /** The leader's commit index when the request arrived. */
  readonly index: number;
  /** Who asked: the leader itself or the follower that forwarded it. */
  readonly requester: NodeId;
  readonly acks: Set<NodeId>;
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** A string key for a read context (contexts are compared by bytes). */
export function contextKey(ctx: Uint8Array): string {
  let s = '';
  for (const b of ctx) s += HEX[b]!;
  return s;
}

/**
 * Pending ReadIndex requests in arrival order (etcd's readOnly, safe mode).
 * A heartbeat acknowledged by a quorum for request r also confirms every
 * request queued before r, since the leader's leadership was confirmed after
 * they arrived.
 */
export class ReadOnlyQueue {
  #queue: ReadRequest[] = [];
  #byKey = new Map<string, ReadRequest>();

  /** Queue a request; a context already pending is ignored (contexts must be unique). */
  add(index: number, context: Uint8Array, requester: NodeId, self: NodeId): boolean {
    const key = contextKey(context);
    if (this.#byKey.has(key)) return false;
    const req: ReadRequest = { key, context, index, requester, acks: new Set([self]) };
    this.#queue.push(req);
    this.#byKey.set(key, req);
    return true;
  }

  /** Record that `from` acknowledged a heartbeat carrying `context`; returns the ackers so far. */
  recvAck(from: NodeId, context: Uint8Array): ReadonlySet<NodeId> | undefined {
    const req = this.#byKey.get(contextKey(context));
    if (req === undefined) return undefined;
    req.acks.add(from);
    return req.acks;
  }

  /** Remove and return every request up to and including the one with `context`. */
  advance(context: Uint8Array): ReadRequest[] {
    const key = contextKey(context);
    const at = this.#queue.findIndex((r) => r.key === key);
    if (at < 0) return [];
    const done = this.#queue.slice(0, at + 1);
    this.#queue = this.#queue.slice(at + 1);
    for (const r of done) this.#byKey.delete(r.key);
    return done;
  }

  /** The context of the newest pending request (re-sent with each heartbeat). */
  lastPendingContext(): Uint8Array | undefined {
    return this.#queue[this.#queue.length - 1]?.context;
  }

  get size(): number {
    return this.#queue.length;
  }

  reset(): void {
    this.#queue = [];
    this.#byKey.clear();
  }
}
