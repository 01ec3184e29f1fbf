import t from 'tap';
import { generateSpec, buildEnv, type SpecInput } from './oci-spec.js';
import { computeCaps, DEFAULT_CAPS } from './capabilities.js';
import { resolveCommand } from './command.js';
import { resolveUser } from './user-lookup.js';
import { hostsFile, resolvConf } from './etc-files.js';
import { overlayOptions } from './overlay-rootfs.js';

const base = (over: Partial<SpecInput> = {}): SpecInput => ({
  id: 'a'.repeat(64),
  hostConfig: {},
  tty: false,
  openStdin: false,
  argv: ['echo', 'hi'],
  env: ['PATH=/bin'],
  user: { uid: 0, gid: 0, additionalGids: [0], home: '/root' },
  cwd: '/',
  rootfsPath: '/r',
  hostname: 'aaaaaaaaaaaa',
  network: { kind: 'new' },
  cgroupsPath: '/shoal/x',
  etcFiles: { hosts: '/c/hosts', hostname: '/c/hostname', resolvConf: '/c/resolv.conf' },
  userMounts: [],
  ...over,
});

t.test('default spec looks like Docker', async (t) => {
  const s = generateSpec(base());
  t.same(s.linux.namespaces.map((n) => n.type).sort(), ['cgroup', 'ipc', 'mount', 'network', 'pid', 'uts']);
  t.same(s.process.capabilities.bounding, DEFAULT_CAPS);
  t.equal(s.linux.seccomp?.defaultAction, 'SCMP_ACT_ERRNO');
  t.ok(s.linux.seccomp?.syscalls[0]?.names.includes('read'));
  t.notOk(s.linux.seccomp?.syscalls[0]?.names.includes('mount'), 'mount needs CAP_SYS_ADMIN');
  t.ok(s.linux.maskedPaths.includes('/proc/kcore'));
  t.ok(s.linux.readonlyPaths.includes('/proc/sys'));
  const shm = s.mounts.find((m) => m.destination === '/dev/shm');
  t.ok(shm?.options?.includes(`size=${64 * 1024 * 1024}`));
  t.ok(s.mounts.find((m) => m.destination === '/sys')?.options?.includes('ro'));
  t.same(s.mounts.filter((m) => m.destination.startsWith('/etc/')).map((m) => m.source), ['/c/resolv.conf', '/c/hostname', '/c/hosts']);
  t.equal(s.root.readonly, false);
  t.equal(s.linux.resources.devices[0]?.allow, false);
  t.same(s.linux.devices.map((d) => d.path), ['/dev/null', '/dev/zero', '/dev/full', '/dev/random', '/dev/urandom', '/dev/tty']);
  t.equal(s.process.rlimits, undefined);
});

t.test('host network has no net namespace; a path is joined', async (t) => {
  t.notOk(generateSpec(base({ network: { kind: 'host' } })).linux.namespaces.some((n) => n.type === 'network'));
  t.same(generateSpec(base({ network: { kind: 'path', path: '/run/netns/x' } })).linux.namespaces.find((n) => n.type === 'network'), { type: 'network', path: '/run/netns/x' });
});

t.test('privileged: all caps, no seccomp, no masked paths, all devices', async (t) => {
  const s = generateSpec(base({ hostConfig: { Privileged: true } }));
  t.ok(s.process.capabilities.bounding.includes('CAP_SYS_ADMIN'));
  t.equal(s.linux.seccomp, undefined);
  t.same(s.linux.maskedPaths, []);
  t.same(s.linux.readonlyPaths, []);
  t.same(s.linux.resources.devices, [{ allow: true, access: 'rwm' }]);
});

