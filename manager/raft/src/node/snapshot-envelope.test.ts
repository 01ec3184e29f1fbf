import t from 'tap';
import { unwrapSnapshotData, wrapSnapshotData } from './snapshot-envelope.js';

t.test('addresses travel with the application data', async (t) => {
  const app = Uint8Array.from([1, 2, 3, 0, 255]);
  const wrapped = wrapSnapshotData({ n1: '10.0.0.1:4000', n2: '[::1]:4001' }, app);
  const { addresses, app: back } = unwrapSnapshotData(wrapped);
  t.same(addresses, { n1: '10.0.0.1:4000', n2: '[::1]:4001' });
  t.same(Array.from(back), Array.from(app));
});

t.test('bare data (no envelope) is passed through', async (t) => {
  const app = new TextEncoder().encode('{"plain":true}');
  t.same(unwrapSnapshotData(app), { addresses: {}, app });
  t.same(unwrapSnapshotData(new Uint8Array(0)).app.length, 0);
});

t.test('a damaged envelope is refused with a typed error', async (t) => {
  const wrapped = wrapSnapshotData({ n1: 'a:1' }, new Uint8Array(4));
  t.throws(() => unwrapSnapshotData(wrapped.subarray(0, 9)), { code: 'RAFT_CODEC_INVALID' });
});
