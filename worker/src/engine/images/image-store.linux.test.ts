// Needs root (the layer unpacker makes devices, chowns, sets trusted xattrs).
import t from 'tap';
import { createReadStream } from 'node:fs';
import { access, readdir, readFile, stat } from 'node:fs/promises';
import { PassThrough, Readable } from 'node:stream';
import { once } from 'node:events';
import { extract } from 'tar-stream';
import { ManualClock, makeBusyboxRootfsTar } from '@shoal/testkit';
import { silentLogger, type EngineEventInput } from '@shoal/common';
import { ImageStore, type ImageUser } from './image-store.js';

async function busyboxTar(dir: string): Promise<string> {
  return makeBusyboxRootfsTar(`${dir}/work`, `${dir}/busybox.tar`);
}

async function openStore(root: string, clock = new ManualClock(Date.parse('2024-01-01T00:00:00Z'))) {
  const events: EngineEventInput[] = [];
  const store = await ImageStore.open({ root, log: silentLogger(), clock, events: (e) => events.push(e), platform: { architecture: 'amd64', os: 'linux' } });
  return { store, events, clock };
}

/** Read a tar into name -> bytes. */
async function readTar(data: Buffer): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  const ex = extract();
  Readable.from([data]).pipe(ex as unknown as NodeJS.WritableStream);
  for await (const entry of ex) {
    const chunks: Buffer[] = [];
    for await (const c of entry) chunks.push(c as Buffer);
    out.set(entry.header.name, Buffer.concat(chunks));
  }
  return out;
}

async function saveToBuffer(store: ImageStore, refs: string[]): Promise<Buffer> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  await store.save(refs, out);
  return Buffer.concat(chunks);
}

t.test('import, resolve, layer paths, inspect, history, events, reopen', async (t) => {
  const dir = t.testdir();
  const tarPath = await busyboxTar(dir);
  const { store, events } = await openStore(`${dir}/image`);
  const id = await store.importRootfs(createReadStream(tarPath), {
    repo: 'busybox', tag: 'test',
    changes: ['CMD ["sh"]', 'ENV A=1 B="two words"', 'WORKDIR /srv', 'EXPOSE 80', 'LABEL app=web', 'USER app', 'STOPSIGNAL SIGINT', 'VOLUME /data'],
  });
  t.match(id, /^sha256:[a-f0-9]{64}$/);
  const configBlob = await readFile(`${dir}/image/blobs/sha256/${id.slice(7)}`);
  const { createHash } = await import('node:crypto');
  t.equal(`sha256:${createHash('sha256').update(configBlob).digest('hex')}`, id, 'Id is the sha256 of the config JSON');

  const r = await store.resolveImage('busybox:test');
  t.equal(r.id, id);
  t.equal(r.repoTag, 'busybox:test');
  t.same(r.config.Cmd, ['sh']);
  t.same(r.config.Env, ['A=1', 'B=two words']);
  t.equal(r.config.WorkingDir, '/srv');
  t.same(r.config.ExposedPorts, { '80/tcp': {} });
  t.equal(r.config.User, 'app');
  t.equal((await store.resolveImage(id.slice(7, 19))).id, id, 'short id prefix resolves');
  t.equal((await store.resolveImage(id)).id, id, 'full id resolves');
  await t.rejects(store.resolveImage('busybox'), { code: 'ENGINE_IMAGE_NOT_FOUND', status: 404, message: 'No such image: busybox:latest' });

  const paths = await store.layerPaths(id);
  t.equal(paths.length, 1);
  const bb = await stat(`${paths[0]}/bin/busybox`);
  t.ok(bb.isFile() && (bb.mode & 0o111) !== 0, 'the layer has an executable /bin/busybox');
  t.equal((await stat(`${paths[0]}/tmp`)).mode & 0o7777, 0o1777, 'sticky /tmp kept');
  t.equal(await readFile(`${paths[0]}/var/www/index.html`, 'utf8'), 'hello from shoal\n');

  const ins = await store.inspect('busybox:test');
  t.equal(ins.Id, id);
  t.same(ins.RepoTags, ['busybox:test']);
  t.same(ins.RepoDigests, []);
  t.equal(ins.Comment, 'Imported from -');
  t.equal(ins.Created, '2024-01-01T00:00:00Z', 'RFC 3339 as Go prints it');
  t.equal(ins.DockerVersion, '');
  t.equal(ins.Architecture, 'amd64');
  t.equal(ins.Os, 'linux');
  t.equal(ins.GraphDriver.Name, 'overlay2');
  t.equal(ins.GraphDriver.Data?.UpperDir, paths[0]);
  t.equal(ins.RootFS.Type, 'layers');
  t.equal(ins.RootFS.Layers.length, 1);
  t.ok(ins.Size > 500_000, `Size counts the busybox binary (${ins.Size})`);
  t.equal(ins.Metadata.LastTagTime, '2024-01-01T00:00:00Z');
  await t.rejects(store.inspect('Busybox'), { code: 'COMMON_REFERENCE_INVALID', status: 400 });
  t.same(ins.Config.Labels, { app: 'web' });
  t.equal(ins.Config.StopSignal, 'SIGINT');
  t.same(ins.Config.Volumes, { '/data': {} });
  t.equal(ins.Config.Hostname, '');

  const hist = await store.history('busybox:test');
  t.equal(hist.length, 1);
  t.equal(hist[0]?.Id, id);
  t.same(hist[0]?.Tags, ['busybox:test']);
  t.equal(hist[0]?.Comment, 'Imported from -');
  t.equal(hist[0]?.Size, ins.Size);

  t.same(events.map((e) => [e.Type, e.Action, e.Actor.Attributes.name]), [['image', 'tag', 'busybox:test'], ['image', 'import', id]]);
  t.equal(events[0]?.Actor.Attributes.app, 'web', 'image labels are event attributes');
  t.same(store.counts(), { images: 1 });

  const again = await openStore(`${dir}/image`);
  t.equal((await again.store.resolveImage('busybox:test')).id, id, 'metadata persisted across open');
  t.same(await again.store.layerPaths(id), paths);
  t.same((await again.store.inspect(id)).Metadata, ins.Metadata);
});

