import t from 'tap';
import { get } from 'node:http';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { makeBusyboxRootfsTar } from '@shoal/testkit';
import { daemonWithImage, IMAGE, TRAP_SLEEP } from '../testing/compat-fixture.js';

function httpGet(url: string): Promise<{ status: number; body: string }> {
  return new Promise((res, rej) => {
    get(url, { timeout: 5000 }, (r) => {
      let body = '';
      r.on('data', (c: Buffer) => (body += c.toString()));
      r.on('end', () => res({ status: r.statusCode ?? 0, body }));
    }).on('error', rej);
  });
}

const d = await daemonWithImage();
t.teardown(() => d.cleanup());

t.test('docker run --rm prints the output of echo and removes the container', async (t) => {
  const r = await d.docker(['run', '--rm', IMAGE, 'echo', 'hello', 'shoal']);
  t.equal(r.stdout, 'hello shoal\n');
  const all = await d.docker(['ps', '-aq']);
  t.equal(all.stdout.trim(), '', 'no container left behind');
});

// `docker run IMAGE` with no command sends "Cmd": null: the image's CMD and
// ENTRYPOINT apply (it once ran an empty command: "open executable").
t.test('docker run IMAGE runs the image\'s own CMD and ENTRYPOINT', async (t) => {
  const dir = t.testdir();
  const tar = await makeBusyboxRootfsTar(dir, join(dir, 'rootfs.tar'));
  const withCmd = 'compat/cmd:1';
  const withEp = 'compat/entrypoint:1';
  await d.docker(['import', '--change', 'CMD ["/bin/sh","-c","echo hi from cmd"]', tar, withCmd]);
  await d.docker(['import', '--change', 'ENTRYPOINT ["/bin/echo","ep"]', '--change', 'CMD ["default"]', tar, withEp]);
  t.equal((await d.docker(['run', '--rm', withCmd])).stdout, 'hi from cmd\n', 'CMD');
  t.equal((await d.docker(['run', '--rm', withEp])).stdout, 'ep default\n', 'ENTRYPOINT + CMD');
  t.equal((await d.docker(['run', '--rm', withEp, 'mine'])).stdout, 'ep mine\n', 'arguments replace CMD');
  t.equal((await d.docker(['run', '--rm', '--entrypoint', '/bin/echo', withCmd, 'x'])).stdout, 'x\n', '--entrypoint drops the image CMD');
  const id = (await d.docker(['create', withCmd])).stdout.trim();
  const ins = JSON.parse((await d.docker(['inspect', id])).stdout) as { Path: string; Args: string[]; Config: { Cmd: string[] } }[];
  t.equal(ins[0]?.Path, '/bin/sh');
  t.same(ins[0]?.Args, ['-c', 'echo hi from cmd']);
  t.same(ins[0]?.Config.Cmd, ['/bin/sh', '-c', 'echo hi from cmd']);
  await d.docker(['rm', '-f', id]);
});

t.test('exit codes propagate through docker run', async (t) => {
  const r = await d.docker(['run', '--rm', IMAGE, 'sh', '-c', 'echo out; echo err >&2; exit 3'], { okCodes: [3] });
  t.equal(r.code, 3);
  t.equal(r.stdout, 'out\n');
  t.equal(r.stderr, 'err\n', 'stderr is demultiplexed to stderr');
});

t.test('a command that is not in the image fails like Docker (127)', async (t) => {
  const r = await d.docker(['run', '--rm', IMAGE, 'no-such-cmd'], { okCodes: [125, 126, 127] });
  t.equal(r.code, 127);
  t.match(r.stderr, /no-such-cmd/);
});

t.test('the command is PID 1 and the container does not see host processes', async (t) => {
  const pid = await d.docker(['run', '--rm', IMAGE, 'sh', '-c', 'echo $$']);
  t.equal(pid.stdout.trim(), '1');
  const ps = await d.docker(['run', '--rm', IMAGE, 'ps', '-o', 'pid,comm']);
  const rows = ps.stdout.trim().split('\n').slice(1);
  t.ok(rows.length <= 2, `only the container's processes are visible: ${ps.stdout}`);
  t.notMatch(ps.stdout, /shoald|node|systemd/);
});

