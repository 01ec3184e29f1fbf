/**
 * `npm run bench:raft`: three Raft nodes as separate processes over gRPC on
 * loopback, each with a real WAL (fdatasync) in a temporary directory.
 *
 * 1. throughput: closed-loop clients inside the leader process propose
 *    256-byte entries as fast as commit + apply on the leader allows;
 * 2. latency: an open loop at 1,000 proposals/s and 100 ReadIndex reads/s
 *    for 30 s, p50/p99 from each request's scheduled time;
 * 3. failover: kill -9 the leader process, time until a new leader commits.
 *
 * Default node timing (RaftNode defaults). Cleans up its processes and temp
 * dir whatever happens. Last line:
 * `raft: N proposals/s, p50 A ms, p99 X ms at 1000/s, read p99 R ms, failover Y ms`.
 */
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchCommand, BenchEvent } from './bench-protocol.js';

const here = dirname(fileURLToPath(import.meta.url));
const ids = ['r1', 'r2', 'r3'];
const SIZE = 256;
const MAX_SECONDS = Number(process.env.RAFT_BENCH_SECONDS ?? 5);
const CONCURRENCY = Number(process.env.RAFT_BENCH_CONCURRENCY ?? 2000);
const RATE = Number(process.env.RAFT_BENCH_RATE ?? 1000);
const READ_RATE = Number(process.env.RAFT_BENCH_READ_RATE ?? 100);
/** Extra node flags for the Raft node processes (e.g. GC tuning experiments). */
const NODE_ARGS = (process.env.RAFT_BENCH_NODE_ARGS ?? '').split(' ').filter((a) => a !== '');
const LATENCY_SECONDS = Number(process.env.RAFT_BENCH_LATENCY_SECONDS ?? 30);

interface Child {
  readonly id: string;
  readonly proc: ChildProcess;
  role: string;
}

const children = new Map<string, Child>();
const listeners = new Set<(e: BenchEvent) => void>();

function waitFor<T extends BenchEvent>(pred: (e: BenchEvent) => e is T, timeoutMs: number, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      listeners.delete(l);
      reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
    }, timeoutMs);
    const l = (e: BenchEvent): void => {
      if (!pred(e)) return;
      clearTimeout(timer);
      listeners.delete(l);
      resolve(e);
    };
    listeners.add(l);
  });
}

function command(id: string, c: BenchCommand): void {
  children.get(id)?.proc.send(c);
}

function currentLeader(): string | undefined {
  return [...children.values()].find((c) => c.role === 'leader')?.id;
}

async function leader(timeoutMs: number, not?: string): Promise<string> {
  const now = currentLeader();
  if (now !== undefined && now !== not) return now;
  const e = await waitFor((e): e is Extract<BenchEvent, { ev: 'soft' }> => e.ev === 'soft' && e.role === 'leader' && e.id !== not, timeoutMs, 'a leader');
  return e.id;
}

async function load(id: string, c: Extract<BenchCommand, { cmd: 'load-max' | 'load-rate' }>): Promise<Extract<BenchEvent, { ev: 'load-result' }>> {
  const result = waitFor((e): e is Extract<BenchEvent, { ev: 'load-result' }> => e.ev === 'load-result' && e.id === id, c.durationMs + 30_000, `${c.cmd} result`);
  command(id, c);
  return result;
}

