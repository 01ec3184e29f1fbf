import t from 'tap';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { runTool } from '@shoal/common';
import { makeNetns } from '@shoal/testkit';
import { planNftScript, planNftTeardown, type NatPlanInput } from './nft-plan.js';

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
    t.equal((listed.match(/dnat to/g) ?? []).length, input.mappings.length, `${f}: one DNAT rule per mapping after two applies`);
    await runTool(['ip', 'netns', 'exec', ns.name, 'nft', '-f', '-'], { input: planNftTeardown(input.table) });
    const tables = (await runTool(['ip', 'netns', 'exec', ns.name, 'nft', 'list', 'tables'])).stdout;
    t.notMatch(tables, input.table, `${f}: teardown removes the table`);
  }
});
