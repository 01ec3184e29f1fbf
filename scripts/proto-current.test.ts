// The generated cluster protocol (common/src/proto/gen) is what the .proto
// files give today: buf (lint and generate, from node_modules) into a
// scratch directory, compared file by file.
import t from 'tap';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = resolve(import.meta.dirname, '..');
const protoDir = join(root, 'common/proto');
const genDir = join(root, 'common/src/proto/gen');

async function files(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...await files(p));
    else out.push(p);
  }
  return out.sort();
}

t.test('common/src/proto/gen matches the .proto files', async (t) => {
  const scratch = await mkdtemp(join(tmpdir(), 'proto-gen-'));
  t.teardown(() => rm(scratch, { recursive: true, force: true }));
  const env = { ...process.env, PATH: `${join(root, 'node_modules/.bin')}:${process.env.PATH ?? ''}`, BUF_CACHE_DIR: join(scratch, 'cache') };
  await run('buf', ['lint'], { cwd: protoDir, env });
  const template = JSON.stringify({ version: 'v2', plugins: [{ local: 'protoc-gen-es', out: join(scratch, 'gen'), opt: ['target=ts', 'import_extension=js'] }] });
  await run('buf', ['generate', '--template', template], { cwd: protoDir, env });
  const want = await files(join(scratch, 'gen'));
  const have = await files(genDir);
  t.same(have.map((f) => relative(genDir, f)), want.map((f) => relative(join(scratch, 'gen'), f)), 'the same files');
  for (const f of want) {
    const rel = relative(join(scratch, 'gen'), f);
    t.equal(await readFile(join(genDir, rel), 'utf8'), await readFile(f, 'utf8'), `${rel}: run \`npm run proto\` and commit`);
  }
});
