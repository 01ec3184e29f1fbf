import t from 'tap';
import { Coalescer } from './coalescer.js';

t.test('calls during a run share one next run; every caller sees a run that started after it', async (t) => {
  let state = 0;
  const seen: number[] = [];
  let release: (() => void) | null = null;
  const c = new Coalescer(async () => {
    seen.push(state);
    await new Promise<void>((r) => (release = r));
  });
  state = 1;
  const a = c.run();
  await Promise.resolve();
  await Promise.resolve();
  state = 2;
  const b = c.run();
  state = 3;
  const d = c.run();
  t.equal(b, d, 'queued callers share the pending run');
  const releaseNext = async () => {
    while (release === null) await new Promise((r) => setImmediate(r));
    const r = release as () => void;
    release = null;
    r();
  };
  await releaseNext();
  await a;
  await releaseNext();
  await Promise.all([b, d]);
  t.same(seen, [1, 3], 'two runs for three calls; the second saw the latest state');
});

t.test('a failed run rejects its callers but not later ones', async (t) => {
  let fail = true;
  const c = new Coalescer(async () => {
    if (fail) throw new Error('boom');
  });
  await t.rejects(c.run(), /boom/);
  fail = false;
  await c.run();
  t.pass('later run succeeds');
});
