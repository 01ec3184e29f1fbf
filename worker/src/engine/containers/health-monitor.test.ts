import t from 'tap';
import { JobGroup, ManualClock, silentLogger } from '@shoal/common';
import { HealthMonitor, type ProbedRun } from './health-monitor.js';
import type { HealthState } from './health.js';

const settle = async (): Promise<void> => { for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r)); };

function setup(exitCodes: number[]) {
  const clock = new ManualClock(1_000_000);
  const jobs = new JobGroup({ clock, onError: () => undefined });
  const mon = new HealthMonitor({ jobs, clock, log: silentLogger() });
  const seen: HealthState[] = [];
  const state = { current: true, paused: false, health: undefined as HealthState | undefined, execs: 0 };
  const run: ProbedRun = {
    id: 'c1', startedAtMs: clock.now(),
    isCurrent: () => state.current, paused: () => state.paused, health: () => state.health,
    exec: async () => ({ exitCode: exitCodes[state.execs++] ?? 0, output: 'out', timedOut: false }),
    record: async (_prev, next) => { state.health = next; seen.push(next); },
  };
  return { clock, jobs, mon, run, seen, state };
}

t.test('the first probe comes one interval after the start; retries failures make it unhealthy', async (t) => {
  const { clock, jobs, mon, run, seen } = setup([1, 1, 0]);
  mon.watch(run, { cmd: ['true'], intervalMs: 1000, timeoutMs: 500, retries: 2, startPeriodMs: 0 });
  clock.advance(999);
  await settle();
  t.equal(seen.length, 0, 'nothing before one interval');
  for (let i = 0; i < 3; i++) { clock.advance(1000); await settle(); }
  t.same(seen.map((h) => [h.Status, h.FailingStreak]), [['starting', 1], ['unhealthy', 2], ['healthy', 0]]);
  await jobs.close();
});

t.test('a paused container is not probed; a run that ended stops its probes; close ends everything', async (t) => {
  const { clock, jobs, mon, run, seen, state } = setup([0, 0, 0]);
  mon.watch(run, { cmd: ['true'], intervalMs: 100, timeoutMs: 50, retries: 3, startPeriodMs: 0 });
  state.paused = true;
  clock.advance(100);
  await settle();
  t.equal(state.execs, 0, 'paused: no exec');
  state.paused = false;
  clock.advance(100);
  await settle();
  t.equal(seen.length, 1);
  state.current = false;
  clock.advance(500);
  await settle();
  t.equal(seen.length, 1, 'no probe for a run that ended');
  state.current = true;
  mon.watch(run, { cmd: ['true'], intervalMs: 100, timeoutMs: 50, retries: 3, startPeriodMs: 0 });
  await jobs.close();
  clock.advance(1000);
  await settle();
  t.equal(seen.length, 1, 'closed: the pending probe never runs');
});
