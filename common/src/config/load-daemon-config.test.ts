import t from 'tap';
import { DAEMON_DEFAULTS } from './daemon-config.js';
import { loadDaemonConfig, mergeDaemonConfig, parseDaemonFile, parseDaemonFlags } from './load-daemon-config.js';
import { parseSize } from './config-values.js';

const noFile = (): undefined => undefined;

function config(argv: string[], files: Record<string, string> = {}) {
  const r = loadDaemonConfig(argv, (p) => files[p]);
  if (r.kind !== 'config') throw new Error(`expected a config, got ${r.kind}`);
  return r.config;
}

t.test('defaults', async (t) => {
  const c = config([]);
  t.same(c, { ...DAEMON_DEFAULTS, configFile: undefined });
  t.equal(c.dataRoot, '/var/lib/shoal');
  t.equal(c.execRoot, '/run/shoal');
  t.same(c.hosts, ['unix:///run/shoal/shoal.sock']);
  t.equal(c.bip, '172.29.0.1/16');
  t.equal(c.bridge, 'shoal0');
  t.equal(c.liveRestore, true);
  t.equal(c.nftTable, 'shoal');
});

t.test('flags with dockerd\'s names, repeatable ones collected', async (t) => {
  const c = config([
    '--data-root', '/d', '--exec-root=/e', '-H', 'unix:///tmp/a.sock', '--host', 'unix:///tmp/b.sock', '-p', '/tmp/p.pid',
    '--bip', '10.1.0.1/24', '-b', 'br9', '-l', 'warn', '--log-driver', 'json-file', '--log-opt', 'max-size=10m', '--log-opt', 'max-file=3',
    '--cgroup-parent', 'x', '--default-ulimit', 'nofile=1024:2048', '--live-restore=false', '--nft-table', 'shoal_n1',
    '--userland-proxy=false', '--insecure-registry', 'reg:5000', '--default-address-pool', 'base=10.10.0.0/16,size=24', '--label', 'a=b',
  ]);
  t.equal(c.dataRoot, '/d');
  t.equal(c.execRoot, '/e');
  t.same(c.hosts, ['unix:///tmp/a.sock', 'unix:///tmp/b.sock']);
  t.equal(c.pidfile, '/tmp/p.pid');
  t.equal(c.bip, '10.1.0.1/24');
  t.equal(c.bridge, 'br9');
  t.equal(c.logLevel, 'warn');
  t.same(c.logOpts, { maxSize: 10 * 1024 * 1024, maxFile: 3 });
  t.equal(c.cgroupParent, 'x');
  t.same(c.defaultUlimits, { nofile: { Name: 'nofile', Soft: 1024, Hard: 2048 } });
  t.equal(c.liveRestore, false);
  t.equal(c.nftTable, 'shoal_n1');
  t.same(c.insecureRegistries, ['reg:5000']);
  t.same(c.defaultAddressPools, [{ base: '10.10.0.0/16', size: 24 }]);
  t.same(c.labels, ['a=b']);
  t.equal(config(['--live-restore']).liveRestore, true);
  t.equal(config(['-D']).logLevel, 'debug');
  t.equal(config(['-D', '-l', 'error']).logLevel, 'error');
});

t.test('daemon.json keys, flags over file, conflicts and unknown keys', async (t) => {
  const file = JSON.stringify({
    'data-root': '/f', hosts: ['unix:///f.sock'], 'log-opts': { 'max-size': '1m', 'max-file': '2' }, 'live-restore': false,
    'default-ulimits': { nproc: { Name: 'nproc', Soft: 10, Hard: 20 } }, 'default-address-pools': [{ base: '10.20.0.0/16', size: 24 }],
  });
  const c = config(['--bridge', 'br1'], { '/etc/shoal/daemon.json': file });
  t.equal(c.configFile, '/etc/shoal/daemon.json');
  t.equal(c.dataRoot, '/f');
  t.same(c.hosts, ['unix:///f.sock']);
  t.same(c.logOpts, { maxSize: 1024 * 1024, maxFile: 2 });
  t.equal(c.liveRestore, false);
  t.equal(c.bridge, 'br1');
  t.same(c.defaultUlimits.nproc, { Name: 'nproc', Soft: 10, Hard: 20 });

  t.throws(() => config(['--data-root', '/x', '-H', 'unix:///y.sock'], { '/etc/shoal/daemon.json': file }), {
    code: 'COMMON_CONFIG_INVALID',
    message: 'the following directives are specified both as a flag and in the configuration file: data-root: (from flag: "/x", from file: "/f"), hosts: (from flag: ["unix:///y.sock"], from file: ["unix:///f.sock"])',
  });
  t.throws(() => parseDaemonFile('{"data-root":"/a","graph":"/b","colour":1}', '/c.json'), {
    code: 'COMMON_CONFIG_INVALID', message: "/c.json: the following directives don't match any configuration option: graph, colour",
  });
  t.throws(() => parseDaemonFile('{"data-root":', '/c.json'), { message: /\/c\.json is not valid JSON/ });
  t.throws(() => parseDaemonFile('[1]', '/c.json'), { message: /must hold a JSON object/ });
  t.throws(() => config(['--config-file', '/missing.json']), { message: 'config file /missing.json does not exist' });
  t.equal(config(['--config-file', '/c.json'], { '/c.json': '{"bridge":"brc"}' }).bridge, 'brc');
});