t.test('resources, limits, sysctls, read-only, init, shm', async (t) => {
  const s = generateSpec(base({
    hostConfig: {
      Memory: 8 << 20, NanoCpus: 1_500_000_000, CpuShares: 512, PidsLimit: 20, CpusetCpus: '0', ReadonlyRootfs: true,
      Ulimits: [{ Name: 'nofile', Soft: 100, Hard: 200 }], OomScoreAdj: 500, Sysctls: { 'net.ipv4.ip_forward': '1' }, ShmSize: 1 << 20,
    },
    initPath: '/usr/bin/tini-static',
  }));
  t.same(s.linux.resources.memory, { limit: 8 << 20, swap: 16 << 20 });
  t.same(s.linux.resources.cpu, { shares: 512, period: 100000, quota: 150000, cpus: '0' });
  t.same(s.linux.resources.pids, { limit: 20 });
  t.same(s.process.rlimits, [{ type: 'RLIMIT_NOFILE', hard: 200, soft: 100 }]);
  t.equal(s.process.oomScoreAdj, 500);
  t.same(s.linux.sysctl, { 'net.ipv4.ip_forward': '1' });
  t.equal(s.root.readonly, true);
  t.same(s.process.args, ['/sbin/docker-init', '--', 'echo', 'hi']);
  t.ok(s.mounts.some((m) => m.destination === '/sbin/docker-init' && m.source === '/usr/bin/tini-static'));
  t.ok(s.mounts.find((m) => m.destination === '/dev/shm')?.options?.includes('size=1048576'));
  t.ok(s.mounts.find((m) => m.destination === '/etc/hosts')?.options?.includes('ro'));
  const s2 = generateSpec(base({ hostConfig: { Memory: 8 << 20, MemorySwap: -1 } }));
  t.same(s2.linux.resources.memory, { limit: 8 << 20 });
});

t.test('bind and tmpfs mounts', async (t) => {
  const s = generateSpec(base({ userMounts: [
    { type: 'bind', source: '/h', destination: '/c', readOnly: true },
    { type: 'tmpfs', source: '', destination: '/t', readOnly: false, options: ['size=1m'] },
  ] }));
  t.same(s.mounts.find((m) => m.destination === '/c'), { destination: '/c', type: 'bind', source: '/h', options: ['rbind', 'rprivate', 'ro'] });
  t.same(s.mounts.find((m) => m.destination === '/t'), { destination: '/t', type: 'tmpfs', source: 'tmpfs', options: ['size=1m'] });
});

t.test('capabilities add/drop', async (t) => {
  t.notOk(computeCaps({ drop: ['chown'] }).includes('CAP_CHOWN'));
  t.same(computeCaps({ drop: ['ALL'], add: ['NET_ADMIN'] }), ['CAP_NET_ADMIN']);
  t.ok(computeCaps({ add: ['ALL'] }).includes('CAP_SYS_ADMIN'));
  t.ok(computeCaps({ add: ['sys_admin'] }).includes('CAP_SYS_ADMIN'));
  t.throws(() => computeCaps({ add: ['BOGUS'] }), { code: 'RUNTIME_INVALID_SPEC' });
  const s = generateSpec(base({ hostConfig: { CapAdd: ['SYS_ADMIN'] } }));
  t.ok(s.linux.seccomp?.syscalls.some((r) => r.names.includes('mount') && r.action === 'SCMP_ACT_ALLOW'));
});

t.test('env as Docker builds it', async (t) => {
  t.same(buildEnv({ imageEnv: ['PATH=/x', 'A=1'], userEnv: ['A=2', 'B=3'], hostname: 'h', tty: true }),
    ['PATH=/x', 'HOSTNAME=h', 'TERM=xterm', 'A=2', 'B=3']);
  t.same(buildEnv({ hostname: 'h', tty: false }), ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'HOSTNAME=h']);
});

t.test('ENTRYPOINT/CMD rules', async (t) => {
  t.same(resolveCommand({ imageEntrypoint: ['/ep'], imageCmd: ['a'] }).argv, ['/ep', 'a']);
  t.same(resolveCommand({ cmd: ['b'], imageEntrypoint: ['/ep'], imageCmd: ['a'] }).argv, ['/ep', 'b']);
  t.same(resolveCommand({ entrypoint: ['/x'], imageEntrypoint: ['/ep'], imageCmd: ['a'] }).argv, ['/x']);
  t.same(resolveCommand({ entrypoint: ['/x'], cmd: ['c'], imageCmd: ['a'] }).argv, ['/x', 'c']);
  t.same(resolveCommand({ entrypoint: [''], imageEntrypoint: ['/ep'], imageCmd: ['a'] }).argv, []);
  t.same(resolveCommand({ imageCmd: ['sh'] }).argv, ['sh']);
});

t.test('user lookup', async (t) => {
  const passwd = 'root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:app:/home/app:/bin/sh\n';
  const group = 'root:x:0:\napp:x:1000:\nstaff:x:50:app\nnogroup:x:65534:\n';
  t.same(resolveUser('app', passwd, group), { uid: 1000, gid: 1000, additionalGids: [1000, 50], home: '/home/app' });
  t.same(resolveUser('app:nogroup', passwd, group), { uid: 1000, gid: 65534, additionalGids: [65534], home: '/home/app' });
  t.same(resolveUser('4242', passwd, group), { uid: 4242, gid: 0, additionalGids: [0], home: '/' });
  t.same(resolveUser('', passwd, group, ['staff', '7']), { uid: 0, gid: 0, additionalGids: [0, 50, 7], home: '/root' });
  t.throws(() => resolveUser('nobody2', passwd, group), { code: 'RUNTIME_USER_NOT_FOUND' });
  t.throws(() => resolveUser('app:nogrp', passwd, group), { code: 'RUNTIME_USER_NOT_FOUND' });
});

