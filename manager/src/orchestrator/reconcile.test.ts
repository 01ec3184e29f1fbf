import fc from 'fast-check';
import t from 'tap';
import type { Service, SwarmNode, Task } from '@shoal/common';
import { ids, iso, node, nodeMap, service, T0, task } from '../testing/swarm-objects.js';
import { reap } from './reaper.js';
import { reconcileService } from './reconcile.js';
import type { Plan } from './plan.js';

const S = 1e9;
const newId = ids();
const run = (svc: Service, tasks: Task[], nodes: Map<string, SwarmNode>, now = T0): Plan => reconcileService({ service: svc, tasks, nodes, now, newId });
const created = (p: Plan): Array<[number | string | undefined, string]> => p.create.map((c) => [c.Slot ?? c.NodeID, c.DesiredState]);
const desired = (p: Plan): Record<string, string> => Object.fromEntries([...p.update.values()].map((u) => [u.ID, u.DesiredState]));

/** Applies a plan as the store and an obliging agent would: new tasks exist, and every task reaches the state it is desired in. */
function settle(tasks: Task[], p: Plan, now: number, nodes?: Map<string, SwarmNode>): Task[] {
  const ready = [...(nodes?.values() ?? [])].find((n) => n.Status.State === 'ready')?.ID ?? 'n1';
  const byId = new Map(tasks.map((x) => [x.ID, x]));
  for (const u of p.update.values()) byId.set(u.ID, u);
  for (const c of p.create) byId.set(c.ID, { ...c, Version: { Index: 1 }, CreatedAt: iso(now), UpdatedAt: iso(now) });
  return [...byId.values()].map((x) => {
    if (x.DesiredState === 'running' && x.Status.State !== 'running' && !['complete', 'failed', 'shutdown', 'rejected'].includes(x.Status.State)) {
      return { ...x, NodeID: x.NodeID ?? ready, Status: { ...x.Status, State: 'running', Timestamp: iso(now) } };
    }
    if ((x.DesiredState === 'shutdown' || x.DesiredState === 'remove') && !['complete', 'failed', 'shutdown', 'rejected'].includes(x.Status.State)) {
      return { ...x, Status: { ...x.Status, State: 'shutdown', Timestamp: iso(now) } };
    }
    return x;
  });
}

t.test('a new replicated service gets its slots; extra slots go, the least useful first', async (t) => {
  const nodes = nodeMap(node('n1'), node('n2'));
  const svc = service('s');
  t.same(created(run(svc, [], nodes)), [[1, 'running'], [2, 'running'], [3, 'running']]);
  const p = run(svc, [], nodes);
  t.match(p.create[0], { ServiceID: 's', Status: { State: 'new', Message: 'created' }, ServiceAnnotations: { Name: 'svc-s' }, Spec: { ContainerSpec: { Image: 'busybox:latest' } } });
  // Scale 4 -> 2: slot 4 is pending, slot 3 is on the busier node: they go, as `remove`.
  const four = [task(svc, 'a', { slot: 1, node: 'n1' }), task(svc, 'b', { slot: 2, node: 'n2' }), task(svc, 'c', { slot: 3, node: 'n1' }), task(svc, 'd', { slot: 4, state: 'pending' })];
  const down = run(service('s', { Mode: { Replicated: { Replicas: 2 } } }), four, nodes);
  t.same(desired(down), { c: 'remove', d: 'remove' });
  t.same(down.create, []);
  // Scale up fills the lowest free slot numbers.
  const up = run(service('s', { Mode: { Replicated: { Replicas: 4 } } }), [task(svc, 'a', { slot: 1 }), task(svc, 'c', { slot: 3 })], nodes);
  t.same(created(up), [[2, 'running'], [4, 'running']]);
});

