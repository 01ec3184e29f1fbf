import t from 'tap';
import Docker from 'dockerode';
import { PassThrough } from 'node:stream';
import { join } from 'node:path';
import { makeBusyboxRootfsTar } from '@shoal/testkit';
import { daemonWithImage, IMAGE } from '../testing/compat-fixture.js';

const d = await daemonWithImage();
t.teardown(() => d.cleanup());
const docker = new Docker({ socketPath: d.socketPath });

t.test('dockerode: ping, version, images', async (t) => {
  t.equal(String(await docker.ping()), 'OK');
  const v = await docker.version();
  t.equal(v.ApiVersion, '1.44');
  const images = await docker.listImages();
  t.ok(images.some((i) => (i.RepoTags ?? []).includes(IMAGE)));
});

t.test('dockerode: create, attach, start, wait, logs, remove', async (t) => {
  const c = await docker.createContainer({ Image: IMAGE, Cmd: ['sh', '-c', 'echo to-out; echo to-err >&2; exit 4'], AttachStdout: true, AttachStderr: true });
  const stream = await c.attach({ stream: true, stdout: true, stderr: true });
  const out = new PassThrough();
  const err = new PassThrough();
  let o = '';
  let e = '';
  out.on('data', (b: Buffer) => (o += b.toString()));
  err.on('data', (b: Buffer) => (e += b.toString()));
  const ended = new Promise((r) => stream.once('end', r));
  docker.modem.demuxStream(stream, out, err);
  // A created container is already "not running": wait for its next exit, as docker run does.
  const waited = c.wait({ condition: 'next-exit' });
  await c.start();
  const res = (await waited) as { StatusCode: number };
  t.equal(res.StatusCode, 4);
  await ended;
  t.equal(o, 'to-out\n');
  t.equal(e, 'to-err\n');
  const logs = (await c.logs({ stdout: true, stderr: false })) as Buffer;
  t.match(logs.toString(), /to-out/);
  t.notMatch(logs.toString(), /to-err/);
  await c.remove();
  const gone = await c.inspect().catch((x: { statusCode?: number }) => x);
  t.equal((gone as { statusCode?: number }).statusCode, 404, 'inspect after remove is 404');
});

t.test('dockerode: exec in a running container', async (t) => {
  const c = await docker.createContainer({ Image: IMAGE, Cmd: ['sh', '-c', 'trap "exit 0" TERM; sleep 1d & wait'] });
  t.teardown(() => c.remove({ force: true }));
  await c.start();
  const ex = await c.exec({ Cmd: ['sh', '-c', 'echo exec-ok; exit 5'], AttachStdout: true, AttachStderr: true });
  const s = await ex.start({ hijack: true, stdin: false });
  const ended = new Promise((r) => s.once('end', r));
  const out = new PassThrough();
  let o = '';
  out.on('data', (b: Buffer) => (o += b.toString()));
  docker.modem.demuxStream(s, out, new PassThrough());
  await ended;
  t.equal(o, 'exec-ok\n');
  const info = await ex.inspect();
  t.equal(info.ExitCode, 5);
  t.equal(info.Running, false);
});

// `rmi` used to learn of a new container only after the create event had been
// processed (a re-read of the container list): an rmi at the same instant as
// a create deleted the image under the new container. Now either the create
// wins (rmi refused, 409) or the rmi does (create answers 404): never both.
t.test('dockerode: an rmi racing a create never deletes the image under the new container', async (t) => {
  const tar = join(t.testdir(), 'rootfs.tar');
  await makeBusyboxRootfsTar(t.testdir(), tar);
  let bothWon = 0;
  let createWon = 0;
  for (let i = 0; i < 12; i++) {
    const ref = `race/img:${i}`;
    await d.docker(['import', tar, ref]);
    const [created, removed] = await Promise.allSettled([
      docker.createContainer({ Image: ref, Cmd: ['true'] }),
      docker.getImage(ref).remove(),
    ]);
    if (created.status === 'fulfilled' && removed.status === 'fulfilled') bothWon++;
    if (created.status === 'fulfilled') {
      createWon++;
      // The image is still there: the container can start.
      await created.value.start();
      await created.value.wait();
      await created.value.remove();
    }
  }
  t.equal(bothWon, 0, 'never both');
  t.comment(`create won ${createWon} of 12`);
});

// dockerode sends no Cmd at all when none is given (the docker CLI sends null):
// both mean "the image's".
t.test('dockerode: a container with no Cmd runs the image\'s ENTRYPOINT and CMD', async (t) => {
  const dir = t.testdir();
  const tar = await makeBusyboxRootfsTar(dir, join(dir, 'rootfs.tar'));
  await d.docker(['import', '--change', 'ENTRYPOINT ["/bin/echo","ep"]', '--change', 'CMD ["from-image"]', tar, 'dockerode/ep:1']);
  for (const body of [{ Image: 'dockerode/ep:1' }, { Image: 'dockerode/ep:1', Cmd: null, Entrypoint: null }]) {
    const c = await docker.createContainer(body as Docker.ContainerCreateOptions);
    const waited = c.wait({ condition: 'next-exit' });
    await c.start();
    t.equal((await waited as { StatusCode: number }).StatusCode, 0);
    const logs = (await c.logs({ stdout: true, follow: false })) as unknown as Buffer;
    // Logs are stdcopy-framed: the payload follows an 8-byte header.
    t.equal(logs.subarray(8).toString(), 'ep from-image\n', JSON.stringify(body));
    await c.remove();
  }
});

t.test('dockerode: volumes (create, list with filters, a container\'s -v, remove refused in use)', async (t) => {
  await docker.createVolume({ Name: 'dode-data', Labels: { app: 'dode' } });
  t.match(await docker.getVolume('dode-data').inspect(), { Name: 'dode-data', Driver: 'local', Scope: 'local', Labels: { app: 'dode' } });
  const listed = await docker.listVolumes({ filters: { label: ['app=dode'] } });
  t.same(listed.Volumes.map((x) => x.Name), ['dode-data']);
  const c = await docker.createContainer({ Image: IMAGE, Cmd: ['sh', '-c', 'echo from-dockerode > /v/f'], HostConfig: { Binds: ['dode-data:/v'] } });
  const waited = c.wait({ condition: 'next-exit' });
  await c.start();
  t.equal(((await waited) as { StatusCode: number }).StatusCode, 0);
  const refused = await docker.getVolume('dode-data').remove().catch((e: { statusCode?: number; message?: string }) => e);
  t.equal((refused as { statusCode?: number }).statusCode, 409);
  await c.remove({ v: true });
  const inspected = await docker.getVolume('dode-data').inspect();
  t.equal(inspected.Name, 'dode-data', 'rm -v keeps a named volume');
  await docker.getVolume('dode-data').remove();
  const gone = await docker.getVolume('dode-data').inspect().catch((e: { statusCode?: number }) => e);
  t.equal((gone as { statusCode?: number }).statusCode, 404);
});
