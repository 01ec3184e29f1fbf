import t from 'tap';
import { detectCgroupLayout, containerCgroupDirs, parseCgroupMounts } from './cgroup-layout.js';

const hybrid = `31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct
35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids
40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd
41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
`;

t.test('hybrid host with hugetlb on cgroup2 needs a v1 hugetlb mount', async (t) => {
  const l = detectCgroupLayout(hybrid, 'hugetlb\n');
  t.equal(l.mode, 'hybrid');
  t.same(l.missingV1, ['hugetlb']);
  t.equal(l.v1.memory, '/sys/fs/cgroup/memory');
  t.equal(l.v1['name=systemd'], '/sys/fs/cgroup/systemd');
  t.equal(l.unified, '/sys/fs/cgroup/unified');
});

t.test('hybrid host with empty cgroup2 is fine', async (t) => {
  const l = detectCgroupLayout(hybrid, '\n');
  t.equal(l.mode, 'hybrid');
  t.same(l.missingV1, []);
});

t.test('pure v2', async (t) => {
  const l = detectCgroupLayout('30 23 0:26 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate\n', 'cpuset cpu io memory pids\n');
  t.equal(l.mode, 'v2');
  t.same(l.missingV1, []);
  t.same(containerCgroupDirs(l, 'shoal/abc'), { unified: '/sys/fs/cgroup/shoal/abc' });
});

t.test('pure v1 with co-mounted controllers', async (t) => {
  const mi = '32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct\n35 31 0:32 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n';
  const l = detectCgroupLayout(mi, null);
  t.equal(l.mode, 'v1');
  t.equal(l.v1.cpu, '/sys/fs/cgroup/cpu,cpuacct');
  t.equal(l.v1.cpuacct, '/sys/fs/cgroup/cpu,cpuacct');
  t.same(containerCgroupDirs(l, '/shoal/x'), { cpu: '/sys/fs/cgroup/cpu,cpuacct/shoal/x', cpuacct: '/sys/fs/cgroup/cpu,cpuacct/shoal/x', memory: '/sys/fs/cgroup/memory/shoal/x' });
});

t.test('escaped mount points', async (t) => {
  const { v1 } = parseCgroupMounts('35 31 0:32 / /sys/fs/cg\\040x/memory rw - cgroup cgroup rw,memory\n');
  t.equal(v1.memory, '/sys/fs/cg x/memory');
});