t.test('restart policy: condition, delay, max attempts, node loss', async (t) => {
  const nodes = nodeMap(node('n1'), node('n2', { state: 'down' }), node('n3', { availability: 'drain' }));
  const one = (policy: Record<string, unknown>): Service => service('s', { Mode: { Replicated: { Replicas: 1 } }, TaskTemplate: { ContainerSpec: { Image: 'x' }, RestartPolicy: policy } });
  const failed = (svc: Service): Task => task(svc, 'f', { slot: 1, node: 'n1', state: 'failed' });
  const done = (svc: Service): Task => task(svc, 'f', { slot: 1, node: 'n1', state: 'complete' });

  // Default (any, 5 s): the failed task is shut down, its successor waits 5 s.
  let svc = one({});
  let p = run(svc, [failed(svc)], nodes, T0 + 1000);
  t.same(desired(p), { f: 'shutdown' });
  t.same(created(p), [[1, 'ready']]);
  t.equal(p.create[0]?.StartAfter, T0 + 6000);
  t.equal(p.wakeAt, T0 + 6000);
  const waiting = settle([failed(svc)], p, T0 + 1000);
  t.same(desired(run(svc, waiting, nodes, T0 + 5999)), {}, 'not before the delay');
  t.same(desired(run(svc, waiting, nodes, T0 + 6000)), { [p.create[0]?.ID as string]: 'running' }, 'started once the delay is over');

  svc = one({ Condition: 'none' });
  p = run(svc, [failed(svc)], nodes);
  t.same([desired(p), p.create.length], [{ f: 'shutdown' }, 0], 'none: shut down, not replaced');
  t.same(run(svc, settle([failed(svc)], p, T0), nodes).empty, true, 'and the settled slot counts as the replica');

  svc = one({ Condition: 'on-failure', Delay: 0 });
  t.same(created(run(svc, [done(svc)], nodes)), [], 'on-failure: exit 0 is not restarted');
  t.same(created(run(svc, [failed(svc)], nodes)), [[1, 'running']], 'on-failure: a failure is, at once with no delay');

  svc = one({ MaxAttempts: 2, Delay: 0 });
  const history = [task(svc, 'h1', { slot: 1, state: 'failed', desired: 'shutdown', created: T0 - 3000 }), task(svc, 'h2', { slot: 1, state: 'failed', desired: 'shutdown', created: T0 - 2000 })];
  t.same(created(run(svc, [...history, failed(svc)], nodes)), [], 'max attempts 2: a third failure stays down');
  t.same(created(run(svc, [history[1] as Task, failed(svc)], nodes)), [[1, 'running']], 'one restart so far: one more');
  svc = one({ MaxAttempts: 2, Delay: 0, Window: 1500 * 1e6 });
  t.same(created(run(svc, [...history, failed(svc)], nodes)), [[1, 'running']], 'attempts outside the window do not count');

  // A node that went down, or is drained: the task is shut down and replaced at once, even with a delay.
  svc = one({ Delay: 10 * S });
  for (const n of ['n2', 'n3', 'gone']) {
    p = run(svc, [task(svc, 'r', { slot: 1, node: n })], nodes);
    t.same([desired(p), created(p)], [{ r: 'shutdown' }, [[1, 'running']]], `task on ${n}`);
  }
  t.same(run(svc, [task(svc, 'r', { slot: 1, node: 'n1' })], nodes).empty, true, 'a healthy slot: nothing to do');
});

t.test('global: a task on every eligible node; drained, down, paused and constrained nodes', async (t) => {
  const g = service('g', { Mode: { Global: {} }, TaskTemplate: { ContainerSpec: { Image: 'x' }, Placement: { Constraints: ['node.labels.run!=no'] } } });
  const nodes = nodeMap(node('n1'), node('n2', { availability: 'drain' }), node('n3', { availability: 'pause' }), node('n4', { labels: { run: 'no' } }), node('n5', { state: 'down' }), node('n6'));
  const tasks = [task(g, 'a', { node: 'n1' }), task(g, 'b', { node: 'n2' }), task(g, 'c', { node: 'n3' }), task(g, 'd', { node: 'n4' }), task(g, 'e', { node: 'gone' })];
  const p = run(g, tasks, nodes);
  t.same(desired(p), { b: 'shutdown', d: 'shutdown', e: 'remove' });
  t.same(created(p), [['n6', 'running']], 'the new node gets one; the paused one keeps its task and gets none');
});

