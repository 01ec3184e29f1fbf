import fc from 'fast-check';
import t from 'tap';
import { checkKvHistory } from './linearizability.js';
import type { KvOp } from './linearizability.js';

const put = (key: string, value: string, call: number, ret: number): KvOp => ({ kind: 'put', key, value, call, ret });
const get = (key: string, value: string | undefined, call: number, ret: number): KvOp => ({ kind: 'get', key, value, call, ret });

t.test('rejects a stale read after a completed write (not linearizable)', async (t) => {
  const h = [put('x', '1', 1, 2), put('x', '2', 3, 4), get('x', '1', 5, 6)];
  t.same(checkKvHistory(h), { ok: false, badKeys: ['x'] });
});

t.test('rejects a read of a value never written', async (t) => {
  t.equal(checkKvHistory([put('x', '1', 1, 2), get('x', '7', 3, 4)]).ok, false);
});

t.test('rejects reads that see a write and then un-see it', async (t) => {
  // The write is concurrent with both reads, but once a read saw '1' a later read cannot see the old value.
  const h = [put('x', '1', 1, 10), get('x', '1', 2, 3), get('x', undefined, 4, 5)];
  t.equal(checkKvHistory(h).ok, false);
});

t.test('accepts concurrent operations that can be ordered', async (t) => {
  const h = [put('x', '1', 1, 10), get('x', undefined, 2, 3), get('x', '1', 4, 5), put('x', '2', 6, 20), get('x', '1', 7, 8), get('x', '2', 9, 11)];
  t.same(checkKvHistory(h), { ok: true, badKeys: [] });
});

t.test('a write with unknown outcome may take effect late or never', async (t) => {
  t.equal(checkKvHistory([put('x', '1', 1, Infinity), get('x', undefined, 2, 3), get('x', '1', 4, 5)]).ok, true);
  t.equal(checkKvHistory([put('x', '1', 1, Infinity), get('x', undefined, 2, 3)]).ok, true);
  // ...but not before it was invoked.
  t.equal(checkKvHistory([get('x', '1', 1, 2), put('x', '1', 3, Infinity)]).ok, false);
});

t.test('keys are checked independently', async (t) => {
  const h = [put('x', '1', 1, 2), put('y', '1', 1, 2), get('y', undefined, 3, 4), get('x', '1', 3, 4)];
  t.same(checkKvHistory(h), { ok: false, badKeys: ['y'] });
});

t.test('property: histories produced by a sequential register are linearizable; a mutated read is not', async (t) => {
  const opArb = fc.record({ put: fc.boolean(), key: fc.constantFrom('a', 'b'), overlap: fc.nat(3) });
  t.doesNotThrow(() => fc.assert(
    fc.property(fc.array(opArb, { minLength: 1, maxLength: 40 }), fc.nat(), (spec, pick) => {
      const state = new Map<string, string>();
      const hist: KvOp[] = [];
      spec.forEach((s, i) => {
        // Operation i takes effect at time 10*i+5, its interval is widened by `overlap`.
        const call = 10 * i + 5 - 10 * s.overlap;
        const ret = 10 * i + 5 + 10 * s.overlap;
        if (s.put) {
          state.set(s.key, `v${i}`);
          hist.push(put(s.key, `v${i}`, call, ret));
        } else hist.push(get(s.key, state.get(s.key), call, ret));
      });
      if (!checkKvHistory(hist).ok) return false;
      const reads = hist.filter((o) => o.kind === 'get');
      if (reads.length === 0) return true;
      const victim = reads[pick % reads.length]!;
      const mutated = hist.map((o) => (o === victim ? { ...o, value: 'never-written' } : o));
      return !checkKvHistory(mutated).ok;
    }),
    { seed: 42, numRuns: 300 },
  ));
});
