// The agent against a fake engine and a scripted dispatcher: the states it
// reports for a task's life (as swarmkit's agent reports them), a missing
// image, an exit, a shutdown, a removal, and adoption after a restart.
import t from 'tap';
import type { ContainerInspect, Task, TaskStatus } from '@shoal/common';
import { silentLogger } from '@shoal/common';
import { Agent, type AgentEngine, type DispatcherClient } from './agent.js';

interface FakeContainer { id: string; name: string; labels: Record<string, string>; running: boolean; exit: number; stopped?: () => void }

function fakeEngine(images: string[]): AgentEngine & { containers: AgentEngine['containers'] & { all: Map<string, FakeContainer>; exit(id: string, code: number): void } } {
  const all = new Map<string, FakeContainer>();
  let n = 0;
  const inspect = (c: FakeContainer): ContainerInspect => ({ Id: c.id, State: { Running: c.running, Pid: c.running ? 4242 : 0, ExitCode: c.exit, Status: c.running ? 'running' : 'exited' } }) as unknown as ContainerInspect;
  const get = (id: string): FakeContainer => {
    const c = all.get(id);
    if (c === undefined) throw new Error(`No such container: ${id}`);
    return c;
  };
  return {
    images: { inspect: async (ref) => { if (!images.includes(ref)) throw new Error('no such image'); return {}; } },
    containers: {
      all,
      exit(id, code) {
        const c = get(id);
        c.running = false;
        c.exit = code;
        c.stopped?.();
      },
      create: async (name, body) => {
        const id = `c${++n}`;
        all.set(id, { id, name: name ?? id, labels: body.Labels ?? {}, running: false, exit: 0 });
        return { Id: id };
      },
      start: async (id) => { get(id).running = true; },
      stop: async (id) => { const c = get(id); c.running = false; c.exit = 0; c.stopped?.(); },
      remove: async (id) => { all.delete(id); },
      inspect: async (id) => inspect(get(id)),
      list: async () => [...all.values()].map((c) => ({ Id: c.id, Labels: c.labels })) as never,
      wait: (id, _cond, signal) => new Promise((resolve, reject) => {
        const c = get(id);
        if (!c.running) { resolve({ StatusCode: c.exit }); return; }
        c.stopped = () => resolve({ StatusCode: c.exit });
        signal?.addEventListener('abort', () => reject(new Error('aborted')), { once: true });
      }),
    },
  };
}

/** A dispatcher whose assignments the test pushes, recording the reports. */
function scripted(): DispatcherClient & { push(m: { full: boolean; tasks: Task[]; removed: string[] }): void; reports: Array<[string, TaskStatus]> } {
  const queue: Array<{ full: boolean; tasks: Task[]; removed: string[] }> = [];
  let wake: (() => void) | undefined;
  const reports: Array<[string, TaskStatus]> = [];
  return {
    reports,
    push(m) { queue.push(m); wake?.(); },
    async *assignments(_node, signal) {
      while (!signal.aborted) {
        const m = queue.shift();
        if (m !== undefined) { yield m; continue; }
        await new Promise<void>((r) => { wake = r; signal.addEventListener('abort', () => r(), { once: true }); });
      }
    },
    updateTaskStatus: async (_node, updates) => { for (const u of updates) reports.push([u.taskId, u.status]); },
  };
}

const task = (id: string, over: Partial<Task> & { image?: string } = {}): Task => ({
  ID: id, Version: { Index: 1 }, CreatedAt: '', UpdatedAt: '', Labels: {}, ServiceID: 's', Slot: 1, NodeID: 'n1',
  ServiceAnnotations: { Name: 'web' }, Spec: { ContainerSpec: { Image: over.image ?? 'busybox:latest' } },
  Status: { Timestamp: '', State: 'assigned', Message: '' }, DesiredState: 'running', ...over,
}) as Task;

const settle = async (): Promise<void> => { for (let i = 0; i < 30; i++) await new Promise((r) => setImmediate(r)); };
const states = (d: ReturnType<typeof scripted>, id: string): string[] => d.reports.filter(([x]) => x === id).map(([, s]) => s.State);

t.test('a task from assignment to running, its exit, shutdown and removal', async (t) => {
  const engine = fakeEngine(['busybox:latest']);
  const d = scripted();
  const agent = new Agent({ nodeId: 'n1', dispatcher: d, engine, log: silentLogger(), now: () => 0 });
  agent.start();
  t.teardown(() => agent.stop());
  d.push({ full: true, tasks: [task('a'), task('b', { image: 'nosuch:1' }), task('c', { Slot: 3 })], removed: [] });
  await settle();
  t.same(states(d, 'a'), ['accepted', 'preparing', 'ready', 'starting', 'running']);
  const running = d.reports.find(([x, s]) => x === 'a' && s.State === 'running')?.[1];
  t.match(running, { Message: 'started', ContainerStatus: { PID: 4242 } });
  t.same(states(d, 'b'), ['accepted', 'preparing', 'rejected']);
  t.match(d.reports.find(([x, s]) => x === 'b' && s.State === 'rejected')?.[1], { Message: 'preparing', Err: 'No such image: nosuch:1' });
  const names = [...engine.containers.all.values()].map((c) => c.name).sort();
  t.same(names, ['web.1.a', 'web.3.c']);

  // c exits with 1: failed, with Docker's error.
  const cid = [...engine.containers.all.values()].find((c) => c.name === 'web.3.c')?.id as string;
  engine.containers.exit(cid, 1);
  await settle();
  t.match(d.reports.filter(([x]) => x === 'c').pop()?.[1], { State: 'failed', Message: 'started', Err: 'task: non-zero exit (1)', ContainerStatus: { ExitCode: 1 } });

  // a is told to shut down: its container stops, then it is removed from the node.
  d.push({ full: false, tasks: [task('a', { DesiredState: 'shutdown', Status: { Timestamp: '', State: 'running', Message: '' } })], removed: [] });
  await settle();
  t.equal(states(d, 'a').pop(), 'shutdown');
  const aid = [...engine.containers.all.values()].find((c) => c.name === 'web.1.a') as FakeContainer;
  t.equal(aid.running, false, 'stopped');
  d.push({ full: false, tasks: [], removed: ['a'] });
  await settle();
  t.notOk(engine.containers.all.has(aid.id), 'its container is removed');
});

t.test('after a restart: a running task container is adopted, not recreated; strays are removed', async (t) => {
  const engine = fakeEngine(['busybox:latest']);
  const labels = (id: string): Record<string, string> => ({ 'com.docker.swarm.task.id': id });
  engine.containers.all.set('old', { id: 'old', name: 'web.1.a', labels: labels('a'), running: true, exit: 0 });
  engine.containers.all.set('stray', { id: 'stray', name: 'web.2.z', labels: labels('z'), running: true, exit: 0 });
  const d = scripted();
  const agent = new Agent({ nodeId: 'n1', dispatcher: d, engine, log: silentLogger(), now: () => 0 });
  agent.start();
  t.teardown(() => agent.stop());
  d.push({ full: true, tasks: [task('a', { Status: { Timestamp: '', State: 'running', Message: 'started' } })], removed: [] });
  await settle();
  t.same([...engine.containers.all.keys()], ['old'], 'the stray task container went; the running one stayed');
  t.same(states(d, 'a'), [], 'nothing to report: it still runs');
  engine.containers.exit('old', 0);
  await settle();
  t.same(states(d, 'a'), ['complete'], 'its end is still watched');
});
