import t from 'tap';
import { ManualClock } from '../clock/index.js';
import { JobGroup } from './job-group.js';

const deferred = (): { promise: Promise<void>; resolve: () => void } => {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => { resolve = r; });
  return { promise, resolve };
};

t.test('close cancels pending timers and waits for running jobs, including those they start', async (t) => {
  const clock = new ManualClock();
  const errors: unknown[] = [];
  const g = new JobGroup({ clock, onError: (e) => errors.push(e) });
  const ran: string[] = [];
  g.after(1000, async () => { ran.push('timer'); });
  const gate = deferred();
  g.run(async () => {
    await gate.promise;
    ran.push('job');
    g.run(async () => { ran.push('child'); });
  });
  t.equal(g.size, 2);
  let closed = false;
  const closing = g.close().then(() => { closed = true; });
  clock.advance(2000);
  await new Promise((r) => setImmediate(r));
  t.notOk(closed, 'close waits for the running job');
  gate.resolve();
  await closing;
  t.same(ran, ['job'], 'the timer was cancelled; a job started after close is refused');
  t.equal(g.size, 0);
  g.run(async () => { ran.push('late'); });
  g.after(0, async () => { ran.push('late timer'); });
  clock.advance(10);
  await new Promise((r) => setImmediate(r));
  t.same(ran, ['job'], 'nothing runs once closed');
  t.same(errors, []);
});

t.test('timers run their job once fired; a cancelled one never does; errors go to onError', async (t) => {
  const clock = new ManualClock();
  const errors: unknown[] = [];
  const g = new JobGroup({ clock, onError: (e) => errors.push(e) });
  const ran: number[] = [];
  g.after(10, async () => { ran.push(1); });
  const h = g.after(20, async () => { ran.push(2); });
  g.after(30, async () => { throw new Error('probe failed'); });
  h.cancel();
  clock.advance(50);
  await g.close();
  t.same(ran, [1]);
  t.match(errors, [{ message: 'probe failed' }]);
  const w = deferred();
  const g2 = new JobGroup({ clock, onError: (e) => errors.push(e) });
  g2.track(w.promise);
  let done = false;
  const c = g2.close().then(() => { done = true; });
  await new Promise((r) => setImmediate(r));
  t.notOk(done, 'a tracked watcher is waited for');
  w.resolve();
  await c;
  t.ok(done);
});
