import t from 'tap';
import {
  ANONYMOUS_LABEL, checkDriver, checkVolumeName, isVolumeName, listMatches, localMount, pruneMatches, validateListFilters, type VolumeRecord,
} from './local-options.js';

const rec = (name: string, labels: Record<string, string> = {}): VolumeRecord => ({ Name: name, Driver: 'local', CreatedAt: '2026-01-01T00:00:00Z', Labels: labels, Options: {} });

t.test('names: Docker\'s rule for local volumes', async (t) => {
  for (const ok of ['data', 'my_vol.1', 'a-b', '0x', 'a'.repeat(64)]) t.doesNotThrow(() => checkVolumeName(ok), ok);
  for (const bad of ['a', '-x', '.x', 'x!', 'a/b', 'a b', '']) {
    t.throws(() => checkVolumeName(bad), { status: 400, code: 'ENGINE_VOLUME_INVALID_NAME' }, JSON.stringify(bad));
  }
  t.ok(isVolumeName('data'));
  t.notOk(isVolumeName('/data'));
  t.notOk(isVolumeName('./data'));
  t.notOk(isVolumeName(''));
});

t.test('drivers: only local', async (t) => {
  t.equal(checkDriver(undefined), 'local');
  t.equal(checkDriver(''), 'local');
  t.throws(() => checkDriver('nfs'), { status: 404, message: 'error looking up volume plugin nfs: plugin "nfs" not found' });
});

t.test('local driver options: type, device, o', async (t) => {
  t.same(localMount({}), { kind: 'dir' });
  t.same(localMount({ type: 'tmpfs', device: 'tmpfs', o: 'size=100m,uid=1000' }), { kind: 'mount', type: 'tmpfs', device: 'tmpfs', options: ['size=100m', 'uid=1000'] });
  t.same(localMount({ type: 'none', device: '/srv/data', o: 'bind' }), { kind: 'mount', type: 'none', device: '/srv/data', options: ['bind'] });
  t.throws(() => localMount({ size: '1g' }), { status: 400, message: 'invalid option key: "size"' });
  t.throws(() => localMount({ device: '/x' }), { message: 'missing required option: "type"' });
  t.throws(() => localMount({ type: 'tmpfs' }), { message: 'missing required option: "device"' });
  t.throws(() => localMount({ type: 'none', device: '/x' }), { message: /needs o=bind/ });
  t.throws(() => localMount({ type: 'none', device: 'rel', o: 'bind' }), { message: /must be an absolute path/ });
  t.throws(() => localMount({ type: 'tmpfs', device: 'tmpfs', o: 'size=lots' }), { message: /bad tmpfs size/ });
});

t.test('list filters: dangling, driver, label, name', async (t) => {
  const v = { rec: rec('web-data', { env: 'prod', tier: '' }), inUse: true };
  t.ok(listMatches({}, v));
  t.ok(listMatches({ dangling: ['false'] }, v));
  t.notOk(listMatches({ dangling: ['true'] }, v));
  t.ok(listMatches({ dangling: ['1'] }, { ...v, inUse: false }));
  t.ok(listMatches({ name: ['data'] }, v), 'name matches a substring');
  t.notOk(listMatches({ name: ['db'] }, v));
  t.ok(listMatches({ label: ['env'] }, v));
  t.ok(listMatches({ label: ['env=prod', 'nope'] }, v), 'values of one key: any');
  t.notOk(listMatches({ label: ['env=dev'] }, v));
  t.notOk(listMatches({ label: ['env=prod'], name: ['db'] }, v), 'keys: all');
  t.ok(listMatches({ driver: ['local'] }, v));
  t.throws(() => validateListFilters({ colour: ['x'] }), { status: 400, message: "invalid filter 'colour'" });
  t.throws(() => validateListFilters({ dangling: ['maybe'] }), { status: 400, message: "invalid filter 'dangling=maybe'" });
});

t.test('prune: unused anonymous volumes; all=true or old clients take named ones too', async (t) => {
  const anon = { rec: rec('f'.repeat(64), { [ANONYMOUS_LABEL]: '' }), inUse: false };
  const named = { rec: rec('data', { keep: 'yes' }), inUse: false };
  t.ok(pruneMatches({}, anon, false));
  t.notOk(pruneMatches({}, named, false));
  t.ok(pruneMatches({ all: ['true'] }, named, false));
  t.ok(pruneMatches({}, named, true));
  t.notOk(pruneMatches({}, { ...anon, inUse: true }, true), 'never one in use');
  t.notOk(pruneMatches({ all: ['1'], 'label!': ['keep'] }, named, false));
  t.ok(pruneMatches({ all: ['1'], label: ['keep=yes'] }, named, false));
  t.throws(() => pruneMatches({ dangling: ['true'] }, named, false), { status: 400, message: "invalid filter 'dangling'" });
});
