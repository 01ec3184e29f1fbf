/** IPC messages between raft-bench.ts (parent) and raft-bench-node.ts (one per Raft node). */

/** Parent -> node. */
export type BenchCommand =
  | { readonly cmd: 'start'; readonly peers: Readonly<Record<string, string>>; readonly voters: readonly string[] }
  /** Closed loop: `concurrency` clients each propose, await, repeat, for `durationMs`. */
  | { readonly cmd: 'load-max'; readonly durationMs: number; readonly concurrency: number; readonly size: number }
  /** Open loop at fixed rates (proposals, ReadIndex reads); reports latency percentiles from the scheduled times. */
  | { readonly cmd: 'load-rate'; readonly durationMs: number; readonly rate: number; readonly readRate: number; readonly size: number }
  /** As soon as this node is leader, propose one entry and report when it is committed and applied. */
  | { readonly cmd: 'probe' }
  | { readonly cmd: 'stop' };

/** Node -> parent. */
export type BenchEvent =
  | { readonly ev: 'listening'; readonly id: string; readonly port: number }
  | { readonly ev: 'soft'; readonly id: string; readonly role: string; readonly leader: string }
  | {
      readonly ev: 'load-result';
      readonly id: string;
      readonly committed: number;
      readonly errors: number;
      readonly elapsedMs: number;
      readonly p50Ms?: number;
      readonly p99Ms?: number;
      readonly reads?: number;
      readonly readP50Ms?: number;
      readonly readP99Ms?: number;
    }
  | { readonly ev: 'probe-committed'; readonly id: string }
  | { readonly ev: 'error'; readonly id: string; readonly message: string };
