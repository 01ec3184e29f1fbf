import t from 'tap';
import { silentLogger } from '@shoal/common';
import { buildApp } from './build-app.js';
import { fakeDeps } from '../../testing/fake-engines.js';
import { splitImagePath } from './images-plugin.js';

async function app() {
  const deps = fakeDeps();
  const a = await buildApp({ ...deps, log: silentLogger() });
  t.teardown(() => a.close());
  return { app: a, deps };
}

t.test('splitImagePath keeps slashes and colons of the name', async (t) => {
  t.same(splitImagePath('library/busybox:latest/json', ['json']), { name: 'library/busybox:latest', action: 'json' });
  t.same(splitImagePath('localhost:5000/a/b/history', ['json', 'history']), { name: 'localhost:5000/a/b', action: 'history' });
  t.equal(splitImagePath('busybox/json', ['history']), undefined);
  t.equal(splitImagePath('json', ['json']), undefined);
});

t.test('import streams the body to importRootfs; pull is refused with a clear message', async (t) => {
  const { app: a, deps } = await app();
  const tar = Buffer.alloc(3000, 7);
  const r = await a.inject({ method: 'POST', url: '/v1.44/images/create?fromSrc=-&repo=my/img&tag=v1&changes=ENV%20A%3D1&changes=CMD%20sh', headers: { 'content-type': 'application/x-tar' }, payload: tar });
  t.equal(r.statusCode, 200);
  const id = (JSON.parse(r.body) as { status: string }).status;
  t.equal(id, `sha256:${(3000).toString(16).padStart(64, '0')}`);
  t.same(deps.images.imported[0], { bytes: 3000, opts: { repo: 'my/img', tag: 'v1', changes: ['ENV A=1', 'CMD sh'], message: undefined, platform: undefined } });
  const noCt = await a.inject({ method: 'POST', url: '/images/create?fromSrc=-', payload: Buffer.alloc(10) });
  t.equal(noCt.statusCode, 200, 'a tar without a content type is accepted too');
  const textPlain = await a.inject({ method: 'POST', url: '/images/create?fromSrc=-&repo=x', headers: { 'content-type': 'text/plain' }, payload: Buffer.alloc(20) });
  t.equal(textPlain.statusCode, 200, 'the docker CLI sends text/plain');
  t.equal(deps.images.imported.at(-1)?.bytes, 20);
  const empty = await a.inject({ method: 'POST', url: '/images/create?fromSrc=-' });
  t.equal(empty.statusCode, 400);
  t.match(empty.json().message, /needs a tar/);
  const pull = await a.inject({ method: 'POST', url: '/images/create?fromImage=busybox&tag=latest' });
  t.equal(pull.statusCode, 501);
  const msg = 'shoal cannot pull busybox:latest: registry support is not implemented yet; load or import the image';
  t.same(pull.json(), { message: msg, error: msg, errorDetail: { message: msg } });
  const url = await a.inject({ method: 'POST', url: '/images/create?fromSrc=http://example/x.tar' });
  t.equal(url.statusCode, 501);
});

t.test('inspect, history, tag and delete names with slashes', async (t) => {
  const { app: a, deps } = await app();
  deps.images.images.set('sha256:1', { id: 'sha256:1', tags: ['localhost:5000/team/app:v1'] });
  const insp = await a.inject({ url: '/images/localhost:5000/team/app:v1/json' });
  t.equal(insp.statusCode, 200);
  t.equal(insp.json().Id, 'sha256:1');
  t.equal((await a.inject({ url: '/images/localhost:5000/team/app:v1/history' })).json()[0].CreatedBy, 'import');
  t.equal((await a.inject({ url: '/images/nope/json' })).statusCode, 404);
  t.same((await a.inject({ url: '/images/nope/json' })).json(), { message: 'No such image: nope' });
  t.equal((await a.inject({ url: '/images/x/unknown' })).statusCode, 404);
  const tag = await a.inject({ method: 'POST', url: '/images/sha256:1/tag?repo=other&tag=v2' });
  t.equal(tag.statusCode, 201);
  t.same(deps.images.images.get('sha256:1')?.tags, ['localhost:5000/team/app:v1', 'other:v2']);
  t.equal((await a.inject({ method: 'POST', url: '/images/sha256:1/tag' })).statusCode, 400);
  t.equal((await a.inject({ method: 'POST', url: '/images/sha256:1/push' })).statusCode, 501);
  const list = await a.inject({ url: '/images/json?all=1' });
  t.equal(list.json().length, 1);
  const del = await a.inject({ method: 'DELETE', url: '/images/localhost:5000/team/app:v1?force=1' });
  t.equal(del.statusCode, 200);
  t.same(del.json().at(-1), { Deleted: 'sha256:1' });
});

t.test('save streams a tar; an unknown image is a 404 before the stream; load returns messages', async (t) => {
  const { app: a, deps } = await app();
  deps.images.images.set('sha256:1', { id: 'sha256:1', tags: ['a:latest'] });
  deps.images.images.set('sha256:2', { id: 'sha256:2', tags: ['b:latest'] });
  const one = await a.inject({ url: '/images/a/get' });
  t.equal(one.statusCode, 200);
  t.equal(one.headers['content-type'], 'application/x-tar');
  t.equal(one.body, 'TAR:sha256:1\n');
  const two = await a.inject({ url: '/images/get?names=a&names=b' });
  t.equal(two.body, 'TAR:sha256:1\nTAR:sha256:2\n');
  const missing = await a.inject({ url: '/images/get?names=a&names=zzz' });
  t.equal(missing.statusCode, 404);
  t.same(missing.json(), { message: 'No such image: zzz' });
  t.equal((await a.inject({ url: '/images/get' })).statusCode, 400);
  const load = await a.inject({ method: 'POST', url: '/images/load?quiet=1', headers: { 'content-type': 'application/x-tar' }, payload: Buffer.alloc(512) });
  t.equal(load.statusCode, 200);
  t.same(JSON.parse(load.body), { stream: 'Loaded image: fake:512\n' });
});
