import t from 'tap';
import { JobGroup, ManualClock } from '@shoal/common';
import { RestartSupervisor } from './restart-supervisor.js';

const cfg = { initialMs: 100, maxMs: 400, resetAfterMs: 10_000 };
const settle = (): Promise<void> => new Promise((r) => setImmediate(r));

t.test('back-off grows, caps, and starts over after a long run or a user start', async (t) => {
  const sup = new RestartSupervisor({ jobs: new JobGroup({ clock: new ManualClock(), onError: (e) => { throw e; } }), backoff: cfg });
  t.same([sup.nextDelay('a', 0), sup.nextDelay('a', 0), sup.nextDelay('a', 0), sup.nextDelay('a', 0)], [100, 200, 400, 400]);
  t.equal(sup.nextDelay('a', 20_000), 100, 'a run of 10 s or more resets it');
  t.equal(sup.nextDelay('b', 0), 100, 'per container');
  sup.nextDelay('a', 0);
  sup.reset('a');
  t.equal(sup.nextDelay('a', 0), 100);
});

t.test('a scheduled restart runs once after its delay, unless cancelled', async (t) => {
  const clock = new ManualClock();
  const sup = new RestartSupervisor({ jobs: new JobGroup({ clock, onError: (e) => { throw e; } }), backoff: cfg });
  const ran: string[] = [];
  sup.nextDelay('a', 0);
  sup.nextDelay('a', 0);
  sup.schedule('a', async () => { ran.push('a'); });
  t.ok(sup.pending('a'));
  clock.advance(199);
  await settle();
  t.same(ran, [], 'not before its delay (200 ms)');
  clock.advance(1);
  await settle();
  t.same(ran, ['a']);
  t.notOk(sup.pending('a'), 'not pending once it ran');
  sup.schedule('a', async () => { ran.push('again'); });
  t.ok(sup.cancel('a'));
  t.notOk(sup.cancel('a'), 'nothing left to cancel');
  sup.schedule('b', async () => { ran.push('b'); });
  sup.cancelAll();
  sup.schedule('c', async () => { ran.push('c'); });
  sup.forget('c');
  clock.advance(10_000);
  await settle();
  t.same(ran, ['a'], 'cancelled, daemon-stopped and forgotten restarts never run');
});
