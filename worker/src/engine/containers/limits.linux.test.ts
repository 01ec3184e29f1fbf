import t from 'tap';
import { isMounted, overlayPaths } from '../runtime/index.js';
import { setup, run, logText } from '../../testing/container-env.js';

t.test('memory limit: a process allocating past --memory 8m is OOM-killed', async (t) => {
  const env = await setup(t);
  // Each doubling of a shell variable allocates; 8 MiB is hit within a second.
  const r = await run(env, { Cmd: ['sh', '-c', 'x=aaaaaaaaaaaaaaaa; while true; do x="$x$x"; done'], HostConfig: { NetworkMode: 'none', Memory: 8 << 20, MemorySwap: 8 << 20 } });
  t.equal(r.code, 137, 'killed by SIGKILL');
  const ins = await env.mgr.inspect(r.id);
  t.equal(ins.State.OOMKilled, true);
  t.ok(env.events.some((e) => e.Action === 'oom'), 'oom event');
});

t.test('memory below 6MB is refused with Docker message and nothing is created', async (t) => {
  const env = await setup(t);
  await t.rejects(env.mgr.create('tiny', { Image: 'busybox', HostConfig: { Memory: 1 << 20 } }), { status: 400, message: 'Minimum memory limit allowed is 6MB' });
  t.same(await env.mgr.list({ all: true }), []);
  await t.rejects(env.mgr.create('xx', { Image: 'nope' }), { status: 404, message: 'No such image: nope' });
  await t.rejects(env.mgr.create('-bad', { Image: 'busybox' }), { status: 400, message: 'Invalid container name (-bad), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed' });
  await t.rejects(env.mgr.create('pp', { Image: 'busybox', HostConfig: { PortBindings: { 'abc/tcp': [{ HostPort: '80' }] } } }), { status: 400, message: /invalid port specification/ });
  await t.rejects(env.mgr.create('mm', { Image: 'busybox', HostConfig: { Binds: ['./relative:/x'] } }), { status: 400, message: /a host path must be absolute/ });
  await t.rejects(env.mgr.create('mv', { Image: 'busybox', HostConfig: { Binds: ['ok1:/a'], Mounts: [{ Type: 'volume', Source: 'ok2', Target: '/b', VolumeOptions: { DriverConfig: { Name: 'nfs' } } }] } }), { status: 404, message: /plugin "nfs" not found/ });
  await t.rejects(env.mgr.create('mw', { Image: 'busybox', HostConfig: { Binds: ['ok1:/a'], VolumeDriver: 'flocker' } }), { status: 404, message: /plugin "flocker" not found/ });
  t.same(await env.mgr.list({ all: true }), [], 'no container left behind');
  t.same((await env.volumes.list()).Volumes, [], 'no volume left behind');
  const w = await env.mgr.create('blk', { Image: 'busybox', HostConfig: { BlkioWeight: 300 } });
  t.same(w.Warnings, ['Your kernel does not support Block I/O weight or the cgroup is not mounted. Weight discarded.']);
  await env.mgr.remove(w.Id, {});
  env.events.length = 0;
  t.same(env.events, []);
});

t.test('pids limit', async (t) => {
  const env = await setup(t);
  // Only shell builtins after the forks: with the limit reached, nothing else could run.
  // A child shell forks until it fails ("can't fork"); its sleeps stay behind, reparented to PID 1.
  const script = 'sh -c "for i in 1 2 3 4 5 6 7 8 9 10; do sleep 30 & done" 2>/dev/null; read n < /sys/fs/cgroup/pids/pids.current; read m < /sys/fs/cgroup/pids/pids.max; read k v < /sys/fs/cgroup/pids/pids.events; echo "$n $m $k $v"';
  const r = await run(env, { Cmd: ['sh', '-c', script], HostConfig: { NetworkMode: 'none', PidsLimit: 5 } });
  const [n, max, key, refused] = (await logText(env, r.id)).trim().split(' ');
  t.equal(max, '5');
  t.ok(Number(n) <= 5, `pids.current ${n ?? '?'} within the limit`);
  t.equal(key, 'max');
  t.ok(Number(refused) > 0, `the kernel refused ${refused ?? '?'} forks`);
});

