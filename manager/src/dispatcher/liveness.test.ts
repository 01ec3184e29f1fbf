import t from 'tap';
import { ManualClock, silentLogger, type SwarmNode } from '@shoal/common';
import { node, T0, memoryStore } from '../testing/swarm-objects.js';
import { NodeLiveness } from './liveness.js';

const settle = async (): Promise<void> => { for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r)); };

t.test('heartbeats keep a node ready; three missed periods mark it down; the manager\'s own node is not watched', async (t) => {
  const clock = new ManualClock(T0);
  const store = memoryStore(clock);
  await store.update((tx) => {
    tx.create('nodes', node('self', { role: 'manager' }) as never);
    tx.create('nodes', { ...node('w1'), Status: { State: 'unknown', Addr: '10.0.0.2' } } as never);
    tx.create('nodes', node('w2') as never);
  });
  const live = new NodeLiveness({ store, clock, selfId: 'self', periodMs: () => 1000, log: silentLogger() });
  live.start();
  t.teardown(() => live.stop());
  const state = (id: string): string => (store.view((tx) => tx.get('nodes', id)) as unknown as SwarmNode).Status.State;
  await live.beat('w1');
  t.equal(state('w1'), 'ready', 'its first heartbeat makes a node ready');
  for (let i = 0; i < 3; i++) {
    clock.advance(1000);
    await settle();
    await live.beat('w1');
  }
  t.same([state('w1'), state('w2')], ['ready', 'ready'], 'within the grace of three periods nothing is down');
  clock.advance(1000);
  await settle();
  t.same([state('w1'), state('w2'), state('self')], ['ready', 'down', 'ready'], 'w2 never beat since the start: down after the grace; self is not watched');
  t.match(store.view((tx) => tx.get('nodes', 'w2')), { Status: { Message: 'heartbeat failure' } });
  for (let i = 0; i < 4; i++) {
    clock.advance(1000);
    await settle();
  }
  t.equal(state('w1'), 'down', 'w1 stopped beating');
  await live.beat('w1');
  t.equal(state('w1'), 'ready', 'and is ready again when it comes back');
});
