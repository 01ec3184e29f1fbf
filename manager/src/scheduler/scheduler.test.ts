import fc from 'fast-check';
import t from 'tap';
import type { Task } from '@shoal/common';
import { node, service, task } from '../testing/swarm-objects.js';
import { nodeMatches, parseConstraints } from './constraints.js';
import { schedule, type Decision } from './scheduler.js';

const pending = (svc: ReturnType<typeof service>, id: string, extra: { node?: string } = {}): Task => task(svc, id, { state: 'pending', ...extra });
const placedOn = (ds: Decision[]): Record<string, string> => Object.fromEntries(ds.map((d) => [d.taskId, 'nodeId' in d ? d.nodeId : `! ${d.error}`]));

t.test('constraints: parse errors with swarmkit\'s sentences', async (t) => {
  t.same(parseConstraints(['node.labels.zone == east', 'node.role!=manager']), [
    { key: 'node.labels.zone', op: '==', value: 'east' }, { key: 'node.role', op: '!=', value: 'manager' },
  ]);
  const bad: Array<[string, string]> = [
    ['node.role', 'constraint expected one operator from ==, !='],
    ['node.role>=manager', 'constraint expected one operator from ==, !='],
    ['==manager', "key '' is invalid"],
    ['node.role==', "value '' is invalid"],
    ['node.role==a<b', "value 'a<b' is invalid"],
  ];
  for (const [expr, msg] of bad) t.throws(() => parseConstraints([expr]), { message: msg }, expr);
});

t.test('constraints: each key of the issue, == and !=, values without case, missing labels', async (t) => {
  const n = node('abc', { role: 'manager', labels: { zone: 'East' }, engineLabels: { disk: 'ssd' }, hostname: 'h1' });
  const cases: Array<[string, boolean]> = [
    ['node.id==abc', true], ['node.id!=abc', false], ['node.hostname==H1', true], ['node.role==manager', true],
    ['node.role!=worker', true], ['node.platform.os==linux', true], ['node.platform.arch==x86_64', true],
    ['node.labels.zone==east', true], ['node.labels.zone!=east', false], ['node.labels.rack==1', false], ['node.labels.rack!=1', true],
    ['engine.labels.disk==ssd', true], ['engine.labels.disk==hdd', false], ['NODE.ROLE==manager', true], ['node.nosuch==x', false],
  ];
  for (const [expr, want] of cases) t.equal(nodeMatches(parseConstraints([expr]), n), want, expr);
});

t.test('spreads a service over nodes, counting what they already run', async (t) => {
  const svc = service('s');
  const other = service('o');
  const nodes = [node('n1'), node('n2'), node('n3')];
  const placed = [task(other, 'x1', { node: 'n1' }), task(other, 'x2', { node: 'n1' }), task(svc, 'old', { node: 'n2' })];
  const ds = schedule({ nodes, placed, unplaced: ['a', 'b', 'c', 'd', 'e'].map((id) => pending(svc, id)) });
  // n3 runs nothing; n1 none of s (but two others); n2 one of s. Each decision counts for the next.
  t.same(placedOn(ds), { a: 'n3', b: 'n1', c: 'n2', d: 'n3', e: 'n1' });
});

t.test('no suitable node: the reasons, counted per node, in swarmkit\'s words', async (t) => {
  const nodes = [node('n1', { availability: 'drain' }), node('n2', { state: 'down' }), node('n3', { labels: { zone: 'b' } }), node('n4', { cpus: 1, labels: { zone: 'a' } })];
  const svc = service('s', { TaskTemplate: { ContainerSpec: { Image: 'x' }, Resources: { Reservations: { NanoCPUs: 1.5e9 } }, Placement: { Constraints: ['node.labels.zone==a'] } } });
  const [d] = schedule({ nodes, placed: [], unplaced: [pending(svc, 'a')] });
  t.same(d, { taskId: 'a', error: 'no suitable node (2 nodes not available for new tasks; insufficient resources on 1 node; scheduling constraints not satisfied on 1 node)' });
});

t.test('resources are reserved: the third task of 1 CPU does not fit on 2 CPUs', async (t) => {
  const svc = service('s', { TaskTemplate: { ContainerSpec: { Image: 'x' }, Resources: { Reservations: { NanoCPUs: 1e9, MemoryBytes: 2 ** 30 } } } });
  const ds = schedule({ nodes: [node('n1')], placed: [], unplaced: [pending(svc, 'a'), pending(svc, 'b'), pending(svc, 'c')] });
  t.same(placedOn(ds), { a: 'n1', b: 'n1', c: '! no suitable node (insufficient resources on 1 node)' });
});

