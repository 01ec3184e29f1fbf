/**
 * Planner scenarios as data: each testdata/nft-plan/*.txt holds the input
 * (JSON), a `----` line, and the expected nft script. Regenerate with
 * SHOAL_UPDATE_SCENARIOS=1 only after reading the diff.
 */
import t from 'tap';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mappingKey, planNftDelta, planNftScript, planNftTeardown, type NatPlanInput } from './nft-plan.js';

const dir = join(import.meta.dirname, 'testdata', 'nft-plan');
const update = process.env.SHOAL_UPDATE_SCENARIOS === '1';

for (const f of readdirSync(dir).filter((n) => n.endsWith('.txt')).sort()) {
  t.test(`scenario ${f}`, async (t) => {
    const path = join(dir, f);
    const text = readFileSync(path, 'utf8');
    const sep = text.indexOf('\n----\n');
    t.ok(sep > 0, 'has a ---- line');
    const input = JSON.parse(text.slice(0, sep)) as NatPlanInput;
    const expected = text.slice(sep + 6);
    const got = planNftScript(input);
    if (update) writeFileSync(path, `${text.slice(0, sep)}\n----\n${got}`);
    else t.equal(got, expected);
  });
}

t.test('the plan does not depend on the order of mappings', async (t) => {
  const m = [
    { proto: 'tcp' as const, hostIp: '0.0.0.0', hostPort: 2, containerIp: '10.0.0.2', containerPort: 1 },
    { proto: 'udp' as const, hostIp: '10.0.0.1', hostPort: 1, containerIp: '10.0.0.3', containerPort: 1 },
    { proto: 'tcp' as const, hostIp: '0.0.0.0', hostPort: 1, containerIp: '10.0.0.2', containerPort: 1 },
  ];
  const base = { table: 't', bridge: 'b', subnet: '10.0.0.0/24' };
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
  const script = planNftScript({ table: 't', bridge: 'b', subnet: '10.0.0.0/24', mappings: [a, stale] });
  t.match(script, 'elements = { 8080 : 10.0.0.2 . 80 }', 'the first of two conflicting mappings wins');
  t.notMatch(script, '10.0.0.9');
});
