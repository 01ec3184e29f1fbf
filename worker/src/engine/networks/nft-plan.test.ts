/**
 * Planner scenarios as data: each testdata/nft-plan/*.txt holds the input
 * (JSON), a `----` line, and the expected nft script (golden files:
 * SHOAL_REWRITE=1 regenerates them; read the diff before committing).
 */
import t from 'tap';
import { join } from 'node:path';
import { goldenFiles } from '@shoal/testkit';
import { mappingKey, planNftDelta, planNftScript, planNftTeardown, type NatPlanInput } from './nft-plan.js';

const scenarios = goldenFiles(join(import.meta.dirname, 'testdata', 'nft-plan'), (text) => {
  const sep = text.indexOf('\n----\n');
  if (sep < 0) throw new Error('a scenario needs its input, a ---- line and the expected script');
  const input = text.slice(0, sep);
  return `${input}\n----\n${planNftScript(JSON.parse(input) as NatPlanInput)}`;
});
for (const c of scenarios) {
  t.test(`scenario ${c.name}`, async (t) => {
    const { got, want } = c.check();
    t.equal(got, want);
  });
}

t.test('the plan does not depend on the order of mappings', async (t) => {
  const m = [
    { proto: 'tcp' as const, hostIp: '0.0.0.0', hostPort: 2, containerIp: '10.0.0.2', containerPort: 1 },
    { proto: 'udp' as const, hostIp: '10.0.0.1', hostPort: 1, containerIp: '10.0.0.3', containerPort: 1 },
    { proto: 'tcp' as const, hostIp: '0.0.0.0', hostPort: 1, containerIp: '10.0.0.2', containerPort: 1 },
  ];
  const base = { table: 't', bridges: [{ name: 'b', subnet: '10.0.0.0/24', internal: false }] };
  t.equal(planNftScript({ ...base, mappings: m }), planNftScript({ ...base, mappings: [...m].reverse() }));
  t.equal(planNftTeardown('t'), 'table ip t\ndelete table ip t\n');
});

t.test('deltas and conflicts', async (t) => {
  const a = { proto: 'tcp' as const, hostIp: '0.0.0.0', hostPort: 8080, containerIp: '10.0.0.2', containerPort: 80 };
  const b = { proto: 'udp' as const, hostIp: '127.0.0.1', hostPort: 53, containerIp: '10.0.0.3', containerPort: 53 };
  t.equal(planNftDelta('t', [], []), '');
  t.equal(planNftDelta('t', [b], [a]), [
    'delete element ip t pub_tcp_any { 8080 }',
    'add element ip t pub_udp_ip { 127.0.0.1 . 53 : 10.0.0.3 . 53 }',
    '',
  ].join('\n'));
  t.equal(mappingKey(a), mappingKey({ ...a, containerIp: '10.0.0.9' }), 'the key ignores the target');
  t.not(mappingKey(a), mappingKey({ ...a, proto: 'udp' }));
  const stale = { ...a, containerIp: '10.0.0.9' };
  const script = planNftScript({ table: 't', bridges: [{ name: 'b', subnet: '10.0.0.0/24', internal: false }], mappings: [a, stale] });
  t.match(script, 'elements = { 8080 : 10.0.0.2 . 80 }', 'the first of two conflicting mappings wins');
  t.notMatch(script, '10.0.0.9');
});