t.test('rolling update, stop-first, parallelism 1: one slot at a time, UpdateStatus as Docker', async (t) => {
  const nodes = nodeMap(node('n1'));
  const v1 = { ContainerSpec: { Image: 'x:1' } };
  const svc = service('s', { Mode: { Replicated: { Replicas: 2 } }, TaskTemplate: { ContainerSpec: { Image: 'x:2' } }, UpdateConfig: { Parallelism: 1, Delay: 2 * S, Monitor: 5 * S, Order: 'stop-first' } }, { PreviousSpec: { TaskTemplate: v1 } });
  let tasks = [task(svc, 'a', { slot: 1, node: 'n1', spec: v1 }), task(svc, 'b', { slot: 2, node: 'n1', spec: v1 })];
  let now = T0 + 10_000;
  let p = run(svc, tasks, nodes, now);
  t.match(p.service?.UpdateStatus, { State: 'updating', Message: 'update in progress', StartedAt: iso(now) });
  t.same([desired(p), created(p)], [{ a: 'shutdown' }, [[1, 'ready']]], 'slot 1: the old task stops before the new one may start');
  let cur: Service = p.service as Service;
  const first = p.create[0]?.ID as string;
  tasks = settle(tasks, p, now);
  p = run(cur, tasks, nodes, now);
  t.same(desired(p), { [first]: 'running' }, 'old ended: the new one starts');
  tasks = settle(tasks, p, now);
  now += 1000;
  p = run(cur, tasks, nodes, now);
  t.same([p.create.length, p.wakeAt], [0, now + 1000], 'slot 2 waits out the 2 s delay');
  now += 1000;
  p = run(cur, tasks, nodes, now);
  t.same([desired(p), created(p)], [{ b: 'shutdown' }, [[2, 'ready']]]);
  tasks = settle(settle(tasks, p, now), run(cur, settle(tasks, p, now), nodes, now), now);
  now += 4000;
  p = run(cur, tasks, nodes, now);
  t.equal(p.service, undefined, 'not complete within the monitor window');
  t.equal(p.wakeAt, now + 1000);
  now += 1000;
  p = run(cur, tasks, nodes, now);
  t.match(p.service?.UpdateStatus, { State: 'completed', Message: 'update completed', CompletedAt: iso(now) });
  cur = p.service as Service;
  t.same(run(cur, tasks, nodes, now + 60_000).empty, true, 'then nothing more to do');
});

t.test('start-first: the new task starts beside the old one, which stops once it runs', async (t) => {
  const nodes = nodeMap(node('n1'));
  const v1 = { ContainerSpec: { Image: 'x:1' } };
  const svc = service('s', { Mode: { Replicated: { Replicas: 1 } }, TaskTemplate: { ContainerSpec: { Image: 'x:2' } }, UpdateConfig: { Parallelism: 1, Order: 'start-first', Monitor: 0 } }, { PreviousSpec: { TaskTemplate: v1 }, UpdateStatus: { State: 'updating', StartedAt: iso(T0), Message: 'update in progress' } });
  let tasks = [task(svc, 'a', { slot: 1, node: 'n1', spec: v1 })];
  let p = run(svc, tasks, nodes);
  t.same([desired(p), created(p)], [{}, [[1, 'running']]]);
  tasks = settle(tasks, p, T0 + 1);
  p = run(svc, tasks, nodes, T0 + 1);
  t.same(desired(p), { a: 'shutdown' });
  t.match(p.service?.UpdateStatus, { State: 'completed' });
});

t.test('a failing update rolls back on its own, or pauses', async (t) => {
  const nodes = nodeMap(node('n1'));
  const v1 = { ContainerSpec: { Image: 'x:1' } };
  const mk = (action: 'rollback' | 'pause'): Service => service('s', { Mode: { Replicated: { Replicas: 2 } }, TaskTemplate: { ContainerSpec: { Image: 'bad' } }, UpdateConfig: { Parallelism: 1, FailureAction: action } },
    { PreviousSpec: { Name: 'svc-s', Mode: { Replicated: { Replicas: 2 } }, TaskTemplate: v1 }, UpdateStatus: { State: 'updating', StartedAt: iso(T0), Message: 'update in progress' } });
  const svc = mk('rollback');
  const tasks = [task(svc, 'a', { slot: 1, node: 'n1', spec: v1, state: 'shutdown', desired: 'shutdown' }), task(svc, 'n', { slot: 1, node: 'n1', state: 'failed', at: T0 + 500, created: T0 + 100 }), task(svc, 'b', { slot: 2, node: 'n1', spec: v1 })];
  let p = run(svc, tasks, nodes, T0 + 1000);
  t.match(p.service, { Spec: { TaskTemplate: v1 }, PreviousSpec: { TaskTemplate: { ContainerSpec: { Image: 'bad' } } }, UpdateStatus: { State: 'rollback_started', Message: 'update rolled back due to failure or early termination of task n' } });
  // The rollback then brings slot 1 back to the old spec.
  p = run(p.service as Service, settle(tasks, p, T0 + 1000), nodes, T0 + 1000);
  t.match(p.create.map((c) => c.Spec.ContainerSpec?.Image), ['x:1']);
  p = run(mk('pause'), tasks, nodes, T0 + 1000);
  t.match(p.service?.UpdateStatus, { State: 'paused', Message: 'update paused due to failure or early termination of task n' });
});

