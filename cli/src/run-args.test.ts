import t from 'tap';
import { runArgsToCreateBody, normalizeCaps, parseNanoCpus } from './run-args.js';
import { hasCode } from '@shoal/common';

const deps = {
  env: (k: string) => ({ HOME: '/root', TOKEN: 's3cret' } as Record<string, string>)[k],
  cwd: '/home/me',
  readFile: (p: string) => {
    const files: Record<string, string> = { '/e.env': '# c\nA=1\nTOKEN\n', '/l.txt': 'tier=web\n# x\nteam\n' };
    const c = files[p];
    if (c === undefined) throw new Error('ENOENT: no such file or directory');
    return c;
  },
  consoleSize: [40, 120] as [number, number],
};
const run = (...argv: string[]) => runArgsToCreateBody(argv, deps);
const err = (...argv: string[]): string => {
  try {
    run(...argv);
  } catch (e) {
    if (!hasCode(e, 'CLI_INVALID_FLAG') && !hasCode(e, 'CLI_USAGE')) throw e;
    return e.message;
  }
  throw new Error('expected an error');
};

t.test('a bare run: what the docker CLI sends', async (t) => {
  const r = run('busybox');
  t.equal(r.name, undefined);
  t.match(r.body, {
    Hostname: '', Domainname: '', User: '', AttachStdin: false, AttachStdout: true, AttachStderr: true,
    Tty: false, OpenStdin: false, StdinOnce: false, Env: [], Cmd: null, Image: 'busybox', Volumes: {},
    WorkingDir: '', Entrypoint: null, OnBuild: null, Labels: {},
    NetworkingConfig: { EndpointsConfig: {} },
  });
  t.notOk('ExposedPorts' in r.body);
  t.match(r.body.HostConfig, {
    Binds: null, NetworkMode: 'default', PortBindings: {}, RestartPolicy: { Name: 'no', MaximumRetryCount: 0 },
    AutoRemove: false, LogConfig: { Type: '', Config: {} }, CapAdd: null, CapDrop: null, Privileged: false,
    ReadonlyRootfs: false, PublishAllPorts: false, Memory: 0, NanoCpus: 0, ConsoleSize: [0, 0],
  });
  t.notOk('PidsLimit' in (r.body.HostConfig ?? {}));
  t.notOk('Init' in (r.body.HostConfig ?? {}));
  t.same(r.behaviour, { detach: false, autoRemove: false, tty: false, interactive: false, sigProxy: true, attach: { stdin: false, stdout: true, stderr: true }, pull: 'never' });
  t.equal(run('--pull', 'missing', 'busybox').behaviour.pull, 'missing');
  t.match(err('--pull', 'sometimes', 'busybox'), /invalid pull option/);
});

t.test('options after the image are the container command', async (t) => {
  const r = run('--name', 'web', 'busybox', 'sh', '-c', 'echo -n hi', '--rm', '-e', 'X');
  t.equal(r.name, 'web');
  t.same(r.body.Cmd, ['sh', '-c', 'echo -n hi', '--rm', '-e', 'X']);
  t.equal(r.body.HostConfig?.AutoRemove, false);
  t.same(run('busybox', '--', 'ls').body.Cmd, ['--', 'ls']);
});

t.test('-d, -i, -t, -a, --rm', async (t) => {
  const it = run('-it', '--rm', 'busybox', 'sh');
  t.match(it.body, { AttachStdin: true, AttachStdout: true, AttachStderr: true, Tty: true, OpenStdin: true, StdinOnce: true });
  t.same(it.body.HostConfig?.ConsoleSize, [40, 120]);
  t.equal(it.body.HostConfig?.AutoRemove, true);
  t.match(it.behaviour, { tty: true, interactive: true, autoRemove: true });
  const d = run('-d', '-i', 'busybox');
  t.match(d.body, { AttachStdin: false, AttachStdout: false, AttachStderr: false, OpenStdin: true, StdinOnce: false });
  t.equal(d.behaviour.detach, true);
  const a = run('-a', 'stderr', 'busybox');
  t.match(a.body, { AttachStdin: false, AttachStdout: false, AttachStderr: true });
  t.match(run('-a', 'STDIN', '-a', 'stdout', 'busybox').body, { AttachStdin: true, AttachStdout: true, AttachStderr: false, OpenStdin: false, StdinOnce: false });
  t.match(err('-d', '-a', 'stdout', 'busybox'), /Conflicting options: -a and -d/);
  t.match(err('-a', 'stdpipe', 'busybox'), /valid streams are STDIN, STDOUT and STDERR/);
  t.equal(run('--sig-proxy', 'busybox').behaviour.sigProxy, true);
  t.equal(run('--no-sig-proxy', 'busybox').behaviour.sigProxy, false);
  t.equal(run('--detach-keys', 'ctrl-x', 'busybox').behaviour.detachKeys, 'ctrl-x');
});

