// The store behind the real Engine API plugin (fastify inject), as the
// docker CLI talks to it. Needs root for the layer unpacker.
import t from 'tap';
import { readFile } from 'node:fs/promises';
import { silentLogger } from '@shoal/common';
import { makeBusyboxRootfsTar } from '@shoal/testkit';
import { buildApp } from '../api/index.js';
import { fakeDeps } from '../../testing/fake-engines.js';
import { ImageStore } from './image-store.js';

async function appWithStore(root: string) {
  const images = await ImageStore.open({ root, log: silentLogger() });
  const app = await buildApp({ ...fakeDeps(), images, log: silentLogger() });
  t.teardown(() => app.close());
  return app;
}

t.test('import, list, inspect, tag, history, save, load, rmi, prune through the API', async (t) => {
  const dir = t.testdir();
  const tar = await readFile(await makeBusyboxRootfsTar(`${dir}/work`, `${dir}/bb.tar`));
  const app = await appWithStore(`${dir}/a`);

  const imp = await app.inject({ method: 'POST', url: '/v1.44/images/create?fromSrc=-&repo=compat/busybox:latest&changes=CMD%20%5B%22%2Fbin%2Fsh%22%5D&message=hi', headers: { 'content-type': 'application/x-tar' }, payload: tar });
  t.equal(imp.statusCode, 200);
  const id = (JSON.parse(imp.body) as { status: string }).status;
  t.match(id, /^sha256:[a-f0-9]{64}$/);

  const list = await app.inject({ url: '/v1.44/images/json' });
  t.same(list.json().map((i: { Id: string; RepoTags: string[] }) => [i.Id, i.RepoTags]), [[id, ['compat/busybox:latest']]]);
  const ins = await app.inject({ url: '/v1.44/images/compat/busybox:latest/json' });
  t.equal(ins.statusCode, 200);
  t.same(ins.json().Config.Cmd, ['/bin/sh']);
  t.equal(ins.json().Comment, 'hi');

  const tag = await app.inject({ method: 'POST', url: '/v1.44/images/compat/busybox/tag?repo=localhost:5000/x&tag=v2' });
  t.equal(tag.statusCode, 201);
  const hist = await app.inject({ url: '/v1.44/images/localhost:5000/x:v2/history' });
  t.same(hist.json().map((h: { Id: string; Comment: string }) => [h.Id, h.Comment]), [[id, 'hi']]);

  const bad = await app.inject({ method: 'POST', url: '/v1.44/images/compat/busybox/tag?repo=Upper' });
  t.equal(bad.statusCode, 400);
  t.equal(bad.json().message, 'invalid reference format: repository name must be lowercase');
  const missing = await app.inject({ url: '/v1.44/images/nope/json' });
  t.equal(missing.statusCode, 404);
  t.equal(missing.json().message, 'No such image: nope:latest');
  const filt = await app.inject({ url: `/v1.44/images/json?filters=${encodeURIComponent(JSON.stringify({ reference: ['localhost:5000/*'] }))}` });
  t.same(filt.json()[0].RepoTags, ['localhost:5000/x:v2']);

  const saved = await app.inject({ url: '/v1.44/images/compat/busybox:latest/get' });
  t.equal(saved.statusCode, 200);
  t.ok(saved.rawPayload.length > tar.length, 'the archive holds the layer');
  const other = await appWithStore(`${dir}/b`);
  const load = await other.inject({ method: 'POST', url: '/v1.44/images/load?quiet=1', headers: { 'content-type': 'application/x-tar' }, payload: saved.rawPayload });
  t.equal(load.statusCode, 200);
  t.equal(load.body, '{"stream":"Loaded image: compat/busybox:latest\\n"}\n');
  t.equal((await other.inject({ url: '/images/compat/busybox/json' })).json().Id, id, 'same Id after load through the API');
  const badLoad = await other.inject({ method: 'POST', url: '/v1.44/images/load', headers: { 'content-type': 'application/x-tar' }, payload: Buffer.alloc(2048, 1) });
  t.ok(badLoad.statusCode >= 400, `a bad archive is an error (${badLoad.statusCode})`);

  const conflict = await app.inject({ method: 'DELETE', url: `/v1.44/images/${id.slice(7, 19)}` });
  t.equal(conflict.statusCode, 409);
  t.match(conflict.json().message, /must be forced\) - image is referenced in multiple repositories/);
  const untag = await app.inject({ method: 'DELETE', url: '/v1.44/images/localhost:5000/x:v2' });
  t.same(untag.json(), [{ Untagged: 'localhost:5000/x:v2' }]);
  const del = await app.inject({ method: 'DELETE', url: '/v1.44/images/compat/busybox' });
  t.same(del.json().slice(0, 2), [{ Untagged: 'compat/busybox:latest' }, { Deleted: id }]);
  const prune = await other.inject({ method: 'POST', url: `/v1.44/images/prune?filters=${encodeURIComponent(JSON.stringify({ dangling: ['false'] }))}` });
  t.equal(prune.statusCode, 200);
  t.same(prune.json().ImagesDeleted.slice(0, 2), [{ Untagged: 'compat/busybox:latest' }, { Deleted: id }]);
  t.ok(prune.json().SpaceReclaimed > 500_000);
});
