import t from 'tap';
import { ContainerIndex } from './container-index.js';
import { createdState, emptyNetworkSettings, type ContainerRecord } from './container-record.js';

const rec = (id: string, name: string, image = 'sha256:aa', running = false): { rec: ContainerRecord } => ({
  rec: {
    Id: id, Created: '', Name: name, Path: 'sh', Args: [], Config: {}, HostConfig: {}, Image: image,
    State: { ...createdState(), ...(running ? { Status: 'running', Running: true, Pid: 9 } : {}) },
    RestartCount: 0, NetworkSettings: emptyNetworkSettings(), Mounts: [], ManuallyStopped: false, ExposedPorts: [],
  },
});

t.test('find by full id, name with or without slash, unique prefix; 404 and ambiguous prefixes', async (t) => {
  const ix = new ContainerIndex<{ rec: ContainerRecord }>();
  const a = rec(`abc1${'0'.repeat(60)}`, '/web');
  const b = rec(`abc2${'0'.repeat(60)}`, '/db');
  ix.add(a);
  ix.add(b);
  t.equal(ix.find(a.rec.Id), a);
  t.equal(ix.find('web'), a);
  t.equal(ix.find('/db'), b);
  t.equal(ix.find('abc2'), b);
  t.throws(() => ix.find('abc'), { status: 400, message: 'multiple IDs found with provided prefix: abc' });
  t.throws(() => ix.find('nope'), { status: 404, message: 'No such container: nope' });
  ix.delete(a.rec.Id);
  t.throws(() => ix.find('web'), { status: 404, message: 'No such container: web' });
  t.notOk(ix.hasName('/web'), 'the name is free again');
  t.equal(ix.size, 1);
});

t.test('names: reserved by a create, refused to others with Docker\'s message, moved by rename', async (t) => {
  const ix = new ContainerIndex<{ rec: ContainerRecord }>();
  ix.reserveName('/web', 'id1');
  t.throws(() => ix.checkName('/web'), { status: 409, message: 'Conflict. The container name "/web" is already in use by container "id1". You have to remove (or rename) that container to be able to reuse that name.' });
  ix.releaseName('/web');
  t.doesNotThrow(() => ix.checkName('/web'));
  const c = rec('id2', '/old');
  ix.add(c);
  ix.rename('id2', '/new');
  c.rec.Name = '/new';
  t.notOk(ix.hasName('/old'));
  t.equal(ix.find('new'), c);
  ix.add(rec('id3', '/other'));
  t.throws(() => ix.rename('id2', '/other'), { status: 409, message: /Conflict/ });
  t.equal(ix.find('new'), c, 'a refused rename changes nothing');
});

t.test('imageUser: a running container first, then a stopped one, then a create in progress', async (t) => {
  const ix = new ContainerIndex<{ rec: ContainerRecord }>();
  t.equal(ix.imageUser('sha256:aa'), undefined);
  ix.beginCreate('creating', 'sha256:aa');
  t.same(ix.imageUser('sha256:aa'), { containerId: 'creating', running: false });
  ix.add(rec('stopped', '/s', 'sha256:aa'));
  t.same(ix.imageUser('sha256:aa'), { containerId: 'stopped', running: false });
  ix.add(rec('running', '/r', 'sha256:aa', true));
  t.same(ix.imageUser('sha256:aa'), { containerId: 'running', running: true });
  t.equal(ix.imageUser('sha256:bb'), undefined);
  ix.endCreate('creating');
});