t.test('env, env files, labels', async (t) => {
  const r = run('--env-file', '/e.env', '-e', 'B=2', '-e', 'HOME', '-e', 'UNSET', '--env', 'C=x=y', '-l', 'a=1', '--label', 'b', '--label-file', '/l.txt', 'busybox');
  t.same(r.body.Env, ['A=1', 'TOKEN=s3cret', 'B=2', 'HOME=/root', 'UNSET', 'C=x=y']);
  t.same(r.body.Labels, { tier: 'web', team: '', a: '1', b: '' });
  t.match(err('--env-file', '/missing.env', 'busybox'), /open \/missing.env: ENOENT/);
});

t.test('ports', async (t) => {
  const r = run('-p', '8080:80', '-p', '127.0.0.1:5353:53/udp', '--expose', '9000-9001', '-P', 'busybox');
  t.same(r.body.ExposedPorts, { '80/tcp': {}, '53/udp': {}, '9000/tcp': {}, '9001/tcp': {} });
  t.same(r.body.HostConfig?.PortBindings, { '80/tcp': [{ HostIp: '', HostPort: '8080' }], '53/udp': [{ HostIp: '127.0.0.1', HostPort: '5353' }] });
  t.equal(r.body.HostConfig?.PublishAllPorts, true);
  t.match(err('-p', '80/icmp', 'busybox'), /invalid proto: icmp/);
});

t.test('volumes, mounts, tmpfs', async (t) => {
  const r = run('-v', '/data', '-v', './src:/src:ro', '-v', 'vol:/v', '--mount', 'type=bind,src=/a,dst=/b,readonly', '--mount', 'type=tmpfs,dst=/t,tmpfs-size=1m', '--tmpfs', '/run:size=64m', 'busybox');
  t.same(r.body.Volumes, { '/data': {} });
  t.same(r.body.HostConfig?.Binds, ['/home/me/src:/src:ro', 'vol:/v']);
  t.same(r.body.HostConfig?.Mounts, [
    { Type: 'bind', Source: '/a', Target: '/b', ReadOnly: true },
    { Type: 'tmpfs', Target: '/t', TmpfsOptions: { SizeBytes: 1048576 } },
  ]);
  t.same(r.body.HostConfig?.Tmpfs, { '/run': 'size=64m' });
});

t.test('resources and limits', async (t) => {
  const r = run('-m', '512m', '--memory-swap', '-1', '--memory-reservation', '256m', '--cpus', '1.5', '-c', '512', '--cpuset-cpus', '0-1',
    '--pids-limit', '100', '--ulimit', 'nofile=1024:2048', '--ulimit', 'nproc=64', '--shm-size', '1g', 'busybox');
  t.match(r.body.HostConfig, {
    Memory: 512 * 1024 * 1024, MemorySwap: -1, MemoryReservation: 256 * 1024 * 1024, NanoCpus: 1_500_000_000, CpuShares: 512,
    CpusetCpus: '0-1', PidsLimit: 100, ShmSize: 1024 ** 3,
    Ulimits: [{ Name: 'nofile', Soft: 1024, Hard: 2048 }, { Name: 'nproc', Soft: 64, Hard: 64 }],
  });
  t.equal(run('--pids-limit', '-1', 'busybox').body.HostConfig?.PidsLimit, -1);
  t.equal(run('--memory=1g', 'busybox').body.HostConfig?.Memory, 1024 ** 3);
  t.match(err('-m', '12q', 'busybox'), /invalid suffix/);
  t.match(err('--cpus', 'two', 'busybox'), /failed to parse two/);
  t.match(err('--cpus', '1', '--cpu-quota', '1000', 'busybox'), /Nano CPUs and CPU Period/);
  t.match(err('--pids-limit', 'lots', 'busybox'), /invalid argument "lots" for "--pids-limit"/);
  t.equal(parseNanoCpus('0.000000001'), 1);
  t.match(err('--cpus', '0.0000000001', 'busybox'), /too precise/);
});

