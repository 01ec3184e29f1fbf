// Compatibility with archives a real Docker Engine writes and reads. Starts
// a private dockerd (Debian docker.io) with its own data root, exec root and
// socket, no bridge and no iptables, so it touches nothing else.
import t from 'tap';
import { spawn } from 'node:child_process';
import { createReadStream, createWriteStream, openSync, closeSync } from 'node:fs';
import { access, mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { once } from 'node:events';
import { runTool, silentLogger } from '@shoal/common';
import { makeBusyboxRootfsTar } from '@shoal/testkit';
import { ImageStore } from './image-store.js';

const DOCKERD = '/usr/sbin/dockerd';
const have = await access(DOCKERD).then(() => true, () => false);

t.test('docker save -> shoal load, shoal save -> docker load', { skip: !have && 'dockerd is not installed (scripts/ensure-deps.sh --with-docker)' }, async (t) => {
  // /tmp, not t.testdir(): containerd's socket path under the exec root must stay short.
  const base = await mkdtemp('/tmp/shoal-dkr-');
  const sock = `${base}/d.sock`;
  const log = openSync(`${base}/dockerd.log`, 'w');
  const daemon = spawn(DOCKERD, [
    '--data-root', `${base}/data`, '--exec-root', `${base}/exec`, '-H', `unix://${sock}`, '--pidfile', `${base}/d.pid`,
    '--bridge=none', '--iptables=false', '--ip6tables=false', '--ip-masq=false', '--userland-proxy=false', '--storage-driver=vfs',
  ], { stdio: ['ignore', log, log] });
  closeSync(log);
  const exited = once(daemon, 'exit');
  t.teardown(async () => {
    if (daemon.exitCode === null) {
      daemon.kill('SIGTERM');
      await exited;
    }
    await rm(base, { recursive: true, force: true });
  });
  const env = { ...process.env, DOCKER_HOST: `unix://${sock}`, DOCKER_BUILDKIT: '0' };
  const docker = (...args: string[]) => runTool(['docker', ...args], { env, timeoutMs: 60_000 });
  // dockerd is an external process: poll its socket with a bounded deadline.
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (daemon.exitCode !== null) throw new Error(`dockerd exited with ${daemon.exitCode}; see ${base}/dockerd.log`);
    const ok = await docker('version', '--format', '{{.Server.Version}}').then(() => true, () => false);
    if (ok) break;
    if (Date.now() > deadline) throw new Error('dockerd did not answer within 30 s');
    await new Promise((r) => setTimeout(r, 100));
  }

  // An imported image and a two-layer image built on it (COPY + LABEL need no container run).
  const tarPath = await makeBusyboxRootfsTar(`${base}/rootfs-work`, `${base}/bb.tar`);
  await docker('import', '-c', 'CMD ["sh"]', '-c', 'ENV A=1', '-m', 'from docker', tarPath, 'dk/bb:1');
  await mkdir(`${base}/ctx`);
  await writeFile(`${base}/ctx/f`, 'hello\n');
  await writeFile(`${base}/ctx/Dockerfile`, 'FROM dk/bb:1\nCOPY f /f\nLABEL x=y\n');
  await docker('build', '-q', '-t', 'dk/two:1', `${base}/ctx`);
  const dkInspect = async (ref: string) => JSON.parse((await docker('image', 'inspect', ref)).stdout)[0] as {
    Id: string; RootFS: { Layers: string[] }; Config: { Cmd: string[]; Env: string[]; Labels: Record<string, string> | null }; Created: string; Comment: string;
  };
  const bb = await dkInspect('dk/bb:1');
  const two = await dkInspect('dk/two:1');
  await docker('save', '-o', `${base}/saved.tar`, 'dk/bb:1', 'dk/two:1');

  const store = await ImageStore.open({ root: `${base}/shoal`, log: silentLogger() });
  const msgs = await store.load(createReadStream(`${base}/saved.tar`));
  t.same(msgs.map((m) => m.stream).sort(), ['Loaded image: dk/bb:1\n', 'Loaded image: dk/two:1\n']);
  for (const [ref, want] of [['dk/bb:1', bb], ['dk/two:1', two]] as const) {
    const got = await store.inspect(ref);
    t.equal(got.Id, want.Id, `${ref}: same Id as Docker`);
    t.same(got.RootFS.Layers, want.RootFS.Layers, `${ref}: same diff ids`);
    t.same(got.Config.Cmd, want.Config.Cmd);
    t.same(got.Config.Env, want.Config.Env);
    t.equal(got.Created, want.Created);
  }
  t.equal((await store.inspect('dk/bb:1')).Comment, 'from docker');
  t.same((await store.inspect('dk/two:1')).Config.Labels, { x: 'y' });
  const hist = await store.history('dk/two:1');
  const dkHist = JSON.parse(`[${(await docker('history', '--no-trunc', '--format', '{{json .}}', 'dk/two:1')).stdout.trim().split('\n').join(',')}]`) as Array<{ CreatedBy: string }>;
  t.same(hist.map((h) => h.CreatedBy), dkHist.map((h) => h.CreatedBy), 'history as docker shows it, newest first');
  const paths = await store.layerPaths(two.Id);
  t.equal(paths.length, 2);
  await access(`${paths[1]}/f`);

  // The other way: Docker loads what we save, with the same Id and tag.
  await docker('rmi', 'dk/two:1');
  const out = createWriteStream(`${base}/ours.tar`);
  await store.save(['dk/two:1'], out);
  if (!out.writableFinished) await once(out, 'finish');
  const loaded = await docker('load', '-i', `${base}/ours.tar`);
  t.match(loaded.stdout, /Loaded image: dk\/two:1/);
  t.equal((await dkInspect('dk/two:1')).Id, two.Id, 'docker load of our archive gives the same Id');
});
