// The leader's loop over a real store (committed at once, no Raft): the
// control API makes a service, the loop makes and places its tasks, a fake
// agent follows its dispatcher session and reports states, and the service
// converges; then scale, a failure with its restart delay on a manual
// clock, an update, an unsatisfiable constraint and removal.
import t from 'tap';
import { ManualClock, silentLogger, type Service, type Task } from '@shoal/common';
import { ServiceControl } from '../control/services.js';
import { Dispatcher } from '../dispatcher/dispatcher.js';
import type { Store } from '../store/index.js';
import { node, T0, memoryStore } from '../testing/swarm-objects.js';
import { ControlLoop } from './control-loop.js';

interface Harness {
  store: Store;
  clock: ManualClock;
  control: ServiceControl;
  /** The tasks the fake agent of a node holds, by id. */
  held: Map<string, Task>;
  /** Makes the agent's task fail (exit 1). */
  fail(taskId: string): Promise<void>;
  settled(): Promise<void>;
  stop(): Promise<void>;
}

async function harness(nodes: string[]): Promise<Harness> {
  const clock = new ManualClock(T0);
  const store = memoryStore(clock);
  await store.update((tx) => {
    tx.create('clusters', { ID: 'c', Spec: { Name: 'default', Orchestration: { TaskHistoryRetentionLimit: 3 } } });
    for (const id of nodes) tx.create('nodes', { ...node(id), ID: id } as never);
  });
  let r = 0;
  const random = (k: number): Uint8Array => {
    const b = new Uint8Array(k);
    new DataView(b.buffer).setUint32(0, ++r);
    return b;
  };
  const control = new ServiceControl({ store, clock, random });
  const dispatcher = new Dispatcher({ store, clock });
  let ids = 0;
  const loop = new ControlLoop({ store, clock, newId: () => `task${String(++ids).padStart(4, '0')}`, log: silentLogger(), clusterId: 'c' });
  loop.start();
  const held = new Map<string, Task>();
  const abort = new AbortController();
  const report = (task: Task, State: Task['Status']['State'], extra: Partial<Task['Status']> = {}): Promise<void> =>
    dispatcher.updateTaskStatus(task.NodeID as string, [{ taskId: task.ID, status: { Timestamp: new Date(clock.now()).toISOString(), State, Message: State, ...extra } }]);
  // A fake agent per node: runs what it is told to, stops what it is told to stop.
  for (const id of nodes) {
    void (async () => {
      for await (const a of dispatcher.assignments(id, abort.signal)) {
        for (const task of a.tasks) {
          held.set(task.ID, task);
          const ended = ['complete', 'failed', 'shutdown', 'rejected'].includes(task.Status.State);
          if (task.DesiredState === 'running' && task.Status.State === 'assigned') await report(task, 'running');
          else if (task.DesiredState !== 'running' && task.DesiredState !== 'ready' && !ended) await report(task, 'shutdown');
        }
        for (const gone of a.removed) held.delete(gone);
      }
    })();
  }
  const settled = async (): Promise<void> => {
    for (let i = 0; i < 50; i++) await new Promise((res) => setImmediate(res));
  };
  return {
    store, clock, control, held, settled,
    fail: async (taskId) => { await report(held.get(taskId) as Task, 'failed', { Err: 'task: non-zero exit (1)' }); },
    stop: async () => { abort.abort(); await loop.stop(); },
  };
}

const running = (h: Harness, service: string): Task[] => h.control.listTasks({ service: [service] }).filter((x) => x.DesiredState === 'running' && x.Status.State === 'running');