t.test('bad values are errors naming the setting', async (t) => {
  const bad: Array<[string[], RegExp]> = [
    [['-H', 'tcp://0.0.0.0:2375'], /TCP only with mutual TLS.*--tlsverify/],
    [['-H', 'tcp://0.0.0.0:2376', '--tlsverify'], /--tlsverify needs --tlscacert, --tlscert, --tlskey/],
    [['-H', 'http://x'], /invalid hosts/],
    [['-H', 'unix://relative.sock'], /absolute socket path/],
    [['--bip', '172.29.0.1'], /invalid bip/],
    [['--bip', '300.1.1.1/16'], /invalid bip/],
    [['-l', 'loud'], /invalid log-level/],
    [['--log-driver', 'syslog'], /invalid log-driver.*json-file/],
    [['--log-opt', 'max-size=lots'], /max-size/],
    [['--log-opt', 'compress=true'], /unknown log option "compress"/],
    [['--log-opt', 'max-file=3'], /max-file needs max-size/],
    [['--log-opt', 'nokey'], /KEY=VALUE/],
    [['--default-ulimit', 'nofile=10:5'], /above hard limit/],
    [['--live-restore=maybe'], /invalid live-restore/],
    [['--userland-proxy=true'], /no userland proxy/],
    [['--userland-proxy'], /no userland proxy/],
    [['--default-address-pool', 'base=10.0.0.0/16,size=8'], /prefix length between 16 and 32/],
    [['--bridge', 'a-very-long-bridge-name'], /interface name/],
    [['--no-such-flag'], /unknown option '--no-such-flag'/],
    [['extra-arg'], /too many arguments|unknown command/],
  ];
  for (const [argv, message] of bad) {
    t.throws(() => config(argv), { code: 'COMMON_CONFIG_INVALID', message }, argv.join(' '));
  }
  t.throws(() => mergeDaemonConfig({}, { hosts: 'unix:///x' }), { message: /invalid hosts: expected a list/ });
  t.throws(() => mergeDaemonConfig({}, { 'live-restore': 'yes' }), { message: /invalid live-restore/ });
  const ok = config(['-H', 'tcp://127.0.0.1:2376', '--tlsverify', '--tlscacert', '/ca', '--tlscert', '/c', '--tlskey', '/k']);
  t.same(ok.hosts, ['tcp://127.0.0.1:2376']);
});

t.test('help, version and validate', async (t) => {
  const help = parseDaemonFlags(['--help']);
  t.equal(help.kind, 'help');
  if (help.kind === 'help') {
    t.match(help.text, /--data-root <dir>/);
    t.match(help.text, /-H, --host <addr>/);
  }
  t.same(parseDaemonFlags(['--version']), { kind: 'version' });
  const r = loadDaemonConfig(['--validate'], noFile);
  t.equal(r.kind === 'config' && r.validateOnly, true);
});

t.test('parseSize', async (t) => {
  t.equal(parseSize('x', '100'), 100);
  t.equal(parseSize('x', '10k'), 10240);
  t.equal(parseSize('x', '1.5m'), 1.5 * 1024 * 1024);
  t.equal(parseSize('x', '2G'), 2 * 1024 ** 3);
  t.throws(() => parseSize('x', '10q'));
  t.throws(() => parseSize('x', ''));
});