t.test('tag, list filters, rmi, layer refcount', async (t) => {
  const dir = t.testdir();
  const tarPath = await busyboxTar(dir);
  const { store, events, clock } = await openStore(`${dir}/image`);
  const a = await store.importRootfs(createReadStream(tarPath), { repo: 'busybox', changes: ['LABEL tier=a'] });
  clock.advance(60_000);
  const b = await store.importRootfs(createReadStream(tarPath), { repo: 'localhost:5000/team/app', tag: 'v1', changes: ['LABEL tier=b'] });
  clock.advance(60_000);
  const c = await store.importRootfs(createReadStream(tarPath), { message: 'untagged' });
  t.not(a, b);
  t.same(await store.layerPaths(a), await store.layerPaths(b), 'same rootfs: one shared layer dir');
  t.equal((await readdir(`${dir}/image/layers`)).length, 1);

  await store.tag(a, 'Busybox:x').then(() => t.fail('uppercase accepted'), (e: { code: string; status: number }) => {
    t.equal(e.code, 'COMMON_REFERENCE_INVALID');
    t.equal(e.status, 400);
  });
  await store.tag('busybox', 'busybox', 'extra');
  await store.tag('busybox:latest', 'docker.io/library/mirror');
  t.same((await store.inspect(a)).RepoTags, ['busybox:extra', 'busybox:latest', 'mirror:latest']);
  await t.rejects(store.tag(a, `busybox@sha256:${'a'.repeat(64)}`), { code: 'ENGINE_IMAGE_INVALID_PARAMETER' });

  const ids = async (filters: Record<string, string[]>, all = false) => (await store.list({ filters, all })).map((s) => s.Id);
  t.same(await ids({}), [c, b, a], 'newest first');
  t.same(await ids({ dangling: ['true'] }), [c]);
  t.same(await ids({ dangling: ['false'] }), [b, a]);
  t.same(await ids({ reference: ['busy*'] }), [a]);
  t.same(await ids({ reference: ['localhost:5000/team/*:v1'] }), [b]);
  t.same(await ids({ label: ['tier=b'] }), [b]);
  t.same(await ids({ label: ['tier'] }), [b, a]);
  t.same(await ids({ before: ['localhost:5000/team/app:v1'] }), [a]);
  t.same(await ids({ since: ['busybox'] }), [c, b]);
  t.same(await ids({ until: ['50s'] }), [b, a], 'until: a duration before now');
  const filtered = await store.list({ filters: { reference: ['busybox:ex*'] } });
  t.same(filtered[0]?.RepoTags, ['busybox:extra'], 'reference filter narrows RepoTags');
  await t.rejects(store.list({ filters: { colour: ['x'] } }), { code: 'ENGINE_IMAGE_INVALID_FILTER', status: 400 });
  await t.rejects(store.list({ filters: { before: ['nope'] } }), { code: 'ENGINE_IMAGE_NOT_FOUND' });
  const sum = (await store.list({}))[0];
  t.same(sum?.RepoTags, [], 'dangling image: empty RepoTags (API 1.43+)');
  t.equal(sum?.Containers, -1);

  // rmi by tag only untags while other tags remain.
  events.length = 0;
  t.same(await store.remove('busybox:extra', {}), [{ Untagged: 'busybox:extra' }]);
  t.same(events.map((e) => e.Action), ['untag']);
  // by id with tags in several repositories: conflict unless forced.
  await t.rejects(store.remove(a, {}), { code: 'ENGINE_IMAGE_CONFLICT', status: 409, message: `conflict: unable to delete ${a.slice(7, 19)} (must be forced) - image is referenced in multiple repositories` });

  // containers: b is used by a running container, c by a stopped one.
  const users = new Map<string, ImageUser>([[b, { containerId: 'b'.repeat(64), running: true }], [c, { containerId: 'c'.repeat(64), running: false }]]);
  store.setInUseCheck((id) => users.get(id));
  await t.rejects(store.remove('localhost:5000/team/app:v1', {}), {
    code: 'ENGINE_IMAGE_CONFLICT',
    message: `conflict: unable to remove repository reference "localhost:5000/team/app:v1" (must force) - container ${'b'.repeat(12)} is using its referenced image ${b.slice(7, 19)}`,
  });
  await t.rejects(store.remove(b, { force: true }), { code: 'ENGINE_IMAGE_CONFLICT', message: `conflict: unable to delete ${b.slice(7, 19)} (cannot be forced) - image is being used by running container ${'b'.repeat(12)}` });
  await t.rejects(store.remove(c, {}), { code: 'ENGINE_IMAGE_CONFLICT', message: `conflict: unable to delete ${c.slice(7, 19)} (must be forced) - image is being used by stopped container ${'c'.repeat(12)}` });
  t.same(await store.remove(c, { force: true }), [{ Deleted: c }], 'forced: deleted, the shared layer stays');
  t.same(await store.layerPaths(c), await store.layerPaths(a), 'a force-removed image keeps its layers for its container');
  await t.rejects(store.resolveImage(c), { code: 'ENGINE_IMAGE_NOT_FOUND' });

  // force by id removes every tag, then the image.
  const recs = await store.remove(a, { force: true });
  t.same(recs, [{ Untagged: 'busybox:latest' }, { Untagged: 'mirror:latest' }, { Deleted: a }]);
  users.delete(b);
  const layer = (await store.layerPaths(b))[0] as string;
  const last = await store.remove('localhost:5000/team/app:v1', {});
  t.equal(last.length, 2, 'untag, delete image; the layer stays for the ghost of c');
  await access(layer);
  users.delete(c);
  await store.collectGhosts();
  await t.rejects(access(layer), 'layer released when no image or container uses it');
  t.same(await readdir(`${dir}/image/layers`), []);
  t.same(await readdir(`${dir}/image/blobs/sha256`), [], 'configs and layer tars released');
  t.same(store.counts(), { images: 0 });
});

