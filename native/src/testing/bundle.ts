/**
 * Test support (not exported from the package): a minimal OCI bundle on a
 * busybox rootfs, a crun root, and cleanup of what they made. Used by the
 * *.linux.test.ts files of this package.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { runTool } from '@shoal/common';
import { makeBusyboxRootfs } from '@shoal/testkit';

/** What {@link makeTestBundle} made. */
export interface TestBundle {
  /** The directory everything lives in. */
  dir: string;
  id: string;
  bundle: string;
  runtimeRoot: string;
  stateDir: string;
  logPath: string;
  /** Write an OCI process JSON for `crun exec` (same env/user as the container); returns its path. */
  writeProcess(args: string[], opts?: { terminal?: boolean; name?: string }): Promise<string>;
  /** `crun start`. */
  start(): Promise<void>;
  /** `crun kill ID SIGNAL`. */
  kill(signal: string): Promise<void>;
  /** `crun state` status, or undefined when crun no longer knows the container. */
  status(): Promise<string | undefined>;
  /** `crun delete -f` (idempotent). */
  remove(): Promise<void>;
}

/** Mount the v1 hugetlb hierarchy crun 1.8 needs on this host's hybrid cgroup setup (idempotent; never unmounted). */
export async function ensureHugetlbHierarchy(): Promise<void> {
  const info = await readFile('/proc/self/mountinfo', 'utf8');
  if (info.split('\n').some((l) => l.split(' ')[4] === '/sys/fs/cgroup/hugetlb')) return;
  await mkdir('/sys/fs/cgroup/hugetlb', { recursive: true });
  await runTool(['mount', '-t', 'cgroup', '-o', 'hugetlb', 'cgroup', '/sys/fs/cgroup/hugetlb']);
}

function processSpec(args: string[], terminal: boolean): Record<string, unknown> {
  const caps = ['CAP_AUDIT_WRITE', 'CAP_KILL', 'CAP_NET_BIND_SERVICE', 'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_FOWNER', 'CAP_SETUID', 'CAP_SETGID'];
  return {
    terminal,
    user: { uid: 0, gid: 0 },
    args,
    env: ['PATH=/usr/sbin:/usr/bin:/sbin:/bin', 'TERM=xterm', 'HOME=/root'],
    cwd: '/',
    capabilities: { bounding: caps, effective: caps, permitted: caps },
    noNewPrivileges: true,
  };
}

/** A bundle in `dir` whose process runs `args`; the container id has a random suffix. */
export async function makeTestBundle(dir: string, args: string[], opts: { terminal?: boolean } = {}): Promise<TestBundle> {
  await ensureHugetlbHierarchy();
  const id = `shimtest-${randomBytes(4).toString('hex')}`;
  const bundle = join(dir, 'bundle');
  const runtimeRoot = join(dir, 'crun');
  const stateDir = join(dir, 'state');
  await makeBusyboxRootfs(join(bundle, 'rootfs'));
  const config = {
    ociVersion: '1.0.2',
    process: processSpec(args, opts.terminal === true),
    root: { path: 'rootfs', readonly: false },
    hostname: 'shimtest',
    mounts: [
      { destination: '/proc', type: 'proc', source: 'proc' },
      { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
      { destination: '/dev/pts', type: 'devpts', source: 'devpts', options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620'] },
      { destination: '/dev/shm', type: 'tmpfs', source: 'shm', options: ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=65536k'] },
    ],
    linux: {
      namespaces: [{ type: 'pid' }, { type: 'mount' }, { type: 'ipc' }, { type: 'uts' }, { type: 'network' }],
    },
  };
  await writeFile(join(bundle, 'config.json'), JSON.stringify(config));
  const crun = (...a: string[]): string[] => ['crun', '--root', runtimeRoot, ...a];
  return {
    dir,
    id,
    bundle,
    runtimeRoot,
    stateDir,
    logPath: join(dir, 'container.log'),
    async writeProcess(pargs, popts = {}) {
      const p = join(dir, `${popts.name ?? 'process'}.json`);
      await writeFile(p, JSON.stringify(processSpec(pargs, popts.terminal === true)));
      return p;
    },
    async start() {
      await runTool(crun('start', id));
    },
    async kill(signal) {
      await runTool(crun('kill', id, signal));
    },
    async status() {
      const r = await runTool(crun('state', id), { okCodes: [0, 1] });
      if (r.code !== 0) return undefined;
      return (JSON.parse(r.stdout) as { status: string }).status;
    },
    async remove() {
      await runTool(crun('delete', '-f', id), { okCodes: [0, 1] });
    },
  };
}
