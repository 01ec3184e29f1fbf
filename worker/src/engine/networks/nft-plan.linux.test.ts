import t from 'tap';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { runTool } from '@shoal/common';
import { makeNetns } from '@shoal/testkit';
import { mappingKey, planNftDelta, planNftScript, planNftTeardown, type NatPlanInput, type PortMapping } from './nft-plan.js';

// Every planner scenario is valid nft: applied for real in a throw-away netns, twice (idempotent), then torn down.
const dir = join(import.meta.dirname, 'testdata', 'nft-plan');

t.test('scenarios apply in a netns', async (t) => {
  const ns = await makeNetns('shnft');
  t.teardown(() => ns.remove());
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.txt')).sort()) {
    const text = readFileSync(join(dir, f), 'utf8');
    const input = JSON.parse(text.slice(0, text.indexOf('\n----\n'))) as NatPlanInput;
    const script = planNftScript(input);
    await runTool(['ip', 'netns', 'exec', ns.name, 'nft', '-f', '-'], { input: script });
    await runTool(['ip', 'netns', 'exec', ns.name, 'nft', '-f', '-'], { input: script });
    const listed = (await runTool(['ip', 'netns', 'exec', ns.name, 'nft', 'list', 'table', 'ip', input.table])).stdout;
    const elements = [...listed.matchAll(/elements = \{([^}]*)\}/g)].flatMap((m) => (m[1] ?? '').split(',').filter((e) => e.trim() !== ''));
    t.equal(elements.length, new Set(input.mappings.map(mappingKey)).size, `${f}: one element per distinct publication after two applies`);
    await runTool(['ip', 'netns', 'exec', ns.name, 'nft', '-f', '-'], { input: planNftTeardown(input.table) });
    const tables = (await runTool(['ip', 'netns', 'exec', ns.name, 'nft', 'list', 'tables'])).stdout;
    t.notMatch(tables, input.table, `${f}: teardown removes the table`);
  }
});

t.test('deltas publish and unpublish one element; a conflicting delta fails as a whole', async (t) => {
  const ns = await makeNetns('shnft');
  t.teardown(() => ns.remove());
  const nft = (script: string) => runTool(['ip', 'netns', 'exec', ns.name, 'nft', '-f', '-'], { input: script });
  const list = async () => (await runTool(['ip', 'netns', 'exec', ns.name, 'nft', 'list', 'table', 'ip', 'd'])).stdout;
  const a: PortMapping = { proto: 'tcp', hostIp: '0.0.0.0', hostPort: 8080, containerIp: '10.0.0.2', containerPort: 80 };
  const b: PortMapping = { proto: 'udp', hostIp: '127.0.0.1', hostPort: 5353, containerIp: '10.0.0.3', containerPort: 53 };
  await nft(planNftScript({ table: 'd', bridges: [{ name: 'br', subnet: '10.0.0.0/24', internal: false }], mappings: [a] }));
  await nft(planNftDelta('d', [b], []));
  t.match(await list(), '127.0.0.1 . 5353 : 10.0.0.3 . 53');
  await nft(planNftDelta('d', [], [a]));
  t.notMatch(await list(), '8080');
  const err = await nft(planNftDelta('d', [a], [a])).then(() => null, (e: unknown) => e);
  t.ok(err !== null, 'deleting a missing element fails');
  t.notMatch(await list(), '8080', 'and the add in the same transaction did not happen');
  t.match(await list(), '5353', 'nothing else changed');
});