t.test('etc files', async (t) => {
  t.match(hostsFile({ hostname: 'abc', ip: '10.0.0.2', extra: [{ ip: '1.2.3.4', names: ['x'] }] }), /1\.2\.3\.4\tx\n10\.0\.0\.2\tabc\n$/);
  t.equal(resolvConf('nameserver 127.0.0.53\nsearch lan\n', {}), 'search lan\n');
  t.equal(resolvConf('nameserver 127.0.0.53\nnameserver 10.1.1.1\n', {}), 'nameserver 10.1.1.1\n');
  t.equal(resolvConf('nameserver 127.0.0.1\n', { fallback: ['172.29.0.1'] }), 'nameserver 172.29.0.1\n');
  t.equal(resolvConf('nameserver 10.1.1.1\n', { dns: ['10.9.9.9'], options: ['ndots:2'] }), 'nameserver 10.9.9.9\noptions ndots:2\n');
});

t.test('overlay options: topmost first; relative when too long', async (t) => {
  t.same(overlayOptions(['/l/1', '/l/2'], '/o/u', '/o/w'), { options: 'lowerdir=/l/2:/l/1,upperdir=/o/u,workdir=/o/w' });
  const layers = Array.from({ length: 55 }, (_, i) => `/var/lib/shoal/snapshots/${'x'.repeat(50)}${i}/fs`);
  const r = overlayOptions(layers, '/var/lib/shoal/overlay/id/diff', '/var/lib/shoal/overlay/id/work');
  t.equal(r.cwd, '/var/lib/shoal');
  t.ok(r.options.length < 4096);
  t.ok(r.options.startsWith(`lowerdir=snapshots/${'x'.repeat(50)}54/fs:`));
});

t.test('privileged gets the bounding set the daemon has', async (t) => {
  const { capsFromMask } = await import('./capabilities.js');
  const have = capsFromMask('000001fffeffffff');
  t.notOk(have.includes('CAP_SYS_RESOURCE'));
  t.equal(have.length, 40);
  const s = generateSpec(base({ hostConfig: { Privileged: true }, hostCaps: have }));
  t.same(s.process.capabilities.bounding, have);
  t.same(computeCaps({ add: ['ALL'], drop: ['NET_RAW'], available: have }).includes('CAP_NET_RAW'), false);
});

t.test('--pid/--ipc/--uts host and container:', async (t) => {
  const s = generateSpec(base({ shareNs: { pid: 'host', ipc: '/proc/42/ns/ipc' } }));
  t.same(s.linux.namespaces, [{ type: 'ipc', path: '/proc/42/ns/ipc' }, { type: 'uts' }, { type: 'mount' }, { type: 'cgroup' }, { type: 'network' }]);
  t.equal(s.hostname, 'aaaaaaaaaaaa');
  t.equal(generateSpec(base({ shareNs: { uts: 'host' } })).hostname, undefined, 'no hostname without a UTS namespace');
});

t.test('custom seccomp profile and unconfined', async (t) => {
  const profile = JSON.stringify({ defaultAction: 'SCMP_ACT_ALLOW', archMap: [{ architecture: 'SCMP_ARCH_X86_64', subArchitectures: ['SCMP_ARCH_X86'] }], syscalls: [{ names: ['mkdir'], action: 'SCMP_ACT_ERRNO' }] });
  const s = generateSpec(base({ hostConfig: { SecurityOpt: [`seccomp=${profile}`] } }));
  t.same(s.linux.seccomp, { defaultAction: 'SCMP_ACT_ALLOW', architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86'], syscalls: [{ names: ['mkdir'], action: 'SCMP_ACT_ERRNO' }] });
  t.equal(generateSpec(base({ hostConfig: { SecurityOpt: ['seccomp=unconfined'] } })).linux.seccomp, undefined);
  t.throws(() => generateSpec(base({ hostConfig: { SecurityOpt: ['seccomp={bad'] } })), { code: 'RUNTIME_INVALID_SPEC', message: /invalid seccomp profile/ });
});
