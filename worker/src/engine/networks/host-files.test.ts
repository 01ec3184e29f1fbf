import t from 'tap';
import { buildHosts, buildResolvConf } from './host-files.js';

t.test('hosts: Docker layout, extra hosts before the container line', async (t) => {
  const h = buildHosts({ ip: '172.29.0.2', hostname: 'abc', extraHosts: ['db:10.0.0.5', 'gw:host-gateway', 'v6:::1'], gatewayIp: '172.29.0.1' });
  t.equal(h, [
    '127.0.0.1\tlocalhost',
    '::1\tlocalhost ip6-localhost ip6-loopback',
    'fe00::0\tip6-localnet',
    'ff00::0\tip6-mcastprefix',
    'ff02::1\tip6-allnodes',
    'ff02::2\tip6-allrouters',
    '10.0.0.5\tdb',
    '172.29.0.1\tgw',
    '::1\tv6',
    '172.29.0.2\tabc',
    '',
  ].join('\n'));
  t.match(buildHosts({ ip: '1.2.3.4', hostname: 'web', domainname: 'example.org', extraHosts: [] }), /1\.2\.3\.4\tweb\.example\.org web\n$/);
  t.equal(buildHosts({ hostname: 'x', extraHosts: [], hostHosts: '127.0.0.1 localhost\n\n' }), '127.0.0.1 localhost\n', 'host mode: host file');
});

t.test('resolv.conf', async (t) => {
  const host = '# generated\nnameserver 127.0.0.53\nnameserver 10.0.0.2\nsearch corp.example\noptions edns0\n';
  t.equal(buildResolvConf(host, {}, false), 'nameserver 10.0.0.2\nsearch corp.example\noptions edns0\n', 'local nameservers dropped');
  t.equal(buildResolvConf('nameserver 127.0.0.53\n', {}, false), 'nameserver 8.8.8.8\nnameserver 8.8.4.4\n', 'fallback');
  t.equal(buildResolvConf('nameserver 127.0.0.53\n', {}, true), 'nameserver 127.0.0.53\n', 'host mode keeps them');
  t.equal(buildResolvConf(host, { dns: ['1.1.1.1'], dnsSearch: ['a.b'], dnsOptions: ['ndots:2'] }, false), 'nameserver 1.1.1.1\nsearch a.b\noptions ndots:2\n');
  t.equal(buildResolvConf(host, { dns: [] }, false), 'nameserver 10.0.0.2\nsearch corp.example\noptions edns0\n', 'empty override = none');
});
