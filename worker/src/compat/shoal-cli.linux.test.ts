import t from 'tap';
import { join, resolve } from 'node:path';
import { makeBusyboxRootfsTar } from '@shoal/testkit';
import { get } from 'node:http';
import { runTool } from '@shoal/common';
import { daemonWithImage, IMAGE, TRAP_SLEEP } from '../testing/compat-fixture.js';

// The shoal CLI from its sources against a real shoald: the same flows a user
// runs, asserted on their effects.
const repo = resolve(import.meta.dirname, '../../..');
const d = await daemonWithImage();
t.teardown(() => d.cleanup());

function shoal(args: string[], okCodes = [0]) {
  return runTool([process.execPath, '--import', 'tsx', '--conditions=shoal-source', resolve(repo, 'cli/src/main.ts'), ...args], {
    okCodes, timeoutMs: 60_000, cwd: repo, env: { ...process.env, SHOAL_HOST: d.host, DOCKER_HOST: d.host },
  });
}

function httpBody(url: string): Promise<string> {
  return new Promise((res, rej) => {
    get(url, (r) => {
      let b = '';
      r.on('data', (c: Buffer) => (b += c.toString()));
      r.on('end', () => res(b));
    }).on('error', rej);
  });
}

t.test('shoal run --rm prints output and propagates the exit code', async (t) => {
  const r = await shoal(['run', '--rm', IMAGE, 'sh', '-c', 'echo hi; echo oops >&2; exit 6'], [6]);
  t.equal(r.code, 6);
  t.equal(r.stdout, 'hi\n');
  t.equal(r.stderr, 'oops\n');
});

t.test('shoal run IMAGE runs the image\'s own CMD and ENTRYPOINT', async (t) => {
  const dir = t.testdir();
  const tar = await makeBusyboxRootfsTar(dir, join(dir, 'rootfs.tar'));
  await shoal(['image', 'import', '--change', 'CMD ["/bin/sh","-c","echo hi from cmd"]', tar, 'cli/cmd:1']);
  await shoal(['image', 'import', '--change', 'ENTRYPOINT ["/bin/echo","ep"]', '--change', 'CMD ["default"]', tar, 'cli/entrypoint:1']);
  t.equal((await shoal(['run', '--rm', 'cli/cmd:1'])).stdout, 'hi from cmd\n', 'CMD');
  t.equal((await shoal(['run', '--rm', 'cli/entrypoint:1'])).stdout, 'ep default\n', 'ENTRYPOINT + CMD');
  t.equal((await shoal(['run', '--rm', 'cli/entrypoint:1', 'mine'])).stdout, 'ep mine\n', 'arguments replace CMD');
});

t.test('shoal run -d -p, ps, port, exec, logs, stop, rm', async (t) => {
  const id = (await shoal(['run', '-d', '--name', 'web', '-p', '127.0.0.1::80', IMAGE, 'httpd', '-f', '-p', '80', '-h', '/var/www'])).stdout.trim();
  t.match(id, /^[0-9a-f]{64}$/);
  const ps = await shoal(['ps', '--format', '{{.Names}}\t{{.Status}}']);
  t.match(ps.stdout, /^web\tUp /m);
  const port = (await shoal(['port', 'web', '80'])).stdout.trim();
  const hostPort = /:(\d+)$/.exec(port)?.[1];
  t.ok(hostPort, port);
  let body = '';
  for (let i = 0; i < 50 && body === ''; i++) {
    body = await httpBody(`http://127.0.0.1:${hostPort}/`).catch(() => '');
    if (body === '') await new Promise((r) => setTimeout(r, 100));
  }
  t.equal(body, 'hello from shoal\n');
  const ex = await shoal(['exec', 'web', 'cat', '/etc/hostname']);
  t.equal(ex.stdout.trim(), id.slice(0, 12), 'hostname is the short id');
  const insp = await shoal(['inspect', '-f', '{{.State.Running}} {{.Config.Image}}', 'web']);
  t.equal(insp.stdout.trim(), `true ${IMAGE}`);
  await shoal(['rm', '-f', 'web']);
  const after = await shoal(['ps', '-aq']);
  t.equal(after.stdout.trim(), '');
});

