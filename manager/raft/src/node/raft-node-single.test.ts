import t from 'tap';
import type { Entry, Snapshot } from '../core/index.js';
import { GrpcTransport } from '../transport/index.js';
import type { TimerHandle, Timers } from '../transport/index.js';
import { RaftNode } from './raft-node.js';

/** Timers that fire only when the test advances them. */
class ManualTimers implements Timers {
  #now = 0;
  #seq = 0;
  #timers: Array<{ at: number; id: number; fn: () => void }> = [];

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const id = ++this.#seq;
    this.#timers.push({ at: this.#now + ms, id, fn });
    return { cancel: () => void (this.#timers = this.#timers.filter((x) => x.id !== id)) };
  }

  advance(ms: number): void {
    const target = this.#now + ms;
    for (;;) {
      this.#timers.sort((a, b) => a.at - b.at || a.id - b.id);
      const next = this.#timers[0];
      if (next === undefined || next.at > target) break;
      this.#timers.shift();
      this.#now = next.at;
      next.fn();
    }
    this.#now = target;
  }
}

class Numbers {
  items: number[] = [];
  restoredFrom = 0;
  apply(e: Entry): void {
    this.items.push(new DataView(e.data.buffer, e.data.byteOffset).getUint32(0));
  }
  snapshot(): Uint8Array {
    return new TextEncoder().encode(JSON.stringify(this.items));
  }
  restore(s: Snapshot): void {
    this.items = JSON.parse(new TextDecoder().decode(s.data)) as number[];
    this.restoredFrom = s.meta.index;
  }
}

const num = (n: number): Uint8Array => {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n);
  return b;
};

async function openSolo(dir: string, timers: ManualTimers, sm: Numbers): Promise<RaftNode> {
  const transport = await GrpcTransport.listen({ id: 'solo' });
  return RaftNode.open({ id: 'solo', dir, transport, stateMachine: sm, bootstrap: ['solo'], timers, tickMs: 50, electionTicks: 10, snapshotEvery: 100, keepEntries: 10 });
}

/** Advances the manual clock tick by tick, letting the driver loop run between ticks, until elected. */
async function elect(node: RaftNode, timers: ManualTimers): Promise<number> {
  const elected = becomesLeader(node);
  let ticks = 0;
  while (!node.isLeader && ticks < 100) {
    timers.advance(50);
    ticks++;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  await elected;
  return ticks;
}

function becomesLeader(node: RaftNode): Promise<void> {
  return new Promise((resolve) => {
    const off = node.onSoftState((s) => {
      if (s.role === 'leader') {
        off();
        resolve();
      }
    });
  });
}

t.test('an injected clock drives elections; concurrent proposals share fdatasyncs; state survives a restart', async (t) => {
  const dir = t.testdir();
  const timers = new ManualTimers();
  const sm = new Numbers();
  const node = await openSolo(dir, timers, sm);
  const ac = new AbortController();
  const running = node.run(ac.signal);
  t.teardown(() => node.stop());

  t.equal(node.isLeader, false, 'no election before the clock moves');
  await t.rejects(node.propose(num(0)), { code: 'RAFT_NOT_LEADER' });
  const ticks = await elect(node, timers);
  // Randomised timeout in [10, 20) ticks, counted from the first tick after the bootstrap entries applied.
  t.ok(ticks >= 10 && ticks <= 21, `elected after ${ticks} ticks`);
  t.equal(node.leader, 'solo');

  const before = node.storageStats().syncs;
  const results = await Promise.all(Array.from({ length: 300 }, (_, i) => node.propose(num(i))));
  const syncs = node.storageStats().syncs - before;
  t.ok(syncs <= 10, `300 concurrent proposals took ${syncs} fdatasyncs (group commit)`);
  t.same(sm.items, Array.from({ length: 300 }, (_, i) => i), 'applied in proposal order');
  t.same(results.map((r) => r.index), [...results.map((r) => r.index)].sort((a, b) => a - b));
  await node.readIndex();

  // Abort: run() resolves, new requests fail with a typed error.
  ac.abort();
  await running;
  await t.rejects(node.propose(num(1)), { code: 'RAFT_NODE_STOPPED' });

  // Restart from the same directory: snapshot restored, the rest of the log re-applied.
  const sm2 = new Numbers();
  const timers2 = new ManualTimers();
  const again = await openSolo(dir, timers2, sm2);
  t.ok(sm2.restoredFrom >= 100, `restored from the snapshot at ${sm2.restoredFrom}`);
  const running2 = again.run();
  await elect(again, timers2);
  const c = await again.propose(num(300));
  t.ok(c.index > results[299]!.index);
  t.same(sm2.items, Array.from({ length: 301 }, (_, i) => i), 'nothing lost, nothing applied twice');
  await again.stop();
  await running2;
});

t.test('a node refuses to start on a corrupt WAL and says where', async (t) => {
  const dir = t.testdir();
  const sm = new Numbers();
  const timers = new ManualTimers();
  const node = await openSolo(dir, timers, sm);
  const running = node.run();
  await elect(node, timers);
  for (let i = 0; i < 5; i++) await node.propose(num(i));
  await node.stop();
  await running;

  const { readdir, readFile, writeFile } = await import('node:fs/promises');
  const { join } = await import('node:path');
  const [seg] = (await readdir(join(dir, 'wal'))).filter((n) => n.endsWith('.wal'));
  const path = join(dir, 'wal', seg as string);
  const bytes = await readFile(path);
  bytes[60] = (bytes[60] as number) ^ 0xff; // inside an early record, valid records follow
  await writeFile(path, bytes);
  const transport = await GrpcTransport.listen({ id: 'solo' });
  t.teardown(() => transport.close());
  await t.rejects(RaftNode.open({ id: 'solo', dir, transport, stateMachine: new Numbers() }), {
    code: 'RAFT_WAL_CORRUPT',
    details: { file: path },
  });
});

t.test('a state machine that throws stops the node; run() rejects with its error', async (t) => {
  const dir = t.testdir();
  const timers = new ManualTimers();
  const sm = new Numbers();
  const node = await openSolo(dir, timers, sm);
  const running = node.run();
  await elect(node, timers);
  const boom = new Error('apply failed');
  sm.apply = () => {
    throw boom;
  };
  const [run, pending] = await Promise.allSettled([running, node.propose(num(1))]);
  t.match(run, { status: 'rejected', reason: boom });
  t.match(pending, { status: 'rejected', reason: { code: 'RAFT_NODE_STOPPED' } });
  await t.rejects(node.propose(num(2)), { code: 'RAFT_NODE_STOPPED' });
});
