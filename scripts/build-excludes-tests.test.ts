import t from 'tap';
import { execFileSync } from 'node:child_process';
import { join, relative } from 'node:path';

// What `npm run build` compiles into dist/ for each production package: no test
// files and nothing from a testing/ folder (test helpers and dev-only dependencies
// such as dockerode must not ship).
const root = join(import.meta.dirname, '..');
const packages = ['common', 'cli', 'manager', 'manager/raft', 'native', 'overlay-net', 'worker'];

for (const pkg of packages) {
  t.test(`${pkg}: the build compiles no test code`, async (t) => {
    const dir = join(root, pkg);
    const tsc = join(root, 'node_modules', '.bin', 'tsc');
    const files = execFileSync(tsc, ['-p', 'tsconfig.build.json', '--listFilesOnly'], { cwd: dir, encoding: 'utf8' })
      .split('\n')
      .filter((f) => f.startsWith(join(dir, 'src') + '/'))
      .map((f) => relative(dir, f));
    t.ok(files.length > 0, `${files.length} source files built`);
    const testCode = files.filter((f) => /\.test\.ts$/.test(f) || f.split('/').includes('testing'));
    t.same(testCode, [], 'no *.test.ts and no testing/ file');
  });
}