t.test('user by name, supplementary groups, working dir created', async (t) => {
  const env = await setup(t);
  const r = await run(env, { Cmd: ['sh', '-c', 'id -u; id -g; id -G; pwd'], User: 'app', WorkingDir: '/srv/work' });
  t.equal(await logText(env, r.id), '1000\n1000\n1000 50\n/srv/work\n');
  await t.rejects(run(env, { Cmd: ['true'], User: 'nosuchuser' }), { status: 500, message: /unable to find user nosuchuser/ });
});

t.test('read-only rootfs refuses writes; tmpfs is writable', async (t) => {
  const env = await setup(t);
  const r = await run(env, { Cmd: ['sh', '-c', 'touch /x 2>/dev/null && echo wrote || echo refused; touch /t/y && echo tmpfs-ok'], HostConfig: { NetworkMode: 'none', ReadonlyRootfs: true, Tmpfs: { '/t': 'size=1m' } } });
  t.equal(await logText(env, r.id), 'refused\ntmpfs-ok\n');
});

t.test('cap-drop CHOWN: chown fails; default caps allow it', async (t) => {
  const env = await setup(t);
  const ok = await run(env, { Cmd: ['sh', '-c', 'touch /f && chown 1000 /f && echo ok'] });
  t.equal(await logText(env, ok.id), 'ok\n');
  const no = await run(env, { Cmd: ['sh', '-c', 'touch /f; chown 1000 /f 2>/dev/null && echo ok || echo denied'], HostConfig: { NetworkMode: 'none', CapDrop: ['CHOWN'] } });
  t.equal(await logText(env, no.id), 'denied\n');
});

t.test('hostname, env, /etc files, masked paths, --init', async (t) => {
  const env = await setup(t);
  const r = await run(env, {
    Cmd: ['sh', '-c', 'hostname; echo $FOO; cat /etc/hostname; cat /proc/kcore 2>/dev/null | wc -c; cat /proc/1/comm'],
    Env: ['FOO=bar'], HostConfig: { NetworkMode: 'none', Init: true },
  });
  const out = (await logText(env, r.id)).split('\n');
  t.equal(out[0], r.id.slice(0, 12));
  t.equal(out[1], 'bar');
  t.equal(out[2], r.id.slice(0, 12));
  t.equal(out[3]?.trim(), '0', '/proc/kcore masked');
  t.equal(out[4], 'docker-init', 'tini is PID 1 with --init');
});

t.test('command not found maps to Docker 400 and leaves nothing behind', async (t) => {
  const env = await setup(t);
  const { Id } = await env.mgr.create('nf', { Image: 'busybox', Cmd: ['/no/such/thing'], HostConfig: { NetworkMode: 'none' } });
  await t.rejects(env.mgr.start(Id), { status: 400, message: /executable file not found/ });
  t.same(await env.mgr.crun.list(), []);
  t.equal(env.net.attached.size, 0);
  const ins = await env.mgr.inspect(Id);
  t.equal(ins.State.Running, false);
});

t.test('cpu, cpuset, ulimits, sysctls, oom_score_adj, shm-size, bind mounts reach the kernel', async (t) => {
  const env = await setup(t);
  const host = env.dir;
  const script = [
    'cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us /sys/fs/cgroup/cpu/cpu.cfs_period_us /sys/fs/cgroup/cpu/cpu.shares /sys/fs/cgroup/cpuset/cpuset.cpus',
    'ulimit -n', 'cat /proc/sys/net/ipv4/ip_forward', 'cat /proc/self/oom_score_adj',
    "df -k /dev/shm | tail -1 | awk '{print $2}'",
    'echo from-ctr > /hostdir/f', 'cat /ro/f', '(echo x > /ro/g) 2>/dev/null || echo ro-refused',
  ].join('; ');
  const r = await run(env, {
    Cmd: ['sh', '-c', script],
    HostConfig: {
      NetworkMode: 'none', NanoCpus: 500_000_000, CpuShares: 512, CpusetCpus: '0', Ulimits: [{ Name: 'nofile', Soft: 123, Hard: 456 }],
      Sysctls: { 'net.ipv4.ip_forward': '1' }, OomScoreAdj: 300, ShmSize: 2 << 20,
      Binds: [`${host}/rw:/hostdir`, `${host}/rw:/ro:ro`],
    },
  });
  t.equal(r.code, 0);
  t.equal(await logText(env, r.id), '50000\n100000\n512\n0\n123\n1\n300\n2048\nfrom-ctr\nro-refused\n');
});

