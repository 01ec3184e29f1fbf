// Volumes through the real docker CLI against a real shoald: what a user
// types (volume create/ls/inspect/rm/prune, -v, --mount, --volumes-from,
// rm -v, run --rm) and what they must be able to count on: data outlives
// its containers, a volume in use cannot be removed, an empty volume gets
// the image's content, device-backed volumes are mounted only while used.
import t from 'tap';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { runTool } from '@shoal/common';
import { startTestDaemon } from '@shoal/testkit';

t.test('docker volume and the mounts of docker run', async (t) => {
  const d = await startTestDaemon();
  t.teardown(() => d.cleanup());
  const env = { ...process.env, DOCKER_HOST: `unix://${d.socketPath}`, DOCKER_CONFIG: join(d.dir, 'docker-config') };
  const docker = async (args: string[], ok: number[] = [0]) => runTool(['docker', ...args], { env, okCodes: ok, timeoutMs: 60_000 });
  const out = async (args: string[]): Promise<string> => (await docker(args)).stdout;
  const names = async (...filters: string[]): Promise<string[]> =>
    (await out(['volume', 'ls', '--format', '{{.Name}}', ...filters.flatMap((f) => ['--filter', f])])).split('\n').filter((l) => l !== '').sort();
  const run = (args: string[], ok?: number[]) => docker(['run', '--rm', '--network', 'none', ...args], ok);

  const tar = await d.busyboxTar();
  await docker(['import', tar, 'busybox:latest']);
  await docker(['import', '--change', 'VOLUME ["/var/www", "/cache"]', tar, 'withvol:1']);

  t.test('create, ls, inspect; data survives the containers that wrote it', async (t) => {
    t.equal(await out(['volume', 'create', '--label', 'env=test', 'data']), 'data\n');
    t.equal(await out(['volume', 'create', 'data']), 'data\n', 'creating an existing volume again is fine');
    const ins = JSON.parse(await out(['volume', 'inspect', 'data'])) as Array<Record<string, unknown>>;
    t.match(ins[0], { Name: 'data', Driver: 'local', Scope: 'local', Labels: { env: 'test' }, Mountpoint: join(d.dataRoot, 'volumes/data/_data') });
    t.match(ins[0]?.CreatedAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    await run(['-v', 'data:/data', 'busybox', 'sh', '-c', 'echo kept > /data/file']);
    t.equal((await run(['-v', 'data:/data', 'busybox', 'cat', '/data/file'])).stdout, 'kept\n');
    t.equal(await readFile(join(d.dataRoot, 'volumes/data/_data/file'), 'utf8'), 'kept\n', 'the data is in the volume\'s directory');
    t.same(await names('label=env=test'), ['data']);
    t.same(await names('name=dat', 'dangling=true'), ['data'], 'unused: dangling');
    t.same(await names('label=env=prod'), []);
  });

  t.test('a volume in use cannot be removed, by a stopped container either', async (t) => {
    await docker(['create', '--name', 'holder', '-v', 'data:/data', 'busybox', 'true']);
    const refused = await docker(['volume', 'rm', 'data'], [1]);
    t.match(refused.stderr, /remove data: volume is in use - \[[0-9a-f]{64}\]/);
    t.same(await names('dangling=false'), ['data']);
    await docker(['rm', 'holder']);
    t.equal(await out(['volume', 'rm', 'data']), 'data\n');
    t.same(await names(), []);
    const gone = await docker(['volume', 'inspect', 'data'], [1]);
    t.match(gone.stderr, /no such volume/);
  });

  t.test('-v NAME creates the volume; an empty volume gets the image\'s content first, unless nocopy', async (t) => {
    t.match((await run(['-v', 'etc:/etc', 'busybox', 'cat', '/etc/passwd'])).stdout, /^app:x:1000:1000/m);
    t.match(await readFile(join(d.dataRoot, 'volumes/etc/_data/passwd'), 'utf8'), /^root:x:0:0/m);
    await run(['-v', 'etc:/etc', 'busybox', 'sh', '-c', 'echo mine > /etc/passwd']);
    t.equal((await run(['-v', 'etc:/etc', 'busybox', 'cat', '/etc/passwd'])).stdout, 'mine\n', 'a volume with content is not overwritten');
    t.equal((await run(['-v', 'bare:/etc:nocopy', 'busybox', 'ls', '-A', '/etc'])).stdout, '');
    t.equal((await run(['--mount', 'type=volume,src=bare2,dst=/etc,volume-nocopy', 'busybox', 'ls', '-A', '/etc'])).stdout, '');
    await docker(['volume', 'rm', 'etc', 'bare', 'bare2']);
  });

  t.test('anonymous volumes: -v /path and the image\'s VOLUME; rm -v and run --rm remove them, named ones stay', async (t) => {
    const id = (await out(['create', '--name', 'anon', '-v', '/scratch', '-v', 'keep:/keep', 'withvol:1', 'true'])).trim();
    const mounts = JSON.parse(await out(['inspect', '-f', '{{json .Mounts}}', id])) as Array<{ Type: string; Name: string; Destination: string }>;
    t.same(mounts.map((m) => [m.Type, m.Destination]).sort(), [['volume', '/cache'], ['volume', '/keep'], ['volume', '/scratch'], ['volume', '/var/www']]);
    const anon = mounts.filter((m) => m.Name !== 'keep').map((m) => m.Name);
    for (const n of anon) t.match(n, /^[0-9a-f]{64}$/);
    t.same(await names(), [...anon, 'keep'].sort());
    t.match(await out(['volume', 'inspect', '-f', '{{json .Labels}}', anon[0] ?? '']), /"com\.docker\.volume\.anonymous":""/);
    await docker(['rm', '-v', 'anon']);
    t.same(await names(), ['keep'], 'rm -v removed the anonymous volumes only');
    await run(['-v', '/tmpdata', 'withvol:1', 'sh', '-c', 'echo x > /tmpdata/f']);
    t.same(await names(), ['keep'], 'run --rm removed its anonymous volumes');
    await docker(['create', '--name', 'anon2', '-v', '/scratch', 'busybox', 'true']);
    await docker(['rm', 'anon2']);
    t.equal((await names()).length, 2, 'rm without -v keeps the anonymous volume');
    const pruned = await out(['volume', 'prune', '-f']);
    t.match(pruned, /Deleted Volumes:\n[0-9a-f]{64}\n/);
    t.same(await names(), ['keep'], 'prune takes unused anonymous volumes, not named ones');
    t.match(await out(['volume', 'prune', '-a', '-f']), /Deleted Volumes:\nkeep\n/);
    t.same(await names(), []);
  });

  t.test('--volumes-from shares the volumes, ro makes them read-only', async (t) => {
    await docker(['create', '--name', 'src', '-v', 'shared:/shared', 'busybox', 'true']);
    await run(['--volumes-from', 'src', 'busybox', 'sh', '-c', 'echo via-from > /shared/f']);
    t.equal((await run(['-v', 'shared:/s', 'busybox', 'cat', '/s/f'])).stdout, 'via-from\n');
    const ro = await run(['--volumes-from', 'src:ro', 'busybox', 'sh', '-c', 'echo x > /shared/g'], [1]);
    t.match(ro.stderr, /Read-only file system/);
    // A 404 as Docker's (the CLI would then try to pull the image: --pull never shows the error itself).
    const missing = await docker(['run', '--rm', '--pull', 'never', '--volumes-from', 'nosuch', 'busybox', 'true'], [125]);
    t.match(missing.stderr, /No such container: nosuch/);
    await docker(['rm', 'src']);
    await docker(['volume', 'rm', 'shared']);
  });

  t.test('--mount: readonly volumes, tmpfs size and mode, bind propagation', async (t) => {
    const ro = await run(['--mount', 'type=volume,src=m1,dst=/m,readonly', 'busybox', 'sh', '-c', 'touch /m/x'], [1]);
    t.match(ro.stderr, /Read-only file system/);
    const tmpfs = await run(['--mount', 'type=tmpfs,dst=/t,tmpfs-size=1048576,tmpfs-mode=1770', 'busybox', 'sh', '-c', 'grep " /t " /proc/mounts; stat -c %a /t']);
    t.match(tmpfs.stdout, /^tmpfs \/t tmpfs \S*size=1024k/m);
    t.match(tmpfs.stdout, /^1770$/m);
    const host = await mkdtemp(join(tmpdir(), 'shoal-bind-'));
    t.teardown(() => rm(host, { recursive: true, force: true }));
    await writeFile(join(host, 'h'), 'from host\n');
    const id = (await out(['create', '--mount', `type=bind,src=${host},dst=/b,bind-propagation=rslave`, 'busybox', 'cat', '/b/h'])).trim();
    t.match(await out(['inspect', '-f', '{{json .Mounts}}', id]), `"Propagation":"rslave"`);
    await docker(['start', id]);
    await docker(['wait', id]);
    t.equal(await out(['logs', id]), 'from host\n');
    await docker(['rm', id]);
    const nosrc = await docker(['run', '--rm', '--mount', `type=bind,src=${host}/missing,dst=/b`, 'busybox', 'true'], [125, 126, 127]);
    t.match(nosrc.stderr, /bind source path does not exist/);
    await docker(['volume', 'rm', 'm1']);
  });

  t.test('a tmpfs-backed volume is mounted while used and shared by its users', async (t) => {
    await docker(['volume', 'create', '-o', 'type=tmpfs', '-o', 'device=tmpfs', '-o', 'o=size=2m', 'tvol']);
    t.match(await out(['volume', 'inspect', '-f', '{{json .Options}}', 'tvol']), '{"device":"tmpfs","o":"size=2m","type":"tmpfs"}');
    const dir = join(d.dataRoot, 'volumes/tvol/_data');
    await docker(['run', '-d', '--name', 'tw', '--network', 'none', '-v', 'tvol:/t', 'busybox', 'sh', '-c', 'trap "exit 0" TERM; echo shared > /t/f; sleep 1d & wait']);
    const seen = await run(['-v', 'tvol:/t', 'busybox', 'sh', '-c', 'while [ ! -f /t/f ]; do sleep 0.1; done; cat /t/f; grep " /t " /proc/mounts']);
    t.match(seen.stdout, /^shared\ntmpfs \/t tmpfs \S*size=2048k/);
    t.ok((await readFile('/proc/self/mountinfo', 'utf8')).includes(` ${dir} `), 'mounted on the host while tw runs');
    await docker(['rm', '-f', 'tw']);
    t.notOk((await readFile('/proc/self/mountinfo', 'utf8')).includes(` ${dir} `), 'unmounted once its last user stopped');
    t.same(await readdir(dir), [], 'a tmpfs volume keeps nothing');
    await docker(['volume', 'rm', 'tvol']);
  });

  t.test('bad input: clear errors and nothing half-made', async (t) => {
    t.match((await docker(['volume', 'create', 'bad!'], [1])).stderr, /"bad!" includes invalid characters for a local volume name/);
    t.match((await docker(['volume', 'create', '-o', 'colour=red', 'v1'], [1])).stderr, /invalid option key: "colour"/);
    t.match((await docker(['volume', 'create', '-d', 'nfs', 'v2'], [1])).stderr, /plugin "nfs" not found/);
    t.match((await docker(['volume', 'rm', 'nope'], [1])).stderr, /no such volume/);
    t.match((await docker(['volume', 'ls', '--filter', 'colour=red'], [1])).stderr, /invalid filter 'colour'/);
    t.match((await docker(['run', '--rm', '-v', 'ok1:/a', '-v', 'x!:/b', 'busybox', 'true'], [125])).stderr, /includes invalid characters/);
    t.same(await names(), [], 'no volume was left behind by the refused requests');
    t.same((await readdir(join(d.dataRoot, 'volumes'))).filter((n) => !n.startsWith('.')), []);
  });
});
