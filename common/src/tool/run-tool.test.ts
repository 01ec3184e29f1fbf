import t from 'tap';
import { runTool, runToolJson } from './run-tool.js';
import { hasCode } from '../errors/index.js';

t.test('returns stdout of a tool that succeeds', async (t) => {
  const r = await runTool(['sh', '-c', 'printf hello']);
  t.equal(r.stdout, 'hello');
});

t.test('a failing tool gives COMMON_TOOL_FAILED with argv, exit code and stderr', async (t) => {
  const e = await runTool(['sh', '-c', 'echo boom >&2; exit 3']).catch((x: unknown) => x);
  t.ok(hasCode(e, 'COMMON_TOOL_FAILED'));
  t.match((e as Error).message, /exit 3.*boom/);
});

t.test('a missing tool gives COMMON_TOOL_NOT_FOUND', async (t) => {
  const e = await runTool(['/nonexistent/tool-xyz']).catch((x: unknown) => x);
  t.ok(hasCode(e, 'COMMON_TOOL_NOT_FOUND'));
});

t.test('a slow tool is killed at its timeout', async (t) => {
  const e = await runTool(['sleep', '5'], { timeoutMs: 50 }).catch((x: unknown) => x);
  t.ok(hasCode(e, 'COMMON_TOOL_TIMEOUT'));
});

t.test('runToolJson parses output and feeds stdin', async (t) => {
  const v = await runToolJson<{ a: number }>(['cat'], { input: '{"a":1}' });
  t.same(v, { a: 1 });
});

t.test('a tool that leaves a child holding its pipes still returns', async (t) => {
  const r = await runTool(['sh', '-c', 'sleep 3 & echo started'], { timeoutMs: 20_000 });
  t.equal(r.stdout, 'started\n');
});

t.test('a timed-out tool whose child holds the pipes still rejects at the timeout', async (t) => {
  const e = await runTool(['sh', '-c', 'sleep 3 & sleep 3'], { timeoutMs: 100 }).catch((x: unknown) => x);
  t.ok(hasCode(e, 'COMMON_TOOL_TIMEOUT'));
});