t.test('prune', async (t) => {
  const dir = t.testdir();
  const tarPath = await busyboxTar(dir);
  const { store, clock, events } = await openStore(`${dir}/image`);
  const old = await store.importRootfs(createReadStream(tarPath), { changes: ['LABEL keep=no'] });
  clock.advance(3600_000);
  const dangling = await store.importRootfs(createReadStream(tarPath), { changes: ['LABEL keep=yes'] });
  const tagged = await store.importRootfs(createReadStream(tarPath), { repo: 'app', changes: ['LABEL x=1'] });
  const used = await store.importRootfs(createReadStream(tarPath), { changes: ['LABEL y=1'] });
  store.setInUseCheck((id) => (id === used ? { containerId: 'd'.repeat(64), running: false } : undefined));

  await t.rejects(store.prune({ bogus: ['1'] }), { code: 'ENGINE_IMAGE_INVALID_FILTER' });
  const r1 = await store.prune({ until: ['30m'] });
  t.same(r1.ImagesDeleted, [{ Deleted: old }], 'until: only images older than 30m');
  t.equal(r1.SpaceReclaimed, 0, 'the shared layer was not freed');
  const r2 = await store.prune({ 'label!': ['keep=yes'] });
  t.same(r2.ImagesDeleted, null, 'label! excludes; tagged and used images are not dangling candidates');
  const r3 = await store.prune({});
  t.same(r3.ImagesDeleted, [{ Deleted: dangling }]);
  const r4 = await store.prune({ dangling: ['false'] });
  t.same(r4.ImagesDeleted, [{ Untagged: 'app:latest' }, { Deleted: tagged }], 'dangling=false: unused tagged images too');
  t.ok((await store.list({})).some((s) => s.Id === used), 'image used by a container is kept');
  store.setInUseCheck(() => undefined);
  const r5 = await store.prune({});
  t.equal(r5.ImagesDeleted?.length, 2, 'image and its layer');
  t.ok(r5.SpaceReclaimed > 500_000, 'the last image frees the layer');
  t.equal(events.filter((e) => e.Action === 'prune').length, 5);
});