t.test('security, process, misc', async (t) => {
  const r = run('--privileged', '--read-only', '--init', '--cap-add', 'net_admin', '--cap-add', 'CAP_SYS_TIME', '--cap-drop', 'all',
    '-u', '1000:1000', '--group-add', 'audio', '-w', '/app', '--hostname', 'h1', '--entrypoint', '/bin/sh', '--stop-signal', 'SIGINT',
    '--stop-timeout', '3', '--sysctl', 'net.ipv4.ip_forward=1', '--log-opt', 'max-size=10m', '--log-driver', 'json-file',
    '--dns', '1.1.1.1', '--add-host', 'db:10.0.0.2', '--restart', 'on-failure:3', '--network', 'mynet', '--network-alias', 'api',
    '--security-opt', 'no-new-privileges', 'busybox', '-c', 'true');
  t.match(r.body, { User: '1000:1000', WorkingDir: '/app', Hostname: 'h1', Entrypoint: ['/bin/sh'], Cmd: ['-c', 'true'], StopSignal: 'SIGINT', StopTimeout: 3 });
  t.match(r.body.HostConfig, {
    Privileged: true, ReadonlyRootfs: true, Init: true, CapAdd: ['CAP_NET_ADMIN', 'CAP_SYS_TIME'], CapDrop: ['ALL'], GroupAdd: ['audio'],
    Sysctls: { 'net.ipv4.ip_forward': '1' }, LogConfig: { Type: 'json-file', Config: { 'max-size': '10m' } }, Dns: ['1.1.1.1'],
    ExtraHosts: ['db:10.0.0.2'], RestartPolicy: { Name: 'on-failure', MaximumRetryCount: 3 }, NetworkMode: 'mynet', SecurityOpt: ['no-new-privileges'],
  });
  t.same(r.body.NetworkingConfig, { EndpointsConfig: { mynet: { Aliases: ['api'] } } });
  t.same(run('--entrypoint', '', 'busybox').body.Entrypoint, ['']);
  t.equal(run('--net', 'host', 'busybox').body.HostConfig?.NetworkMode, 'host');
  t.equal(run('-h', 'box', 'busybox').body.Hostname, 'box');
  t.same(run('--no-healthcheck', 'busybox').body.Healthcheck, { Test: ['NONE'] });
  t.same(run('--health-cmd', 'true', '--health-interval', '5s', '--health-retries', '2', 'busybox').body.Healthcheck,
    { Test: ['CMD-SHELL', 'true'], Interval: 5e9, Timeout: 0, StartPeriod: 0, Retries: 2 });
  t.same(normalizeCaps(['chown', 'CHOWN', 'cap_kill']), ['CAP_CHOWN', 'CAP_KILL']);
  t.match(err('--rm', '--restart', 'always', 'busybox'), /cannot specify both --restart and --rm/);
  t.match(err('--restart', 'always:2', 'busybox'), /only be used with 'on-failure'/);
  t.match(err('--ulimit', 'nofile=2:1', 'busybox'), /soft limit/);
  t.match(err('--sysctl', 'novalue', 'busybox'), /expected KEY=VALUE/);
  t.match(err('--log-driver', 'none', '--log-opt', 'a=b', 'busybox'), /invalid logging opts for driver none/);
  t.match(err('--network-alias', 'x', 'busybox'), /only supported for user-defined networks/);
});

t.test('usage errors', async (t) => {
  t.match(err(), /requires at least 1 argument|missing required argument/);
  t.match(err('--bogus', 'busybox'), /unknown option '--bogus'/);
  t.match(err('-p'), /argument missing/);
  t.match(err('UPPER:case'), /invalid reference format/);
});

t.test('--platform and --name go to the query', async (t) => {
  const r = run('--platform', 'linux/amd64', '--name', 'x', 'busybox:1.36');
  t.equal(r.platform, 'linux/amd64');
  t.equal(r.name, 'x');
  t.equal(r.body.Image, 'busybox:1.36');
});