t.test('host-mode ports are never double-booked on a node; ended tasks free theirs', async (t) => {
  const svc = service('s', { EndpointSpec: { Ports: [{ TargetPort: 80, PublishedPort: 8080, PublishMode: 'host', Protocol: 'tcp' }] } });
  const withPort = (id: string, extra: Parameters<typeof task>[2] = {}): Task => ({ ...task(svc, id, extra), Endpoint: { Ports: svc.Spec.EndpointSpec?.Ports ?? [] } }) as Task;
  const ds = schedule({ nodes: [node('n1'), node('n2')], placed: [withPort('old', { node: 'n1' })], unplaced: [withPort('a', { state: 'pending' }), withPort('b', { state: 'pending' })] });
  t.same(placedOn(ds), { a: 'n2', b: '! no suitable node (host-mode port already in use on 2 nodes)' });
});

t.test('max replicas per node, platforms, a global task bound to its node', async (t) => {
  const svc = service('s', { TaskTemplate: { ContainerSpec: { Image: 'x' }, Placement: { MaxReplicas: 1, Platforms: [{ Architecture: 'amd64', OS: 'linux' }] } } });
  const nodes = [node('n1'), node('n2', { arch: 'aarch64' })];
  const ds = schedule({ nodes, placed: [], unplaced: [pending(svc, 'a'), pending(svc, 'b')] });
  t.same(placedOn(ds), { a: 'n1', b: '! no suitable node (unsupported platform on 1 node; max replicas per node limit exceed)' });
  const g = service('g', { Mode: { Global: {} } });
  const bound = schedule({ nodes: [node('n1'), node('n2', { availability: 'pause' })], placed: [], unplaced: [pending(g, 'x', { node: 'n2' }), pending(g, 'y', { node: 'n1' })] });
  t.same(placedOn(bound), { x: '! no suitable node (1 node not available for new tasks)', y: 'n1' });
});

t.test('placement preference: spread over a label\'s values before nodes', async (t) => {
  const nodes = [node('a1', { labels: { zone: 'a' } }), node('a2', { labels: { zone: 'a' } }), node('b1', { labels: { zone: 'b' } })];
  const svc = service('s', { TaskTemplate: { ContainerSpec: { Image: 'x' }, Placement: { Preferences: [{ Spread: { SpreadDescriptor: 'node.labels.zone' } }] } } });
  const ds = schedule({ nodes, placed: [], unplaced: ['t1', 't2', 't3', 't4'].map((id) => pending(svc, id)) });
  const perZone = { a: 0, b: 0 };
  for (const d of ds) if ('nodeId' in d) perZone[d.nodeId.startsWith('a') ? 'a' : 'b']++;
  t.same(perZone, { a: 2, b: 2 }, 'half in each zone, although zone a has two nodes');
});

t.test('property: placements respect every filter and stay balanced', async (t) => {
  fc.assert(fc.property(
    fc.array(fc.record({ avail: fc.constantFrom('active', 'active', 'drain', 'pause'), zone: fc.constantFrom('a', 'b'), cpus: fc.integer({ min: 1, max: 4 }) }), { minLength: 1, maxLength: 8 }),
    fc.integer({ min: 1, max: 40 }), fc.boolean(),
    (specs, count, constrained) => {
      const nodes = specs.map((s, i) => node(`n${i}`, { availability: s.avail as 'active', labels: { zone: s.zone }, cpus: s.cpus }));
      const svc = service('s', { TaskTemplate: { ContainerSpec: { Image: 'x' }, Resources: { Reservations: { NanoCPUs: 5e8 } }, Placement: { Constraints: constrained ? ['node.labels.zone==a'] : [] } } });
      const ds = schedule({ nodes, placed: [], unplaced: Array.from({ length: count }, (_, i) => pending(svc, `t${i}`)) });
      const per = new Map<string, number>();
      for (const d of ds) if ('nodeId' in d) per.set(d.nodeId, (per.get(d.nodeId) ?? 0) + 1);
      const fits = nodes.filter((n) => n.Spec.Availability === 'active' && (!constrained || n.Spec.Labels?.zone === 'a'));
      for (const [id, k] of per) {
        const n = nodes.find((x) => x.ID === id);
        if (n === undefined || !fits.includes(n)) return false;
        if (k * 5e8 > n.Description.Resources.NanoCPUs) return false;
      }
      const capacity = fits.reduce((sum, n) => sum + n.Description.Resources.NanoCPUs / 5e8, 0);
      const placedCount = [...per.values()].reduce((a, b) => a + b, 0);
      // Everything that fits is placed; a task is refused only when no node had room.
      return placedCount === Math.min(count, capacity);
    },
  ), { numRuns: 300 });
  t.pass('held for 300 random clusters');
});