t.test('save -> load round trip into a fresh store, archive shape as docker save', async (t) => {
  const dir = t.testdir();
  const tarPath = await busyboxTar(dir);
  const { store } = await openStore(`${dir}/a`);
  const id1 = await store.importRootfs(createReadStream(tarPath), { repo: 'busybox', tag: 'one', changes: ['CMD ["sh"]'] });
  await store.tag(id1, 'busybox', 'two');
  const id2 = await store.importRootfs(createReadStream(tarPath), { repo: 'other', changes: ['CMD ["true"]'] });
  const data = await saveToBuffer(store, ['busybox', 'other:latest']);
  const entries = await readTar(data);
  const manifest = JSON.parse(entries.get('manifest.json')?.toString() ?? 'null') as Array<{ Config: string; RepoTags: string[]; Layers: string[] }>;
  t.equal(manifest.length, 2);
  t.same(manifest[0]?.RepoTags, ['busybox:one', 'busybox:two'], 'repository name saves all its tags');
  t.equal(manifest[0]?.Config, `blobs/sha256/${id1.slice(7)}`);
  t.same(manifest[1]?.RepoTags, ['other:latest']);
  t.equal(manifest[0]?.Layers[0], manifest[1]?.Layers[0], 'shared layer written once');
  t.ok(entries.has(manifest[0]?.Layers[0] as string));
  const index = JSON.parse(entries.get('index.json')?.toString() ?? '{}') as { manifests: Array<{ annotations?: Record<string, string> }> };
  t.same(index.manifests.map((m) => m.annotations?.['io.containerd.image.name']), ['docker.io/library/busybox:one', 'docker.io/library/busybox:two', 'docker.io/library/other:latest']);
  t.equal(entries.get('oci-layout')?.toString(), '{"imageLayoutVersion":"1.0.0"}');
  t.ok(entries.has('repositories'));

  const fresh = await openStore(`${dir}/b`);
  const msgs = await fresh.store.load(Readable.from([data]));
  t.same(msgs, [{ stream: 'Loaded image: busybox:one\n' }, { stream: 'Loaded image: busybox:two\n' }, { stream: 'Loaded image: other:latest\n' }]);
  t.equal((await fresh.store.resolveImage('busybox:two')).id, id1, 'same Id after load');
  t.equal((await fresh.store.resolveImage('other')).id, id2);
  t.same((await fresh.store.inspect(id1)).RootFS, (await store.inspect(id1)).RootFS);
  const lp = await fresh.store.layerPaths(id1);
  await access(`${lp[0]}/bin/busybox`);
  t.same(fresh.events.map((e) => [e.Action, e.Actor.ID]), [['load', id1], ['load', id2]], 'load events only, as Docker');
  t.equal((await fresh.store.inspect(id1)).Metadata.LastTagTime, '0001-01-01T00:00:00Z', 'a loaded tag has no LastTagTime, as Docker');

  // Loading again over a tag that points elsewhere moves the tag and says so.
  const moved = await openStore(`${dir}/d`);
  const local = await moved.store.importRootfs(createReadStream(tarPath), { repo: 'other', changes: ['CMD ["local"]'] });
  const again = await moved.store.load(Readable.from([data]));
  t.ok(again.some((m) => m.stream === `The image other:latest already exists, renaming the old one with ID ${local} to empty string\n`));
  t.same((await moved.store.inspect(local)).RepoTags, [], 'the old image is dangling now');
  t.same((await moved.store.list({ filters: { dangling: ['true'] } })).map((s) => s.Id), [local]);

  // by id: no tags in the archive, "Loaded image ID" on load.
  const byId = await readTar(await saveToBuffer(store, [id2.slice(7, 19)]));
  t.same(JSON.parse(byId.get('manifest.json')?.toString() ?? '[]'), [{ Config: `blobs/sha256/${id2.slice(7)}`, RepoTags: null, Layers: manifest[1]?.Layers }]);
  const third = await openStore(`${dir}/c`);
  t.same(await third.store.load(Readable.from([await saveToBuffer(store, [id2])])), [{ stream: `Loaded image ID: ${id2}\n` }]);
  await t.rejects(saveToBuffer(store, ['nope:1']), { code: 'ENGINE_IMAGE_NOT_FOUND' });
});

