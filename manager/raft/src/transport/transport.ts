import type { Message, NodeId } from '../core/types.js';

/**
 * How a Raft node exchanges messages with its peers (declared for the
 * driver). Delivery is best effort: messages may be dropped (queue full,
 * peer down) and Raft retries; order per peer is preserved while a stream
 * stays up.
 */
export interface Transport {
  /** Queues messages for their `to` peers; never blocks, never throws for a down peer. */
  send(messages: readonly Message[]): void;
  /** Sets the handler of messages addressed to this node. */
  onMessage(handler: (message: Message) => void): void;
  /** Sets the handler called when a peer could not be reached (the driver reports it to the core). */
  onUnreachable(handler: (peer: NodeId) => void): void;
  /** Adds or updates a peer's address. */
  addPeer(id: NodeId, address: string): void;
  /** Forgets a peer and closes its stream. */
  removePeer(id: NodeId): void;
  /** Stops listening and closes every stream. */
  close(): Promise<void>;
}

/** A cancellable timer. */
export interface TimerHandle {
  cancel(): void;
}

/** Timers, injected (reconnect backoff). */
export interface Timers {
  setTimeout(fn: () => void, ms: number): TimerHandle;
}

/** Timers backed by the global setTimeout; unref'd so they never keep a process alive. */
export const systemTimers: Timers = {
  setTimeout(fn, ms) {
    const t = setTimeout(fn, ms);
    t.unref();
    return { cancel: () => clearTimeout(t) };
  },
};
