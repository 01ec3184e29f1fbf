/**
 * Planner scenarios as data: each testdata/nft-plan/*.txt holds the input
 * (JSON), a `----` line, and the expected nft script. Regenerate with
 * SHOAL_UPDATE_SCENARIOS=1 only after reading the diff.
 */
import t from 'tap';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { planNftScript, planNftTeardown, type NatPlanInput } from './nft-plan.js';

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
