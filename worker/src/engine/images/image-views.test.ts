import t from 'tap';
import { rfc3339Nano, containerConfigOf } from './image-views.js';

t.test('rfc3339Nano prints as Go does', async (t) => {
  t.equal(rfc3339Nano(Date.parse('2024-01-01T00:00:00Z')), '2024-01-01T00:00:00Z');
  t.equal(rfc3339Nano(Date.parse('2024-01-01T00:00:00.500Z')), '2024-01-01T00:00:00.5Z');
  t.equal(rfc3339Nano(Date.parse('2024-01-01T00:00:00.123Z')), '2024-01-01T00:00:00.123Z');
  t.equal(rfc3339Nano(Date.parse('2024-01-01T00:00:10Z')), '2024-01-01T00:00:10Z');
});

t.test('container config view keeps the deprecated empty fields and nulls', async (t) => {
  const c = containerConfigOf({ Cmd: ['sh'], Labels: { a: 'b' } });
  t.same(c, {
    Hostname: '', Domainname: '', User: '', AttachStdin: false, AttachStdout: false, AttachStderr: false,
    Tty: false, OpenStdin: false, StdinOnce: false, Env: null, Cmd: ['sh'], Image: '', Volumes: null,
    WorkingDir: '', Entrypoint: null, OnBuild: null, Labels: { a: 'b' },
  });
  t.same(Object.keys(containerConfigOf({ StopSignal: 'SIGINT', Shell: ['/bin/ash', '-c'], ExposedPorts: { '80/tcp': {} } })).filter((k) => ['StopSignal', 'Shell', 'ExposedPorts'].includes(k)), ['ExposedPorts', 'StopSignal', 'Shell']);
});