t.test('privileged: all caps (mount works), host devices, no seccomp; default: mount refused', async (t) => {
  const env = await setup(t);
  const script = 'mkdir -p /mnt/x; (mount -t tmpfs none /mnt/x) 2>/dev/null && echo mounted || echo refused; ls /dev | wc -l; grep Seccomp: /proc/self/status';
  const priv = await run(env, { Cmd: ['sh', '-c', script], HostConfig: { NetworkMode: 'none', Privileged: true } });
  const [m1, n1, sec1] = (await logText(env, priv.id)).trim().split('\n');
  t.equal(m1, 'mounted');
  t.match(sec1 ?? '', /Seccomp:\s+0/);
  const plain = await run(env, { Cmd: ['sh', '-c', script] });
  const [m2, n2, sec2] = (await logText(env, plain.id)).trim().split('\n');
  t.equal(m2, 'refused');
  t.match(sec2 ?? '', /Seccomp:\s+2/, 'seccomp filter mode');
  t.ok(Number(n1) > Number(n2), `privileged sees more devices (${n1 ?? '?'} > ${n2 ?? '?'})`);
});

t.test('--mount type=bind with a missing source is refused at start; nothing is left mounted', async (t) => {
  const env = await setup(t);
  const { Id } = await env.mgr.create('nosrc', { Image: 'busybox', Cmd: ['true'], HostConfig: { NetworkMode: 'none', Mounts: [{ Type: 'bind', Source: `${env.dir}/missing`, Target: '/m' }] } });
  await t.rejects(env.mgr.start(Id), { status: 400, message: /bind source path does not exist/ });
  t.notOk(await isMounted(overlayPaths(env.dataRoot, Id).merged), 'rootfs unmounted by the undo');
  t.equal(env.net.attached.size, 0, 'network detached by the undo');
  t.same(await env.mgr.crun.list(), []);
  t.equal((await env.mgr.inspect(Id)).State.Status, 'created');
});

t.test('custom seccomp profile and a per-container cgroup parent', async (t) => {
  const env = await setup(t);
  const profile = JSON.stringify({ defaultAction: 'SCMP_ACT_ALLOW', architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86'], syscalls: [{ names: ['mkdir', 'mkdirat'], action: 'SCMP_ACT_ERRNO' }] });
  const parent = `${env.parent}-own`;
  t.teardown(async () => {
    const { allCgroupDirs } = await import('../runtime/index.js');
    const { rmdir } = await import('node:fs/promises');
    for (const d of allCgroupDirs(env.mgr.cgroupLayout, `/${parent}`)) await rmdir(d).catch(() => undefined);
  });
  const r = await run(env, {
    Cmd: ['sh', '-c', '(mkdir /newdir) 2>/dev/null && echo made || echo denied'],
    HostConfig: { NetworkMode: 'none', SecurityOpt: [`seccomp=${profile}`] },
  });
  const out = (await logText(env, r.id)).split('\n');
  t.equal(out[0], 'denied', 'the profile denies mkdir');
  await t.rejects(env.mgr.create('badsec', { Image: 'busybox', HostConfig: { SecurityOpt: ['seccomp={nope'] } }), { status: 400, message: /invalid seccomp profile/ });
  const { Id } = await env.mgr.create('own-parent', { Image: 'busybox', Cmd: ['sh', '-c', 'trap "exit 0" TERM; sleep 1d & wait'], HostConfig: { NetworkMode: 'none', CgroupParent: parent } });
  await env.mgr.start(Id);
  const { readFile } = await import('node:fs/promises');
  const procs = await readFile(`/sys/fs/cgroup/memory/${parent}/${Id}/cgroup.procs`, 'utf8');
  t.ok(procs.split('\n').includes(String((await env.mgr.inspect(Id)).State.Pid)), 'the init runs in <CgroupParent>/<id>');
  await env.mgr.stop(Id, { timeoutS: 5 });
});
