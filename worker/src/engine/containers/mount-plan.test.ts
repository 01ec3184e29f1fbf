import t from 'tap';
import { inheritMounts, mountPointOf, parseVolumesFrom, planMounts } from './mount-plan.js';

t.test('binds, --mount and --tmpfs keep their kinds, options and order', async (t) => {
  const m = planMounts({
    Binds: ['/h:/c:ro', '/h2:/c2'],
    Mounts: [{ Type: 'bind', Source: '/s', Target: '/t' }, { Type: 'tmpfs', Target: '/tm', TmpfsOptions: { SizeBytes: 1024, Mode: 0o1777 } }],
    Tmpfs: { '/run': 'rw,exec,size=1m' },
  }, []);
  t.same(m.map((x) => [x.type, x.destination, x.readOnly, x.createSource === true]), [
    ['bind', '/c', true, true], ['bind', '/c2', false, true], ['bind', '/t', false, false], ['tmpfs', '/tm', false, false], ['tmpfs', '/run', false, false],
  ]);
  t.same(m[3]?.tmpfsOptions, ['noexec', 'nosuid', 'nodev', 'size=1024', 'mode=1777']);
  t.same(m[4]?.tmpfsOptions, ['nosuid', 'nodev', 'rw', 'exec', 'size=1m']);
});

t.test('bad specs are 400s naming the problem', async (t) => {
  const bad = (hc: Parameters<typeof planMounts>[0], msg: RegExp | string): void => {
    t.throws(() => planMounts(hc, []), { status: 400, message: msg });
  };
  bad({ Binds: ['/a:/c', '/b:/c'] }, 'Duplicate mount point: /c');
  bad({ Binds: ['/a:/c'], Mounts: [{ Type: 'volume', Source: 'v1', Target: '/c' }] }, 'Duplicate mount point: /c');
  bad({ Binds: ['/a:rel'] }, /mount path must be absolute/);
  bad({ Binds: ['/a:/b:bogus'] }, 'invalid mode: bogus');
  bad({ Binds: ['/a:/b:ro,rw'] }, 'invalid mode: ro,rw');
  bad({ Binds: ['data:/'] }, /destination can't be '\/'/);
  bad({ Binds: ['x!:/data'] }, /includes invalid characters for a local volume name/);
  bad({ Binds: ['./rel:/data'] }, /a host path must be absolute/);
  bad({ Binds: ['/h:/c:nocopy'] }, /only volumes can use nocopy/);
  bad({ Mounts: [{ Type: 'bind', Source: '/s', Target: '/t', BindOptions: { Propagation: 'sideways' } }] }, /invalid propagation mode: sideways/);
  bad({ Mounts: [{ Type: 'bind', Target: '/t' }] }, /field Source must not be empty/);
  bad({ Mounts: [{ Type: 'volume', Source: '/abs', Target: '/t' }] }, /a host path needs type=bind/);
  bad({ Mounts: [{ Type: 'volume', Source: 'vv', Target: '/t', VolumeOptions: { DriverConfig: { Options: { colour: 'red' } } } }] }, 'invalid option key: "colour"');
  bad({ Mounts: [{ Type: 'tmpfs', Source: 'x', Target: '/t' }] }, /Source must be empty/);
  bad({ Mounts: [{ Type: 'bind', Source: '/s', Target: '/t', VolumeOptions: { NoCopy: true } }] }, /only BindOptions/);
  t.throws(() => planMounts({ Mounts: [{ Type: 'npipe', Source: 'x', Target: '/t' }] }, []), { status: 400, message: 'mount type "npipe" is not supported' });
});

t.test('volumes: named by -v and --mount, anonymous from VOLUME paths not mounted otherwise', async (t) => {
  const m = planMounts({
    Binds: ['data:/data', 'cache:/cache:ro,nocopy'],
    Mounts: [
      { Type: 'volume', Target: '/anon' },
      { Type: 'volume', Source: 'tmp', Target: '/scratch', VolumeOptions: { Labels: { a: 'b' }, DriverConfig: { Name: 'local', Options: { type: 'tmpfs', device: 'tmpfs', o: 'size=1m' } } } },
      { Type: 'bind', Source: '/srv', Target: '/srv', BindOptions: { Propagation: 'rshared', CreateMountpoint: true } },
    ],
  }, ['/data', '/var/lib/app/', '/srv']);
  t.same(m.map((x) => [x.type, x.source, x.destination, x.readOnly, x.noCopy === true, x.anonymous === true]), [
    ['volume', 'data', '/data', false, false, false],
    ['volume', 'cache', '/cache', true, true, false],
    ['volume', '', '/anon', false, false, true],
    ['volume', 'tmp', '/scratch', false, false, false],
    ['bind', '/srv', '/srv', false, false, false],
    ['volume', '', '/var/lib/app', false, false, true],
  ], 'the image VOLUME /data and /srv are already mounted; /var/lib/app/ gets an anonymous volume');
  t.same(m[3]?.driverOpts, { type: 'tmpfs', device: 'tmpfs', o: 'size=1m' });
  t.same(m[3]?.labels, { a: 'b' });
  t.equal(m[4]?.propagation, 'rshared');
  t.equal(m[4]?.createSource, true);
});

t.test('--volumes-from: inherited mounts, explicit ones win, the mode overrides read-only', async (t) => {
  const source = planMounts({ Binds: ['/h:/h', 'data:/data:ro'] }, ['/anon']).map((m) => (m.source === '' ? { ...m, source: 'abc123' } : m));
  t.same(parseVolumesFrom('web'), { ref: 'web', mode: '' });
  t.same(parseVolumesFrom('web:rw'), { ref: 'web', mode: 'rw' });
  t.throws(() => parseVolumesFrom('web:rx'), { status: 400, message: 'invalid mode: rx' });
  const keep = inheritMounts(source, '');
  t.same(keep.map((m) => [m.source, m.readOnly, m.anonymous === true, m.createSource === true]), [['/h', false, false, false], ['data', true, false, false], ['abc123', false, false, false]],
    'inherited volumes are not the new container\'s anonymous ones (rm -v of it keeps them)');
  const rw = inheritMounts(source, 'rw');
  t.same(rw.map((m) => m.readOnly), [false, false, false]);
  const ro = inheritMounts(source, 'ro');
  const m = planMounts({ Binds: ['/other:/h'] }, [], ro);
  t.same(m.map((x) => [x.source, x.destination, x.readOnly]), [['/other', '/h', false], ['data', '/data', true], ['abc123', '/anon', true]]);
});

t.test('inspect view: a volume shows its name, driver and host path', async (t) => {
  const [vol, bind, tmpfs] = planMounts({ Binds: ['data:/data', '/h:/c:ro'], Tmpfs: { '/run': 'size=1m' } }, []);
  const path = (n: string): string => `/var/lib/shoal/volumes/${n}/_data`;
  t.same(vol && mountPointOf(vol, path), { Type: 'volume', Name: 'data', Source: '/var/lib/shoal/volumes/data/_data', Destination: '/data', Driver: 'local', Mode: 'z', RW: true, Propagation: '' });
  t.same(bind && mountPointOf(bind, path), { Type: 'bind', Source: '/h', Destination: '/c', Mode: 'ro', RW: false, Propagation: 'rprivate' });
  t.same(tmpfs && mountPointOf(tmpfs, path), { Type: 'tmpfs', Source: '', Destination: '/run', Mode: 'size=1m', RW: true, Propagation: '' });
});
