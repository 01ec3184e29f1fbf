import { randomBytes } from 'node:crypto';
import { runTool } from '@shoal/common';

/** A throw-away network namespace under /run/netns; `remove()` deletes it. */
export interface TestNetns {
  name: string;
  path: string;
  remove(): Promise<void>;
}

/** Create a uniquely named netns (prefix `shoaltest-`). Callers remove it in teardown. */
export async function makeNetns(prefix = 'shoaltest'): Promise<TestNetns> {
  const name = `${prefix}-${randomBytes(4).toString('hex')}`;
  await runTool(['ip', 'netns', 'add', name]);
  await runTool(['ip', '-n', name, 'link', 'set', 'lo', 'up']);
  return {
    name,
    path: `/run/netns/${name}`,
    remove: async () => {
      await runTool(['ip', 'netns', 'del', name]).catch(() => undefined);
    },
  };
}