t.test('reaper: removed tasks once stopped, and the history limit per slot', async (t) => {
  const nodes = nodeMap(node('n1'), node('n2', { state: 'down' }));
  const svc = service('s');
  const tasks = [
    task(svc, 'gone1', { slot: 4, node: 'n1', desired: 'remove', state: 'shutdown' }),
    task(svc, 'busy', { slot: 5, node: 'n1', desired: 'remove', state: 'running' }),
    task(svc, 'lost', { slot: 6, node: 'n2', desired: 'remove', state: 'running' }),
    task(svc, 'never', { slot: 7, desired: 'remove', state: 'pending' }),
    ...[1, 2, 3, 4].map((i) => task(svc, `h${i}`, { slot: 1, node: 'n1', desired: 'shutdown', state: 'failed', created: T0 + i })),
    task(svc, 'live', { slot: 1, node: 'n1', created: T0 + 10 }),
  ];
  t.same(reap(tasks, nodes, 3).sort(), ['gone1', 'h1', 'h2', 'lost', 'never']);
  t.same(reap(tasks, nodes, -1).sort(), ['gone1', 'lost', 'never']);
});

t.test('property: after failures, node losses and scaling, a service converges to its replicas', async (t) => {
  fc.assert(fc.property(
    fc.integer({ min: 0, max: 8 }), fc.array(fc.record({ kind: fc.constantFrom('fail', 'complete', 'scale', 'nodedown'), n: fc.integer({ min: 0, max: 9 }) }), { maxLength: 12 }),
    (start, events) => {
      let nodes = nodeMap(node('n1'), node('n2'));
      let svc = service('s', { Mode: { Replicated: { Replicas: start } }, TaskTemplate: { ContainerSpec: { Image: 'x' }, RestartPolicy: { Delay: 0 } } });
      let tasks: Task[] = [];
      let now = T0;
      const newId = ids('t');
      const converge = (): boolean => {
        for (let i = 0; i < 10; i++) {
          const p = reconcileService({ service: svc, tasks, nodes, now, newId });
          if (p.empty) return true;
          tasks = settle(tasks, p, now, nodes);
          tasks = tasks.filter((x) => !reap(tasks, nodes, 5).includes(x.ID));
          now += 1;
        }
        return false;
      };
      for (const e of [...events, undefined]) {
        if (!converge()) return false;
        const live = tasks.filter((x) => x.DesiredState === 'running');
        if (live.length !== svc.Spec.Mode?.Replicated?.Replicas) return false;
        if (new Set(live.map((x) => x.Slot)).size !== live.length) return false;
        if (!live.every((x) => x.Status.State === 'running')) return false;
        if (e === undefined) break;
        const victim = live[e.n % Math.max(1, live.length)];
        if (e.kind === 'scale') svc = { ...svc, Spec: { ...svc.Spec, Mode: { Replicated: { Replicas: e.n } } } };
        else if (e.kind === 'nodedown') nodes = nodeMap(node('n1', { state: 'down' }), node('n2'));
        else if (victim !== undefined) tasks = tasks.map((x) => (x.ID === victim.ID ? { ...x, Status: { ...x.Status, State: e.kind === 'fail' ? 'failed' : 'complete' } } : x));
        now += 1000;
      }
      return true;
    },
  ), { numRuns: 300 });
  t.pass('converged in every run');
});
