import t from 'tap';
import { planPorts, parsePortKey } from './port-spec.js';

t.test('parsePortKey', async (t) => {
  t.same(parsePortKey('80'), { from: 80, to: 80, proto: 'tcp' });
  t.same(parsePortKey('53/udp'), { from: 53, to: 53, proto: 'udp' });
  t.same(parsePortKey('8000-8002/tcp'), { from: 8000, to: 8002, proto: 'tcp' });
  for (const bad of ['', 'x', '0', '70000', '81-80', '80/icmp', '80/']) {
    t.throws(() => parsePortKey(bad), { code: 'ENGINE_NETWORK_INVALID_PORT_SPEC', status: 400 }, bad);
  }
});

t.test('-p HOST:CTR, -p IP:HOST:CTR/udp, -p CTR', async (t) => {
  const plan = planPorts(
    {
      '80/tcp': [{ HostIp: '', HostPort: '8080' }, { HostIp: '127.0.0.1', HostPort: '9090' }],
      '53/udp': [{ HostIp: '127.0.0.1', HostPort: '5353' }],
      '443/tcp': [{ HostPort: '' }],
    },
    ['80/tcp', '22/tcp'],
    false,
  );
  t.same(plan.requests, [
    { proto: 'tcp', containerPort: 80, hostIp: '0.0.0.0', hostPortMin: 8080, hostPortMax: 8080 },
    { proto: 'tcp', containerPort: 80, hostIp: '127.0.0.1', hostPortMin: 9090, hostPortMax: 9090 },
    { proto: 'udp', containerPort: 53, hostIp: '127.0.0.1', hostPortMin: 5353, hostPortMax: 5353 },
    { proto: 'tcp', containerPort: 443, hostIp: '0.0.0.0', hostPortMin: 0, hostPortMax: 0 },
  ]);
  t.same(plan.portKeys, ['22/tcp', '53/udp', '80/tcp', '443/tcp']);
});

t.test('ranges: pairwise, ephemeral each, host range for one port', async (t) => {
  t.same(planPorts({ '80-81/tcp': [{ HostPort: '8000-8001' }] }, [], false).requests, [
    { proto: 'tcp', containerPort: 80, hostIp: '0.0.0.0', hostPortMin: 8000, hostPortMax: 8000 },
    { proto: 'tcp', containerPort: 81, hostIp: '0.0.0.0', hostPortMin: 8001, hostPortMax: 8001 },
  ]);
  t.same(planPorts({ '80-81/udp': [{}] }, [], false).requests.map((r) => [r.containerPort, r.hostPortMin]), [[80, 0], [81, 0]]);
  t.same(planPorts({ '80/tcp': [{ HostPort: '8000-8010' }] }, [], false).requests[0], {
    proto: 'tcp', containerPort: 80, hostIp: '0.0.0.0', hostPortMin: 8000, hostPortMax: 8010,
  });
  t.throws(() => planPorts({ '80-82/tcp': [{ HostPort: '8000-8001' }] }, [], false), { code: 'ENGINE_NETWORK_INVALID_PORT_SPEC' });
});

t.test('-P publishes every exposed port without a binding', async (t) => {
  const plan = planPorts({ '80/tcp': [{ HostPort: '8080' }], '90/tcp': null }, ['80/tcp', '53/udp', '7000-7001/tcp'], true);
  t.same(plan.requests.map((r) => `${r.containerPort}/${r.proto}:${r.hostPortMin}`), ['80/tcp:8080', '53/udp:0', '90/tcp:0', '7000/tcp:0', '7001/tcp:0']);
  t.same(planPorts(null, ['80/tcp'], false).requests, [], 'exposed only: nothing published without -P');
});

t.test('bad input', async (t) => {
  for (const b of [{ HostPort: '70000' }, { HostPort: 'abc' }, { HostIp: '::', HostPort: '80' }, { HostIp: 'nope', HostPort: '80' }]) {
    t.throws(() => planPorts({ '80/tcp': [b] }, [], false), { code: 'ENGINE_NETWORK_INVALID_PORT_SPEC' }, JSON.stringify(b));
  }
  t.throws(() => planPorts({ '80/sctp': [{ HostPort: '80' }] }, [], false), { code: 'ENGINE_NETWORK_INVALID_PORT_SPEC' });
});
