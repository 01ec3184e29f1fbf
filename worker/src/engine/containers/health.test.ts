import t from 'tap';
import { applyProbe, initialHealth, probeSpec } from './health.js';

const e = (code: number) => ({ Start: 's', End: 'e', ExitCode: code, Output: '' });

t.test('probe spec from HEALTHCHECK', async (t) => {
  t.equal(probeSpec(undefined), null);
  t.equal(probeSpec({ Test: ['NONE'] }), null);
  t.same(probeSpec({ Test: ['CMD-SHELL', 'curl -f localhost'] }), { cmd: ['/bin/sh', '-c', 'curl -f localhost'], intervalMs: 30000, timeoutMs: 30000, retries: 3, startPeriodMs: 0 });
  t.same(probeSpec({ Test: ['CMD', 'true'], Interval: 1e9, Timeout: 2e9, Retries: 5, StartPeriod: 3e9 }), { cmd: ['true'], intervalMs: 1000, timeoutMs: 2000, retries: 5, startPeriodMs: 3000 });
});

t.test('health state machine', async (t) => {
  let h = initialHealth();
  h = applyProbe(h, e(1), { retries: 2, inStartPeriod: true });
  t.same([h.Status, h.FailingStreak], ['starting', 0], 'failures in the start period do not count');
  h = applyProbe(h, e(1), { retries: 2, inStartPeriod: false });
  t.same([h.Status, h.FailingStreak], ['starting', 1]);
  h = applyProbe(h, e(1), { retries: 2, inStartPeriod: false });
  t.same([h.Status, h.FailingStreak], ['unhealthy', 2]);
  h = applyProbe(h, e(0), { retries: 2, inStartPeriod: false });
  t.same([h.Status, h.FailingStreak], ['healthy', 0]);
  for (let i = 0; i < 10; i++) h = applyProbe(h, e(0), { retries: 2, inStartPeriod: false });
  t.equal(h.Log.length, 5, 'the log keeps 5 probes');
  h = applyProbe(h, e(1), { retries: 2, inStartPeriod: true });
  t.same([h.Status, h.FailingStreak], ['healthy', 1], 'the start period only shields a starting container');
});
