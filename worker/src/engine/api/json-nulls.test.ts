import t from 'tap';
import { dropJsonNulls } from './json-nulls.js';

t.test('null-valued properties go, at any depth; array elements stay', async (t) => {
  t.same(dropJsonNulls({ a: null, b: 1, c: { d: null, e: [null, { f: null, g: 'x' }] } }), { b: 1, c: { e: [null, { g: 'x' }] } });
  t.equal(dropJsonNulls(null), null);
  t.equal(dropJsonNulls('s'), 's');
  t.same(dropJsonNulls([]), []);
  t.same(dropJsonNulls({ Cmd: [] }), { Cmd: [] }, 'an explicit empty list is kept');
});