t.test('shoal errors are worded like docker and nothing is left behind', async (t) => {
  const r = await shoal(['run', '--rm', '-m', '1m', IMAGE, 'true'], [125]);
  t.match(r.stderr, /Minimum memory limit allowed is 6MB/);
  const missing = await shoal(['run', '--rm', 'no/such-image:1', 'true'], [125]);
  t.match(missing.stderr, /No such image|Unable to find image/);
  const ids = await shoal(['ps', '-aq']);
  t.equal(ids.stdout.trim(), '');
});

t.test('shoal images and image inspect show the imported image', async (t) => {
  const r = await shoal(['images', '--format', '{{.Repository}}:{{.Tag}}']);
  t.match(r.stdout, /^compat\/busybox:latest$/m);
  const layers = JSON.parse((await shoal(['image', 'inspect', '-f', '{{json .RootFS.Layers}}', IMAGE])).stdout) as string[];
  t.equal(layers.length, 1);
  t.match(layers[0], /^sha256:[0-9a-f]{64}$/);
});

t.test('a container started with a trap stops fast with shoal stop', async (t) => {
  const id = (await shoal(['run', '-d', IMAGE, ...TRAP_SLEEP])).stdout.trim();
  await shoal(['stop', id]);
  const st = await shoal(['inspect', '-f', '{{.State.Status}} {{.State.ExitCode}}', id]);
  t.equal(st.stdout.trim(), 'exited 0');
  await shoal(['rm', id]);
});

// The same volume session typed into `shoal` and into `docker`: the outputs
// must be the same, names aside (each CLI works on volumes of its own).
t.test('shoal volume create/ls/inspect/rm/prune print what docker prints', async (t) => {
  const session = async (cli: 'shoal' | 'docker'): Promise<string[]> => {
    const run = (args: string[], ok = [0]) => (cli === 'shoal' ? shoal(args, ok) : d.docker(args, { okCodes: ok }));
    const n = (s: string): string => `${cli}-${s}`;
    const outs: string[] = [];
    const keep = async (args: string[], ok = [0]): Promise<void> => {
      const r = await run(args, ok);
      outs.push(`$ ${args.join(' ')}\n${r.stdout}${r.stderr}[${r.code}]`.replaceAll(`${cli}-`, 'X-').replace(/[0-9a-f]{64}/g, 'ID'));
    };
    await keep(['volume', 'create', '--label', 'tier=db', n('data')]);
    await keep(['volume', 'create', '-o', 'type=tmpfs', '-o', 'device=tmpfs', '-o', 'o=size=1m', n('fast')]);
    await keep(['volume', 'ls', '--filter', `name=${cli}-`]);
    await keep(['volume', 'ls', '-q', '--filter', 'label=tier=db']);
    await keep(['volume', 'ls', '--format', '{{.Name}} {{.Driver}} {{.Scope}} {{.Labels}} {{.Label "tier"}}', '--filter', `name=${cli}-`]);
    await keep(['volume', 'inspect', '-f', '{{.Name}} {{.Driver}} {{.Options}} {{.Labels}}', n('data'), n('fast')]);
    await keep(['volume', 'inspect', n('nope')], [1]);
    await keep(['run', '--rm', '-v', `${n('data')}:/d`, IMAGE, 'sh', '-c', 'echo saved > /d/f']);
    await keep(['run', '--rm', '--mount', `type=volume,src=${n('data')},dst=/d,readonly`, IMAGE, 'cat', '/d/f']);
    await keep(['create', '--name', n('holder'), '-v', `${n('data')}:/d`, IMAGE, 'true']);
    await keep(['volume', 'rm', n('data'), n('nope')], [1]);
    await keep(['rm', n('holder')]);
    await keep(['volume', 'rm', n('data'), n('fast')]);
    await keep(['create', '--name', n('anon'), '-v', '/scratch', IMAGE, 'true']);
    await keep(['rm', n('anon')]);
    await keep(['volume', 'prune', '-f']);
    await keep(['volume', 'create', '-o', 'colour=red', n('bad')], [1]);
    return outs;
  };
  const fromShoal = await session('shoal');
  const fromDocker = await session('docker');
  t.same(fromShoal, fromDocker);
  t.match(fromShoal.join('\n'), /volume is in use - \[ID\]/);
  t.match(fromShoal.join('\n'), /Deleted Volumes:\nID\n\nTotal reclaimed space: 0B/);
});
