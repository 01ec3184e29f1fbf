// The root build names every workspace, each after the workspaces it depends
// on: `npm run build --workspaces` would build them in path order, manager
// before manager/raft, which fails on a clean clone.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const pkg = (dir: string): { name: string; dependencies?: Record<string, string>; devDependencies?: Record<string, string> } =>
  JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8'));

t.test('the build lists every workspace, dependencies first', async (t) => {
  const top = pkg('.') as ReturnType<typeof pkg> & { workspaces: string[]; scripts: Record<string, string> };
  const order = [...(top.scripts.build ?? '').matchAll(/-w (\S+)/g)].map((m) => m[1]);
  const workspaces = top.workspaces.map((d) => pkg(d));
  t.same([...order].sort(), workspaces.map((w) => w.name).sort(), 'every workspace, once');
  const names = new Set(workspaces.map((w) => w.name));
  for (const w of workspaces) {
    for (const dep of Object.keys({ ...w.dependencies, ...w.devDependencies })) {
      if (!names.has(dep)) continue;
      t.ok(order.indexOf(dep) < order.indexOf(w.name), `${dep} builds before ${w.name}`);
    }
  }
});