t.test('create, converge, scale, fail and restart, update, pending, remove', async (t) => {
  const h = await harness(['n1', 'n2', 'n3']);
  t.teardown(() => h.stop());
  const { ID } = await h.control.createService({ Name: 'web', TaskTemplate: { ContainerSpec: { Image: 'busybox' }, RestartPolicy: { Condition: 'any', Delay: 2e9 } }, Mode: { Replicated: { Replicas: 6 } } });
  await h.settled();
  const tasks = running(h, 'web');
  t.equal(tasks.length, 6, 'six tasks run');
  t.same([...new Set(tasks.map((x) => x.Slot))].sort(), [1, 2, 3, 4, 5, 6], 'one per slot');
  const perNode = new Map<string, number>();
  for (const x of tasks) perNode.set(x.NodeID as string, (perNode.get(x.NodeID as string) ?? 0) + 1);
  t.same([...perNode.values()], [2, 2, 2], 'spread evenly over the three nodes');
  t.same(h.control.listServices({}, true)[0]?.ServiceStatus, { RunningTasks: 6, DesiredTasks: 6, CompletedTasks: 0 });
  t.notOk('ServiceAnnotations' in (tasks[0] as object), 'the API does not show the agent\'s fields');

  // Scale down to 2 and back up to 3.
  let svc = h.control.getService(ID);
  await h.control.updateService(ID, svc.Version.Index, { ...svc.Spec, Mode: { Replicated: { Replicas: 2 } } });
  await h.settled();
  t.equal(running(h, 'web').length, 2);
  t.equal(h.control.listTasks({ service: ['web'] }).length, 2, 'the scaled-away tasks are reaped once stopped');

  // A failure: shut down, replaced after the 2 s restart delay, in the same slot.
  const victim = running(h, 'web')[0] as Task;
  await h.fail(victim.ID);
  await h.settled();
  t.equal(running(h, 'web').length, 1, 'one fewer while the delay runs');
  h.clock.advance(2000);
  await h.settled();
  const after = running(h, 'web');
  t.equal(after.length, 2, 'back to two after the delay');
  t.ok(after.some((x) => x.Slot === victim.Slot && x.ID !== victim.ID), 'the successor has the failed task\'s slot');
  t.match(h.control.getTask(victim.ID), { DesiredState: 'shutdown', Status: { State: 'failed', Err: 'task: non-zero exit (1)' } });

  // An update rolls both tasks to the new spec, one at a time, then completes after its monitor.
  svc = h.control.getService(ID);
  await h.control.updateService(ID, svc.Version.Index, { ...svc.Spec, UpdateConfig: { Parallelism: 1, Monitor: 1e9 }, TaskTemplate: { ...svc.Spec.TaskTemplate, ContainerSpec: { Image: 'busybox', Env: ['V=2'] } } });
  for (let i = 0; i < 4; i++) {
    await h.settled();
    h.clock.advance(1000);
  }
  await h.settled();
  const updated = running(h, 'web');
  t.same(updated.map((x) => x.Spec.ContainerSpec?.Env), [['V=2'], ['V=2']], 'every task runs the new spec');
  t.match(h.control.getService(ID).UpdateStatus, { State: 'completed', Message: 'update completed' });
  t.equal(h.control.getService(ID).PreviousSpec?.TaskTemplate?.ContainerSpec?.Env, undefined, 'the previous spec is kept');

  // A stale version is Docker's "update out of sequence"; nothing changes.
  await t.rejects(h.control.updateService(ID, svc.Version.Index, svc.Spec), { code: 'STORE_OUT_OF_SEQUENCE', message: 'update out of sequence' });

  // An unsatisfiable constraint: pending, with the reason.
  await h.control.createService({ Name: 'nowhere', TaskTemplate: { ContainerSpec: { Image: 'busybox' }, Placement: { Constraints: ['node.labels.zone==mars'] } }, Mode: { Replicated: { Replicas: 1 } } });
  await h.settled();
  t.match(h.control.listTasks({ service: ['nowhere'] }), [{ Status: { State: 'pending', Err: 'no suitable node (scheduling constraints not satisfied on 3 nodes)' } }]);

  // Removal: the tasks stop and go.
  await h.control.removeService('web');
  await h.settled();
  t.same(h.control.listTasks({ service: [ID] }), []);
  t.throws(() => h.control.getService('web'), { code: 'CONTROL_SERVICE_NOT_FOUND', message: 'service web not found' });
});

t.test('global service: one task per node, a node drained loses it', async (t) => {
  const h = await harness(['n1', 'n2']);
  t.teardown(() => h.stop());
  await h.control.createService({ Name: 'agent', TaskTemplate: { ContainerSpec: { Image: 'busybox' } }, Mode: { Global: {} } });
  await h.settled();
  t.same(running(h, 'agent').map((x) => x.NodeID).sort(), ['n1', 'n2']);
  const n2 = h.store.view((tx) => tx.get('nodes', 'n2')) as unknown as Service;
  await h.store.update((tx) => tx.update('nodes', { ...structuredClone(n2), Spec: { ...structuredClone(n2.Spec), Availability: 'drain' } } as never));
  await h.settled();
  t.same(running(h, 'agent').map((x) => x.NodeID), ['n1']);
  t.same(h.control.listServices({}, true)[0]?.ServiceStatus, { RunningTasks: 1, DesiredTasks: 1, CompletedTasks: 0 });
});