t.test('an ambiguous id prefix is refused', async (t) => {
  const dir = t.testdir();
  const tarPath = await busyboxTar(dir);
  const { store } = await openStore(`${dir}/image`);
  const ids: string[] = [];
  // 17 images: by pigeonhole two share the first hex digit of their id.
  for (let i = 0; i < 17; i++) ids.push(await store.importRootfs(createReadStream(tarPath), { changes: [`LABEL n=${i}`] }));
  const first = ids.map((id) => id.slice(7, 8));
  const shared = first.find((c, i) => first.indexOf(c) !== i) as string;
  await t.rejects(store.inspect(shared), { code: 'ENGINE_IMAGE_AMBIGUOUS', status: 400 });
  await t.rejects(store.remove(`sha256:${shared}`, {}), { code: 'ENGINE_IMAGE_AMBIGUOUS' });
  t.equal(store.counts().images, 17, 'nothing removed');
});

t.test('concurrent operations are serialised; open cleans what a crash left', async (t) => {
  const dir = t.testdir();
  const tarPath = await busyboxTar(dir);
  const root = `${dir}/image`;
  const { store } = await openStore(root);
  const ids = await Promise.all([0, 1, 2, 3].map((i) => store.importRootfs(createReadStream(tarPath), { repo: `c${i}`, changes: [`LABEL n=${i}`] })));
  t.equal(new Set(ids).size, 4);
  t.equal((await readdir(`${root}/layers`)).length, 1, 'one shared layer for four concurrent imports');
  const [, removed] = await Promise.all([
    store.tag('c0', 'c0', 'again'),
    store.remove('c1', {}),
    store.importRootfs(createReadStream(tarPath), { repo: 'c4' }),
  ]);
  t.same(removed, [{ Untagged: 'c1:latest' }, { Deleted: ids[1] }]);
  t.same((await store.list({})).flatMap((s) => s.RepoTags).sort(), ['c0:again', 'c0:latest', 'c2:latest', 'c3:latest', 'c4:latest']);

  // What a crash between "files in place" and "metadata written" leaves behind.
  const { mkdir: mk, writeFile: wf } = await import('node:fs/promises');
  await mk(`${root}/layers/${'e'.repeat(64)}/diff`, { recursive: true });
  await wf(`${root}/blobs/sha256/${'f'.repeat(64)}`, 'orphan');
  await mk(`${root}/tmp/stage-dead/x`, { recursive: true });
  const reopened = await openStore(root);
  t.same((await readdir(`${root}/layers`)).length, 1, 'unreferenced layer dir removed');
  await t.rejects(access(`${root}/blobs/sha256/${'f'.repeat(64)}`), 'unreferenced blob removed');
  t.same(await readdir(`${root}/tmp`), [], 'staging emptied');
  t.same((await reopened.store.list({})).length, 4, 'images intact');
  await access(`${(await reopened.store.layerPaths(ids[0] as string))[0]}/bin/busybox`);
});

t.test('a save in progress keeps its blobs when the image is removed meanwhile', async (t) => {
  const dir = t.testdir();
  const tarPath = await busyboxTar(dir);
  const { store } = await openStore(`${dir}/image`);
  const id = await store.importRootfs(createReadStream(tarPath), { repo: 'x' });
  const out = new PassThrough({ highWaterMark: 1024 });
  const saving = store.save(['x'], out);
  await once(out, 'readable'); // the archive has started and is held back by the unread stream
  t.same((await store.remove('x', {})).slice(0, 2), [{ Untagged: 'x:latest' }, { Deleted: id }]);
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  await saving;
  const fresh = await openStore(`${dir}/fresh`);
  t.same(await fresh.store.load(Readable.from([Buffer.concat(chunks)])), [{ stream: 'Loaded image: x:latest\n' }]);
  t.equal((await fresh.store.inspect('x')).Id, id, 'the archive is complete');
  await store.prune({});
  t.same(await readdir(`${dir}/image/blobs/sha256`), [], 'pinned blobs are collected once the save is done');
});