t.test('a published port answers HTTP from busybox httpd', async (t) => {
  const id = (await d.docker(['run', '-d', '-p', '127.0.0.1::80', IMAGE, 'httpd', '-f', '-p', '80', '-h', '/var/www'])).stdout.trim();
  t.teardown(() => d.docker(['rm', '-f', id]).then(() => undefined));
  const port = (await d.docker(['port', id, '80/tcp'])).stdout.trim();
  const m = /:(\d+)$/m.exec(port);
  t.ok(m, `docker port prints a host port: ${port}`);
  let res = { status: 0, body: '' };
  for (let i = 0; i < 50; i++) {
    res = await httpGet(`http://127.0.0.1:${m![1]}/index.html`).catch(() => ({ status: 0, body: '' }));
    if (res.status === 200) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  t.equal(res.status, 200);
  t.equal(res.body, 'hello from shoal\n');
});

t.test('a port already in use is refused and leaves no container behind', async (t) => {
  const first = (await d.docker(['run', '-d', '-p', '127.0.0.1:0:80', IMAGE, ...TRAP_SLEEP])).stdout.trim();
  t.teardown(() => d.docker(['rm', '-f', first]).then(() => undefined));
  const port = /:(\d+)$/m.exec((await d.docker(['port', first, '80/tcp'])).stdout.trim())![1]!;
  const before = (await d.docker(['ps', '-aq'])).stdout.trim().split('\n').filter(Boolean).length;
  const r = await d.docker(['run', '-d', '-p', `127.0.0.1:${port}:80`, IMAGE, ...TRAP_SLEEP], { okCodes: [125] });
  t.match(r.stderr, /already|in use|allocated/i);
  const ids = (await d.docker(['ps', '-aq'])).stdout.trim().split('\n').filter(Boolean);
  // docker run creates before starting; a failed start leaves a created container in Docker too.
  for (const id of ids) {
    if (id.startsWith(first.slice(0, 12))) continue;
    const st = (await d.docker(['inspect', '-f', '{{.State.Status}}', id])).stdout.trim();
    t.not(st, 'running');
  }
  t.ok(ids.length <= before + 1);
  // As in Docker, the container stays "created" after its start failed: remove it.
  const leftovers = ids.filter((id) => !first.startsWith(id));
  if (leftovers.length > 0) await d.docker(['rm', '-f', ...leftovers]);
  const mounts = await readFile('/proc/self/mounts', 'utf8');
  const overlays = mounts.split('\n').filter((l) => l.includes(d.dataRoot) && l.startsWith('overlay'));
  t.equal(overlays.length, 1, 'only the first container has a rootfs mounted');
});

t.test('a memory limit is enforced: OOMKilled is true', async (t) => {
  const r = await d.docker(['run', '--name', 'oom-test', '--memory', '16m', '--memory-swap', '16m', IMAGE,
    'sh', '-c', 'x=aaaaaaaaaaaaaaaa; while true; do x="$x$x"; done'], { okCodes: [137, 1, 2], timeoutMs: 60_000 });
  t.teardown(() => d.docker(['rm', '-f', 'oom-test']).then(() => undefined));
  const oom = (await d.docker(['inspect', '-f', '{{.State.OOMKilled}} {{.State.ExitCode}}', 'oom-test'])).stdout.trim();
  t.equal(oom, 'true 137', `exit ${r.code}`);
});

t.test('docker ps, inspect, stop, logs behave like Docker', async (t) => {
  const id = (await d.docker(['run', '-d', '--name', 'life', IMAGE, 'sh', '-c', 'echo started; trap "echo bye; exit 0" TERM; sleep 1d & wait'])).stdout.trim();
  t.teardown(() => d.docker(['rm', '-f', id]).then(() => undefined));
  const ps = await d.docker(['ps', '--format', '{{.Names}} {{.Image}} {{.State}}']);
  t.match(ps.stdout, /^life compat\/busybox:latest running$/m);
  const insp = JSON.parse((await d.docker(['inspect', id])).stdout) as Array<{ Id: string; State: { Pid: number; Running: boolean } }>;
  t.equal(insp[0]!.Id, id);
  t.ok(insp[0]!.State.Pid > 0);
  await d.docker(['stop', '-t', '5', id]);
  const st = (await d.docker(['inspect', '-f', '{{.State.Status}} {{.State.ExitCode}}', id])).stdout.trim();
  t.equal(st, 'exited 0');
  const logs = await d.docker(['logs', id]);
  t.equal(logs.stdout, 'started\nbye\n');
});

t.test('unknown ids and bad names get Docker errors', async (t) => {
  const r = await d.docker(['inspect', 'no-such-container-xyz'], { okCodes: [1] });
  t.match(r.stderr, /No such (object|container)/i);
  const bad = await d.docker(['create', '--name', 'bad name!', IMAGE], { okCodes: [1, 125] });
  t.match(bad.stderr, /Invalid container name/);
  const img = await d.docker(['create', 'Not/A:Valid::Ref'], { okCodes: [1, 125] });
  t.match(img.stderr, /invalid reference format/);
  const ids = (await d.docker(['ps', '-aq'])).stdout.trim();
  t.equal(ids, '', 'nothing was created');
  const dirs = await readdir(`${d.dataRoot}/containers`).catch(() => []);
  t.same(dirs, [], 'no container directory left behind');
});
