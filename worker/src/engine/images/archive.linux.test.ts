// Needs root: layers are unpacked for real and mounted with overlayfs.
import t from 'tap';
import { createHash, randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { access, mkdir, readdir, readFile, lstat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { runTool, silentLogger } from '@shoal/common';
import { ImageStore } from './image-store.js';
import type { ImageSource } from '../containers/index.js';
import { makeTar } from '../../testing/tar.js';



const sha = (b: Buffer | string): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const hex = (d: string): string => d.slice(7);
const mtime = new Date('2023-05-06T07:08:09Z');

async function layers(): Promise<{ l1: Buffer; l2: Buffer }> {
  const l1 = await makeTar([
    { name: 'a', type: 'file', mode: 0o644, mtime, data: 'from layer 1\n' },
    { name: 'd/', type: 'directory', mode: 0o755, mtime },
    { name: 'd/x', type: 'file', mode: 0o644, mtime, data: 'to be whited out' },
    { name: 'o/', type: 'directory', mode: 0o755, mtime },
    { name: 'o/old', type: 'file', mode: 0o644, mtime, data: 'hidden by opaque' },
  ]);
  const l2 = await makeTar([
    { name: 'b', type: 'file', mode: 0o644, mtime, data: 'from layer 2\n' },
    { name: 'd/', type: 'directory', mode: 0o755, mtime },
    { name: 'd/.wh.x', type: 'file', mode: 0o644, mtime },
    { name: 'o/', type: 'directory', mode: 0o755, mtime },
    { name: 'o/.wh..wh..opq', type: 'file', mode: 0o644, mtime },
    { name: 'o/new', type: 'file', mode: 0o644, mtime, data: 'new' },
  ]);
  return { l1, l2 };
}

function config(diffIds: string[], cmd: string[]): string {
  return JSON.stringify({
    architecture: 'amd64', os: 'linux', created: '2023-05-06T07:08:09Z', author: 'tester',
    config: { Cmd: cmd, Env: ['PATH=/bin'] },
    rootfs: { type: 'layers', diff_ids: diffIds },
    history: [
      { created: '2023-05-06T07:08:09Z', created_by: '/bin/sh -c #(nop) ADD file:abc in / ' },
      { created: '2023-05-06T07:08:10Z', created_by: '/bin/sh -c #(nop)  CMD ["sh"]', empty_layer: true },
      ...(diffIds.length > 1 ? [{ created: '2023-05-06T07:08:11Z', created_by: '/bin/sh -c rm d/x', comment: 'second' }] : []),
    ],
  });
}

/** A docker-archive in the layout Docker before 25 wrote: <config>.json, <v1id>/layer.tar (duplicates as symlinks). */
async function legacyArchive(): Promise<{ tar: Buffer; idA: string; idB: string; l1: Buffer; l2: Buffer }> {
  const { l1, l2 } = await layers();
  const cA = config([sha(l1), sha(l2)], ['sh']);
  const cB = config([sha(l1)], ['true']);
  const v1 = ['1'.repeat(64), '2'.repeat(64), '3'.repeat(64)];
  const tar = await makeTar([
    { name: `${hex(sha(cA))}.json`, data: cA },
    { name: `${hex(sha(cB))}.json`, data: cB },
    { name: `${v1[0]}/`, type: 'directory' },
    { name: `${v1[0]}/VERSION`, data: '1.0' },
    { name: `${v1[0]}/json`, data: '{}' },
    { name: `${v1[0]}/layer.tar`, data: l1 },
    { name: `${v1[1]}/`, type: 'directory' },
    { name: `${v1[1]}/layer.tar`, data: l2 },
    { name: `${v1[2]}/`, type: 'directory' },
    { name: `${v1[2]}/layer.tar`, type: 'symlink', linkname: `../${v1[0]}/layer.tar` },
    { name: 'manifest.json', data: JSON.stringify([
      { Config: `${hex(sha(cA))}.json`, RepoTags: ['legacy:a'], Layers: [`${v1[0]}/layer.tar`, `${v1[1]}/layer.tar`] },
      { Config: `${hex(sha(cB))}.json`, RepoTags: ['legacy:b', 'registry.example:5000/team/legacy:b'], Layers: [`${v1[2]}/layer.tar`] },
    ]) },
    { name: 'repositories', data: JSON.stringify({ legacy: { a: v1[1], b: v1[0] } }) },
  ]);
  return { tar, idA: sha(cA), idB: sha(cB), l1, l2 };
}

async function openStore(root: string): Promise<ImageStore> {
  return ImageStore.open({ root, log: silentLogger() });
}

t.test('loads a docker-archive in the pre-25 layout; layers mount as an overlay with whiteouts', async (t) => {
  const dir = t.testdir();
  const store = await openStore(`${dir}/image`);
  const src: ImageSource = store; // the containers engine's contract
  const { tar, idA, idB, l1, l2 } = await legacyArchive();
  const msgs = await store.load(Readable.from([tar]));
  t.same(msgs, [
    { stream: 'Loaded image: legacy:a\n' },
    { stream: 'Loaded image: legacy:b\n' },
    { stream: 'Loaded image: registry.example:5000/team/legacy:b\n' },
  ]);
  t.equal((await src.resolveImage('legacy:a')).id, idA);
  t.equal((await src.resolveImage('registry.example:5000/team/legacy:b')).id, idB);
  const ins = await store.inspect('legacy:a');
  t.same(ins.RootFS.Layers, [sha(l1), sha(l2)]);
  t.equal(ins.Author, 'tester');
  const hist = await store.history('legacy:a');
  t.same(hist.map((h) => [h.Id, h.CreatedBy, h.Size > 0, h.Comment]), [
    [idA, '/bin/sh -c rm d/x', true, 'second'],
    ['<missing>', '/bin/sh -c #(nop)  CMD ["sh"]', false, ''],
    ['<missing>', '/bin/sh -c #(nop) ADD file:abc in / ', true, ''],
  ], 'newest first; empty_layer entries have no size; older entries are <missing>');
  t.same(hist[0]?.Tags, ['legacy:a']);

  const paths = await src.layerPaths(idA);
  t.equal(paths.length, 2);
  t.same(await src.layerPaths(idB), [paths[0]], 'the shared lowest layer is one directory');
  t.equal((await readdir(`${dir}/image/layers`)).length, 2);
  t.equal(ins.GraphDriver.Data?.LowerDir, paths[0]);
  t.equal(ins.GraphDriver.Data?.UpperDir, paths[1]);

  // Mount the image as the runtime will: lowerdir topmost first.
  const merged = `${dir}/merged`;
  await mkdir(merged);
  await runTool(['mount', '-t', 'overlay', 'overlay', '-o', `lowerdir=${[...paths].reverse().join(':')}`, merged]);
  try {
    t.equal(await readFile(`${merged}/a`, 'utf8'), 'from layer 1\n');
    t.equal(await readFile(`${merged}/b`, 'utf8'), 'from layer 2\n');
    await t.rejects(lstat(`${merged}/d/x`), 'whiteout hides d/x');
    t.same((await readdir(`${merged}/o`)).sort(), ['new'], 'opaque dir hides the lower content');
  } finally {
    // Unmount before t.testdir() is removed.
    await runTool(['umount', merged]);
  }
});

t.test('loads an OCI image layout: gzip layers, nested index, names from annotations', async (t) => {
  const dir = t.testdir();
  const store = await openStore(`${dir}/image`);
  const { l1, l2 } = await layers();
  const g1 = gzipSync(l1);
  const g2 = gzipSync(l2);
  const cfg = config([sha(l1), sha(l2)], ['oci']);
  const manifest = JSON.stringify({
    schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha(cfg), size: cfg.length },
    layers: [g1, g2].map((g) => ({ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: sha(g), size: g.length })),
  });
  const other = JSON.stringify({
    schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha(cfg), size: cfg.length },
    layers: [],
  });
  const nested = JSON.stringify({
    schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json',
    manifests: [
      { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: sha(other), size: other.length, platform: { os: 'windows', architecture: 'amd64' } },
      { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: sha(manifest), size: manifest.length, platform: { os: 'linux', architecture: 'amd64' } },
    ],
  });
  const index = JSON.stringify({
    schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json',
    manifests: [
      { mediaType: 'application/vnd.oci.image.index.v1+json', digest: sha(nested), size: nested.length, annotations: { 'io.containerd.image.name': 'docker.io/library/ocitest:1.0', 'org.opencontainers.image.ref.name': '1.0' } },
      { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: sha(manifest), size: manifest.length, annotations: { 'org.opencontainers.image.ref.name': 'latest' } },
    ],
  });
  const tar = await makeTar([
    { name: 'oci-layout', data: '{"imageLayoutVersion":"1.0.0"}' },
    { name: 'index.json', data: index },
    ...[cfg, manifest, nested].map((b) => ({ name: `blobs/sha256/${hex(sha(b))}`, data: b })),
    { name: `blobs/sha256/${hex(sha(g1))}`, data: g1 },
    { name: `blobs/sha256/${hex(sha(g2))}`, data: g2 },
  ]);
  const msgs = await store.load(Readable.from([tar]));
  t.same(msgs, [{ stream: 'Loaded image: ocitest:1.0\n' }], 'one image, named from io.containerd.image.name; a bare ref.name is not a name');
  const r = await store.resolveImage('ocitest:1.0');
  t.equal(r.id, sha(cfg));
  t.same(r.config.Cmd, ['oci']);
  const paths = await store.layerPaths(r.id);
  t.equal(await readFile(`${paths[1]}/b`, 'utf8'), 'from layer 2\n');
  t.same(await readFile(`${dir}/image/blobs/sha256/${hex(sha(l1))}`), l1, 'layer kept uncompressed by diff id for save');

  // What we save from it loads back the same.
  const { PassThrough } = await import('node:stream');
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  await store.save(['ocitest:1.0'], out);
  const fresh = await openStore(`${dir}/fresh`);
  t.same(await fresh.load(Readable.from([Buffer.concat(chunks)])), [{ stream: 'Loaded image: ocitest:1.0\n' }]);
  t.equal((await fresh.inspect('ocitest:1.0')).Id, r.id);
});

