import t from 'tap';
import fc from 'fast-check';
import { parsePortSpec, parsePortSpecs, parseExpose } from './ports.js';
import { hasCode } from '@shoal/common';

t.test('the forms of -p as Docker parses them', async (t) => {
  t.same(parsePortSpec('80'), [{ port: '80/tcp', binding: { HostIp: '', HostPort: '' } }]);
  t.same(parsePortSpec('8080:80'), [{ port: '80/tcp', binding: { HostIp: '', HostPort: '8080' } }]);
  t.same(parsePortSpec('127.0.0.1:8080:80/udp'), [{ port: '80/udp', binding: { HostIp: '127.0.0.1', HostPort: '8080' } }]);
  t.same(parsePortSpec('127.0.0.1::80'), [{ port: '80/tcp', binding: { HostIp: '127.0.0.1', HostPort: '' } }]);
  t.same(parsePortSpec('[::1]:8080:80'), [{ port: '80/tcp', binding: { HostIp: '::1', HostPort: '8080' } }]);
  t.same(parsePortSpec('::1:8080:80'), [{ port: '80/tcp', binding: { HostIp: '::1', HostPort: '8080' } }]);
  t.same(parsePortSpec('80/SCTP'), [{ port: '80/sctp', binding: { HostIp: '', HostPort: '' } }]);
  t.same(parsePortSpec('80/'), [{ port: '80/tcp', binding: { HostIp: '', HostPort: '' } }]);
  t.same(parsePortSpec('8000-8001:80-81').map((m) => [m.port, m.binding.HostPort]), [['80/tcp', '8000'], ['81/tcp', '8001']]);
  t.same(parsePortSpec('8000-8010:80'), [{ port: '80/tcp', binding: { HostIp: '', HostPort: '8000-8010' } }]);
  t.same(parsePortSpec('80-82').map((m) => m.port), ['80/tcp', '81/tcp', '82/tcp']);
});

t.test('bad specs give Docker messages', async (t) => {
  const msg = (s: string) => {
    try {
      parsePortSpec(s);
      return 'no error';
    } catch (e) {
      t.ok(hasCode(e, 'CLI_INVALID_FLAG'));
      return (e as Error).message;
    }
  };
  t.equal(msg('8080:'), 'no port specified: 8080:<empty>');
  t.equal(msg('abc'), 'invalid containerPort: abc');
  t.equal(msg('x:80'), 'invalid hostPort: x');
  t.equal(msg('1.2.3:80:80'), 'invalid IP address: 1.2.3');
  t.equal(msg('80/icmp'), 'invalid proto: icmp');
  t.equal(msg('8000-8002:80-81'), 'invalid ranges specified for container and host Ports: 80-81 and 8000-8002');
  t.equal(msg('90-80'), 'invalid containerPort: 90-80');
  t.equal(msg('70000'), 'invalid containerPort: 70000');
});

t.test('parsePortSpecs merges bindings of one port', async (t) => {
  const r = parsePortSpecs(['8080:80', '127.0.0.1:9090:80', '53/udp']);
  t.same(r.exposedPorts, { '80/tcp': {}, '53/udp': {} });
  t.same(r.portBindings, {
    '80/tcp': [{ HostIp: '', HostPort: '8080' }, { HostIp: '127.0.0.1', HostPort: '9090' }],
    '53/udp': [{ HostIp: '', HostPort: '' }],
  });
  t.same(parseExpose('7000-7001/udp'), ['7000/udp', '7001/udp']);
});

// A deliberately simple reference: build the spec from its parts and say what
// the mapping must be.
t.test('property: generated specs parse to what their parts say', async () => {
  const port = fc.integer({ min: 0, max: 65535 });
  const arb = fc.record({
    ip: fc.constantFrom('', '0.0.0.0', '127.0.0.1', '[::1]', '10.1.2.3'),
    cStart: port,
    cLen: fc.integer({ min: 0, max: 3 }),
    host: fc.option(port, { nil: undefined }),
    proto: fc.constantFrom(undefined, 'tcp', 'udp', 'sctp', 'UDP'),
  });
  fc.assert(fc.property(arb, ({ ip, cStart, cLen, host, proto }) => {
    const cEnd = Math.min(65535, cStart + cLen);
    const cPart = cEnd === cStart ? `${cStart}` : `${cStart}-${cEnd}`;
    const hEnd = host === undefined ? undefined : host + (cEnd - cStart);
    if (hEnd !== undefined && hEnd > 65535) return;
    const hPart = host === undefined ? '' : host === hEnd ? `${host}` : `${host}-${hEnd}`;
    const spec = `${ip === '' ? '' : `${ip}:`}${ip !== '' || hPart !== '' ? `${hPart}:` : ''}${cPart}${proto === undefined ? '' : `/${proto}`}`;
    const got = parsePortSpec(spec);
    const p = (proto ?? 'tcp').toLowerCase();
    const expected = [];
    for (let i = 0; i <= cEnd - cStart; i++) {
      expected.push({ port: `${cStart + i}/${p}`, binding: { HostIp: ip.replace(/[[\]]/g, ''), HostPort: host === undefined ? '' : `${host + i}` } });
    }
    if (JSON.stringify(got) !== JSON.stringify(expected)) throw new Error(`${spec}: ${JSON.stringify(got)}`);
  }));
});
