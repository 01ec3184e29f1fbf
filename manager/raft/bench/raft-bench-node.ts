/**
 * One Raft node of the benchmark, run as its own process by raft-bench.ts
 * (argv: id, data dir). A tiny counting state machine; the load generators
 * run here, inside the leader process, and measure commit + apply.
 */
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { GrpcTransport, RaftNode } from '../src/index.js';
import type { Entry, Snapshot } from '../src/index.js';
import type { BenchCommand, BenchEvent } from './bench-protocol.js';

const [id, dir] = process.argv.slice(2);
if (id === undefined || dir === undefined || process.send === undefined) {
  throw new Error('usage: raft-bench-node.ts <id> <dir> (forked with an IPC channel)');
}
const send = (e: BenchEvent): void => {
  process.send?.(e);
};

/** Counts applied entries and their bytes; the snapshot is the two counters. */
class CountingMachine {
  entries = 0;
  bytes = 0;
  apply(e: Entry): void {
    this.entries++;
    this.bytes += e.data.length;
  }
  snapshot(): Uint8Array {
    return new TextEncoder().encode(JSON.stringify({ entries: this.entries, bytes: this.bytes }));
  }
  restore(s: Snapshot): void {
    const o = JSON.parse(new TextDecoder().decode(s.data)) as { entries: number; bytes: number };
    this.entries = o.entries;
    this.bytes = o.bytes;
  }
}

const transport = await GrpcTransport.listen({ id });
let node: RaftNode | undefined;
let running: Promise<void> | undefined;
send({ ev: 'listening', id, port: transport.port });

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

async function loadMax(n: RaftNode, durationMs: number, concurrency: number, size: number): Promise<void> {
  const payload = new Uint8Array(size).fill(0x61);
  let committed = 0;
  let errors = 0;
  const start = performance.now();
  const deadline = start + durationMs;
  const client = async (): Promise<void> => {
    while (performance.now() < deadline) {
      try {
        await n.propose(payload);
        committed++;
      } catch {
        errors++;
        if (!n.isLeader) return;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, client));
  send({ ev: 'load-result', id: n.id, committed, errors, elapsedMs: performance.now() - start });
}

/**
 * Open loop: proposal i is due at start + i / rate, read j at start + j /
 * readRate (ReadIndex on the leader). Latency counts from the due time, not
 * from when the loop got round to sending it, so a stalled sender (timer
 * lateness, GC, event-loop stalls) cannot hide its own delay.
 */
async function loadRate(n: RaftNode, durationMs: number, rate: number, readRate: number, size: number): Promise<void> {
  const payload = new Uint8Array(size).fill(0x62);
  const latencies: number[] = [];
  const readLatencies: number[] = [];
  const inflight: Array<Promise<void>> = [];
  let errors = 0;
  const loopDelay = monitorEventLoopDelay({ resolution: 5 });
  loopDelay.enable();
  // GC pauses stall everything in flight: count them next to the latencies.
  const gcPauses: number[] = [];
  const gc = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) gcPauses.push(e.duration);
  });
  gc.observe({ entryTypes: ['gc'] });
  const syncsBefore = n.storageStats().syncs;
  const start = performance.now();
  let issued = 0;
  let reads = 0;
  const total = Math.round((rate * durationMs) / 1000);
  const totalReads = Math.round((readRate * durationMs) / 1000);
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const elapsed = performance.now() - start;
      // Request i is due at start + i / rate: those due by now number floor(elapsed * rate) + 1.
      for (const due = Math.min(total, Math.floor((elapsed * rate) / 1000) + 1); issued < due; issued++) {
        const scheduled = start + (issued * 1000) / rate;
        inflight.push(
          n.propose(payload).then(
            () => void latencies.push(performance.now() - scheduled),
            () => void errors++,
          ),
        );
      }
      for (const due = Math.min(totalReads, Math.floor((elapsed * readRate) / 1000) + 1); reads < due; reads++) {
        const scheduled = start + (reads * 1000) / readRate;
        inflight.push(
          n.readIndex().then(
            () => void readLatencies.push(performance.now() - scheduled),
            () => void errors++,
          ),
        );
      }
      if (issued >= total && reads >= totalReads) {
        clearInterval(timer);
        resolve();
      }
    }, 1);
  });
  await Promise.all(inflight);
  loopDelay.disable();
  gc.disconnect();
  latencies.sort((a, b) => a - b);
  readLatencies.sort((a, b) => a - b);
  const longGc = gcPauses.filter((d) => d > 2);
  const slow = latencies.filter((l) => l > 10).length;
  console.error(
    `[${n.id}] event-loop delay p99 ${(loopDelay.percentile(99) / 1e6).toFixed(1)} ms, max ${(loopDelay.max / 1e6).toFixed(1)} ms; ` +
      `${n.storageStats().syncs - syncsBefore} fdatasyncs; ${slow} proposals over 10 ms; max ${(latencies.at(-1) ?? 0).toFixed(1)} ms; ` +
      `${gcPauses.length} GC pauses, ${longGc.length} over 2 ms (${longGc.reduce((a, d) => a + d, 0).toFixed(0)} ms in all), max ${Math.max(0, ...gcPauses).toFixed(1)} ms`,
  );
  send({
    ev: 'load-result',
    id: n.id,
    committed: latencies.length,
    errors,
    elapsedMs: performance.now() - start,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    reads: readLatencies.length,
    readP50Ms: percentile(readLatencies, 50),
    readP99Ms: percentile(readLatencies, 99),
  });
}

function probe(n: RaftNode): void {
  let inFlight = false;
  const attempt = (): void => {
    if (inFlight || !n.isLeader) return;
    inFlight = true;
    n.propose(new TextEncoder().encode('probe')).then(
      () => {
        off();
        send({ ev: 'probe-committed', id: n.id });
      },
      () => {
        inFlight = false; // lost leadership again: wait for the next change
      },
    );
  };
  const off = n.onSoftState(attempt);
  attempt();
}

async function stop(): Promise<void> {
  await node?.stop();
  await running?.catch(() => undefined);
  if (node === undefined) await transport.close();
  if (process.connected) process.disconnect();
}

// The parent went away (crashed or interrupted): stop too, never linger.
process.on('disconnect', () => {
  stop().catch(() => undefined);
});

process.on('message', (raw) => {
  const c = raw as BenchCommand;
  const fail = (err: unknown): void => send({ ev: 'error', id, message: String(err) });
  switch (c.cmd) {
    case 'start':
      RaftNode.open({ id, dir, transport, stateMachine: new CountingMachine(), peers: c.peers, bootstrap: c.voters }).then((n) => {
        node = n;
        n.onSoftState((s) => send({ ev: 'soft', id, role: s.role, leader: s.leader }));
        running = n.run();
        running.catch(fail);
      }, fail);
      return;
    case 'load-max':
      if (node !== undefined) loadMax(node, c.durationMs, c.concurrency, c.size).catch(fail);
      return;
    case 'load-rate':
      if (node !== undefined) loadRate(node, c.durationMs, c.rate, c.readRate, c.size).catch(fail);
      return;
    case 'probe':
      if (node !== undefined) probe(node);
      return;
    case 'stop':
      stop().catch(fail);
      return;
  }
});