t.test('a bad archive changes nothing', async (t) => {
  const dir = t.testdir();
  const root = `${dir}/image`;
  const store = await openStore(root);
  const good = await legacyArchive();
  await store.load(Readable.from([good.tar]));
  const snapshot = async () => ({
    list: JSON.stringify(await store.list({ all: true })),
    blobs: (await readdir(`${root}/blobs/sha256`)).sort(),
    layers: (await readdir(`${root}/layers`)).sort(),
    tmp: await readdir(`${root}/tmp`),
    repos: await readFile(`${root}/repositories.json`, 'utf8'),
  });
  const before = await snapshot();
  t.same(before.tmp, []);

  const { l1 } = await layers();
  const fresh = await makeTar([{ name: 'fresh', data: randomBytes(16) }]);
  const wrongDiff = config([sha(fresh), sha('not the layer')], ['x']);
  const badDiffId = await makeTar([
    { name: 'c.json', data: wrongDiff },
    { name: 'l1.tar', data: fresh },
    { name: 'l2.tar', data: l1 },
    { name: 'manifest.json', data: JSON.stringify([{ Config: 'c.json', RepoTags: ['bad:1', 'legacy:a'], Layers: ['l1.tar', 'l2.tar'] }]) },
  ]);
  const cfg = config([sha(fresh)], ['x']);
  const badDigest = await makeTar([
    { name: 'index.json', data: JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: sha('something else'), size: 3 }] }) },
    { name: `blobs/sha256/${hex(sha('something else'))}`, data: 'tampered' },
    { name: `blobs/sha256/${hex(sha(cfg))}`, data: cfg },
  ]);
  const traversal = await makeTar([{ name: '../../escape', data: 'x' }, { name: 'manifest.json', data: '[]' }]);
  const layerTraversal = await (async () => {
    const evil = await makeTar([{ name: '../evil', data: 'x' }]);
    const c = config([sha(evil)], ['x']);
    return makeTar([
      { name: 'c.json', data: c }, { name: 'l.tar', data: evil },
      { name: 'manifest.json', data: JSON.stringify([{ Config: 'c.json', RepoTags: ['evil:1'], Layers: ['l.tar'] }]) },
    ]);
  })();
  const cases: Array<[string, Buffer, string]> = [
    ['diff id mismatch', badDiffId, 'ENGINE_IMAGE_INVALID_ARCHIVE'],
    ['OCI blob digest mismatch', badDigest, 'ENGINE_IMAGE_INVALID_ARCHIVE'],
    ['archive path traversal', traversal, 'ENGINE_IMAGE_INVALID_ARCHIVE'],
    ['layer path traversal', layerTraversal, 'ENGINE_IMAGE_INVALID_LAYER'],
    ['not a tar', randomBytes(4096), 'ENGINE_IMAGE_INVALID_ARCHIVE'],
    ['no manifest', await makeTar([{ name: 'x', data: 'y' }]), 'ENGINE_IMAGE_INVALID_ARCHIVE'],
    ['missing config', await makeTar([{ name: 'manifest.json', data: JSON.stringify([{ Config: 'nope.json', RepoTags: [], Layers: [] }]) }]), 'ENGINE_IMAGE_INVALID_ARCHIVE'],
  ];
  for (const [what, tar, code] of cases) {
    await t.rejects(store.load(Readable.from([tar])), { code }, what);
    t.same(await snapshot(), before, `${what}: no blob, layer, tag or temp file left`);
  }
  await t.rejects(access(`${dir}/escape`));
  await t.rejects(access(`${root}/evil`));
  t.equal((await store.resolveImage('legacy:a')).id, good.idA, 'existing tag untouched');
});