/** p50/p99 of a 256-byte append + fdatasync on the bench's filesystem: the floor under commit latency. */
async function fsyncBaseline(dir: string): Promise<{ p50: number; p99: number }> {
  const path = join(dir, 'fsync-probe');
  const fh = await open(path, 'w');
  const lat: number[] = [];
  try {
    const buf = Buffer.alloc(SIZE, 1);
    for (let i = 0; i < 500; i++) {
      const t0 = performance.now();
      await fh.write(buf);
      await fh.datasync();
      lat.push(performance.now() - t0);
    }
  } finally {
    await fh.close();
    await rm(path, { force: true });
  }
  lat.sort((a, b) => a - b);
  return { p50: lat[250] ?? Number.NaN, p99: lat[495] ?? Number.NaN };
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'raft-bench-'));
  // Interrupted (Ctrl-C, kill): end the children we started and remove the temp dir before going.
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      for (const c of children.values()) c.proc.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
      process.exit(130);
    });
  }
  try {
    const fs = await fsyncBaseline(dir);
    console.log(`fdatasync of ${SIZE} B on ${dir}: p50 ${fs.p50.toFixed(2)} ms, p99 ${fs.p99.toFixed(2)} ms (each commit needs two in sequence: leader, then follower)`);
    for (const id of ids) {
      const proc = fork(join(here, 'raft-bench-node.ts'), [id, join(dir, id)], { execArgv: ['--import', 'tsx', ...NODE_ARGS], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      const child: Child = { id, proc, role: 'follower' };
      children.set(id, child);
      proc.on('message', (raw) => {
        const e = raw as BenchEvent;
        if (e.ev === 'soft') child.role = e.role;
        if (e.ev === 'error') console.error(`${e.id}: ${e.message}`);
        for (const l of [...listeners]) l(e);
      });
    }
    const ports = new Map<string, number>();
    await Promise.all(
      ids.map(async (id) => {
        const e = await waitFor((e): e is Extract<BenchEvent, { ev: 'listening' }> => e.ev === 'listening' && e.id === id, 30_000, `${id} listening`);
        ports.set(id, e.port);
      }),
    );
    for (const id of ids) {
      const peers = Object.fromEntries(ids.filter((p) => p !== id).map((p) => [p, `127.0.0.1:${ports.get(p)}`]));
      command(id, { cmd: 'start', peers, voters: ids });
    }
    const first = await leader(30_000);
    console.log(`leader: ${first}`);

    // Warm-up (JIT, connections), then the measured runs.
    await load(first, { cmd: 'load-max', durationMs: 1000, concurrency: CONCURRENCY, size: SIZE });
    const max = await load(first, { cmd: 'load-max', durationMs: MAX_SECONDS * 1000, concurrency: CONCURRENCY, size: SIZE });
    const perSecond = Math.round((max.committed * 1000) / max.elapsedMs);
    console.log(`throughput: ${max.committed} proposals of ${SIZE} B committed+applied in ${(max.elapsedMs / 1000).toFixed(2)} s with ${CONCURRENCY} clients: ${perSecond}/s (${max.errors} errors)`);

    const lat = await load(first, { cmd: 'load-rate', durationMs: LATENCY_SECONDS * 1000, rate: RATE, readRate: READ_RATE, size: SIZE });
    const p50 = lat.p50Ms ?? Number.NaN;
    const p99 = lat.p99Ms ?? Number.NaN;
    const readP99 = lat.readP99Ms ?? Number.NaN;
    console.log(
      `latency over ${LATENCY_SECONDS} s from each request's scheduled time: ${lat.committed} proposals at ${RATE}/s, p50 ${p50.toFixed(2)} ms, p99 ${p99.toFixed(2)} ms; ` +
        `${lat.reads ?? 0} ReadIndex reads at ${READ_RATE}/s, p50 ${(lat.readP50Ms ?? Number.NaN).toFixed(2)} ms, p99 ${readP99.toFixed(2)} ms (${lat.errors} errors)`,
    );

    // Failover: every survivor is told to propose as soon as it leads; then kill -9 the leader.
    const survivors = ids.filter((id) => id !== first);
    for (const id of survivors) command(id, { cmd: 'probe' });
    const committed = waitFor((e): e is Extract<BenchEvent, { ev: 'probe-committed' }> => e.ev === 'probe-committed', 30_000, 'a commit by a new leader');
    const killedAt = performance.now();
    children.get(first)?.proc.kill('SIGKILL');
    const by = await committed;
    const failover = performance.now() - killedAt;
    console.log(`failover: ${first} killed (SIGKILL), ${by.id} leads and committed after ${failover.toFixed(0)} ms`);

    console.log(`raft: ${perSecond} proposals/s, p50 ${p50.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms at ${RATE}/s, read p99 ${readP99.toFixed(1)} ms, failover ${failover.toFixed(0)} ms`);
  } finally {
    await cleanup();
    await rm(dir, { recursive: true, force: true });
  }
}

/** Stops every child: a graceful stop, then SIGKILL for any that is still there after 3 s. */
async function cleanup(): Promise<void> {
  await Promise.all(
    [...children.values()].map(
      (c) =>
        new Promise<void>((resolve) => {
          if (c.proc.exitCode !== null || c.proc.signalCode !== null) {
            resolve();
            return;
          }
          const force = setTimeout(() => c.proc.kill('SIGKILL'), 3000);
          c.proc.once('exit', () => {
            clearTimeout(force);
            resolve();
          });
          if (c.proc.connected) c.proc.send({ cmd: 'stop' } satisfies BenchCommand);
          else c.proc.kill('SIGKILL');
        }),
    ),
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
