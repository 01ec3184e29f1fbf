import type { NodeId } from './types.js';

/** A ReadIndex request waiting for a heartbeat quorum. */
export interface ReadRequest {
  /** The leader's own id for this request's heartbeat round (see {@link ReadOnlyQueue}). */
  readonly token: Uint8Array;
  readonly key: string;
  /** The requester's context, handed back with the answer (not required to be unique). */
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

const encoder = new TextEncoder();

/**
 * Pending ReadIndex requests in arrival order (etcd's readOnly, safe mode).
 * A heartbeat acknowledged by a quorum for request r also confirms every
 * request queued before r, since the leader's leadership was confirmed after
 * they arrived.
 *
 * The heartbeats do not carry the requester's context but a token the
 * leader makes for each request, `<term>:<seq>`, unique for every request
 * any leader ever queues (one leader per term; `seq` only grows in a
 * process, and a restarted node leads again only in a later term). So an
 * acknowledgement counts only for the round it answers: a late or
 * duplicated ack of an earlier request can never confirm a later one, even
 * when two requesters chose the same context, and equal contexts are both
 * served rather than one dropped.
 */
export class ReadOnlyQueue {
  #queue: ReadRequest[] = [];
  #byKey = new Map<string, ReadRequest>();
  #seq = 0;

  /** A fresh token for a heartbeat round of this leader's (never equal to an earlier one). */
  nextToken(term: number): Uint8Array {
    return encoder.encode(`${term}:${++this.#seq}`);
  }

  /** Queue a request; returns the token its heartbeat round carries. */
  add(index: number, context: Uint8Array, requester: NodeId, self: NodeId, term: number): Uint8Array {
    const token = this.nextToken(term);
    const key = contextKey(token);
    const req: ReadRequest = { token, key, context, index, requester, acks: new Set([self]) };
    this.#queue.push(req);
    this.#byKey.set(key, req);
    return token;
  }

  /** Record that `from` acknowledged the heartbeat round `token`; returns the ackers so far. */
  recvAck(from: NodeId, token: Uint8Array): ReadonlySet<NodeId> | undefined {
    const req = this.#byKey.get(contextKey(token));
    if (req === undefined) return undefined;
    req.acks.add(from);
    return req.acks;
  }

  /** Remove and return every request up to and including the one of `token`. */
  advance(token: Uint8Array): ReadRequest[] {
    const key = contextKey(token);
    const at = this.#queue.findIndex((r) => r.key === key);
    if (at < 0) return [];
    const done = this.#queue.slice(0, at + 1);
    this.#queue = this.#queue.slice(at + 1);
    for (const r of done) this.#byKey.delete(r.key);
    return done;
  }

  /** The token of the newest pending request (re-sent with each heartbeat). */
  lastPendingToken(): Uint8Array | undefined {
    return this.#queue[this.#queue.length - 1]?.token;
  }

  get size(): number {
    return this.#queue.length;
  }

  /** Drop every pending request (the token sequence goes on). */
  reset(): void {
    this.#queue = [];
    this.#byKey.clear();
  }
}