t.test('putImage (what a pull needs): checked layers, tags and digest references', async (t) => {
  const dir = t.testdir();
  const store = await openStore(`${dir}/image`);
  const { l1, l2 } = await layers();
  const cfg = Buffer.from(config([sha(l1), sha(l2)], ['pulled']));
  const manifestDigest = sha('a manifest');
  const open = (b: Buffer) => async () => Readable.from([b]);
  await t.rejects(store.putImage({ config: cfg, layers: [open(gzipSync(l2)), open(l1)], refs: ['reg.example/app:1'] }), { code: 'ENGINE_IMAGE_INVALID_ARCHIVE' });
  t.same(await store.list({ all: true }), [], 'a wrong layer adds nothing');
  t.same(await readdir(`${dir}/image/layers`), []);
  const id = await store.putImage({ config: cfg, layers: [open(gzipSync(l1)), open(l2)], refs: ['reg.example/app:1', `reg.example/app@${manifestDigest}`] });
  t.equal(id, sha(cfg));
  const ins = await store.inspect('reg.example/app:1');
  t.same(ins.RepoTags, ['reg.example/app:1']);
  t.same(ins.RepoDigests, [`reg.example/app@${manifestDigest}`]);
  t.equal((await store.resolveImage(`reg.example/app@${manifestDigest}`)).id, id, 'resolvable by digest');
  const recs = await store.remove('reg.example/app:1', {});
  const chain2 = sha(`${sha(l1)} ${sha(l2)}`);
  t.same(recs, [
    { Untagged: 'reg.example/app:1' }, { Untagged: `reg.example/app@${manifestDigest}` }, { Deleted: id },
    { Deleted: chain2 }, { Deleted: sha(l1) },
  ], 'removing the last tag takes the repository digest with it; released layers by chain id, top first');
  t.same(await readdir(`${dir}/image/layers`), []);
});
