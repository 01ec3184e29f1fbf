// Needs root: layers are unpacked (mknod, chown) and mounted with overlayfs.
import t from 'tap';
import { createReadStream } from 'node:fs';
import { access, lstat, mkdir, readFile, writeFile } from 'node:fs/promises';
import { makeBusyboxRootfsTar } from '@shoal/testkit';
import { runTool, silentLogger } from '@shoal/common';
import { ImageStore } from './image-store.js';
import { packLayer } from './layer-pack.js';

t.test('commit: child images on a parent, history, list all, dependent-child conflict, prune of parents', async (t) => {
  const dir = t.testdir();
  const tarPath = await makeBusyboxRootfsTar(`${dir}/work`, `${dir}/bb.tar`);
  const store = await ImageStore.open({ root: `${dir}/image`, log: silentLogger() });
  const base = await store.importRootfs(createReadStream(tarPath), { changes: ['CMD ["sh"]'] });
  const baseCfg = (await store.resolveImage(base)).config;

  // A container's upper dir: a new file and a whiteout of /var/www/index.html.
  const upper = `${dir}/upper`;
  await mkdir(`${upper}/var/www`, { recursive: true });
  await writeFile(`${upper}/hello`, 'committed\n');
  await runTool(['mknod', `${upper}/var/www/index.html`, 'c', '0', '0']);
  const child = await store.commit({
    parent: base, layer: packLayer(upper), config: { ...baseCfg, Cmd: ['cat', '/hello'] },
    createdBy: '/bin/sh -c echo committed > /hello', comment: 'step', repo: 'child', tag: 'v1',
  });
  const meta = await store.commit({ parent: 'child:v1', config: { ...baseCfg, Cmd: ['cat', '/hello'], Labels: { l: '1' } }, createdBy: '/bin/sh -c #(nop)  LABEL l=1', repo: 'child', tag: 'v2' });

  const paths = await store.layerPaths(child);
  t.equal(paths.length, 2);
  t.same((await store.layerPaths(base))[0], paths[0], 'the parent layer is shared');
  t.same(await store.layerPaths(meta), paths, 'an empty-layer commit adds no layer');
  // docker system df: each layer counted once; the shared ones per image.
  const du = store.diskUsage();
  const baseSize = (await store.inspect(base)).Size;
  const childSize = (await store.inspect(child)).Size;
  t.equal(du.layersSize, childSize, 'two layers, each once, whatever number of images use them');
  t.equal(du.sharedSize[base], baseSize, 'the base layer is shared with the children');
  t.equal(du.sharedSize[child], childSize, 'child and its label-only commit share both layers');
  t.equal((await store.inspect(meta)).Parent, child);
  t.same((await store.resolveImage('child:v2')).config.Labels, { l: '1' });

  const hist = await store.history('child:v2');
  t.same(hist.map((h) => [h.Id, h.CreatedBy, h.Size > 0, h.Tags]), [
    [meta, '/bin/sh -c #(nop)  LABEL l=1', false, ['child:v2']],
    [child, '/bin/sh -c echo committed > /hello', true, ['child:v1']],
    [base, '', true, null],
  ], 'ids filled down the parent chain');

  t.same((await store.list({})).map((s) => s.Id).sort(), [child, meta].sort(), 'an untagged parent is hidden');
  t.same((await store.list({ all: true })).map((s) => s.Id).sort(), [base, child, meta].sort(), 'all shows it');
  await t.rejects(store.remove(base, { force: true }), { code: 'ENGINE_IMAGE_CONFLICT', message: `conflict: unable to delete ${base.slice(7, 19)} (cannot be forced) - image has dependent child images` });

  // The committed layers mount as the container's image would.
  const merged = `${dir}/merged`;
  await mkdir(merged);
  await runTool(['mount', '-t', 'overlay', 'overlay', '-o', `lowerdir=${[...paths].reverse().join(':')}`, merged]);
  try {
    t.equal(await readFile(`${merged}/hello`, 'utf8'), 'committed\n');
    await t.rejects(lstat(`${merged}/var/www/index.html`), 'whiteout from the upper dir hides the file');
    await access(`${merged}/bin/busybox`);
  } finally {
    await runTool(['umount', merged]);
  }

  // noprune keeps the untagged parent; without it the parent chain goes too.
  t.same(await store.remove('child:v2', { noprune: true }), [{ Untagged: 'child:v2' }, { Deleted: meta }]);
  t.ok((await store.list({ all: true })).some((s) => s.Id === child));
  await store.tag(child, 'keep', 'x');
  await store.remove('keep:x', {});
  const recs = await store.remove('child:v1', {});
  t.same(recs.slice(0, 3), [{ Untagged: 'child:v1' }, { Deleted: child }, { Deleted: recs[2]?.Deleted }]);
  t.ok(recs.some((r) => r.Deleted === base), 'the untagged parent was pruned');
  t.same(store.counts(), { images: 0 });
  await t.rejects(access(paths[0] as string), 'all layers released');
});
