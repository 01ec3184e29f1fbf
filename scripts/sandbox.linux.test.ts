/**
 * The test sandbox (scripts/sandbox/) proves itself from inside: the tests
 * that follow cannot write the machine's files, see its network, change the
 * repo or make cgroups outside the run's own.
 */
import t from 'tap';
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, readdir, rmdir, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';

const env = process.env;
const inSandbox = env.SHOAL_TEST_SANDBOX === '1';
const repo = resolve(import.meta.dirname, '..');

if (!inSandbox) {
  if (env.CI !== undefined && env.CI !== '') t.fail('CI runs the tests in the sandbox (scripts/test.sh), never outside it');
  else t.comment('skipped: not in the sandbox (SHOAL_TEST_NO_SANDBOX=1)');
} else {
  t.test('the machine\'s root filesystem is read-only', async (t) => {
    await t.rejects(writeFile('/usr/shoal-sandbox-probe', 'x'), { code: 'EROFS' });
    await t.rejects(mkdir('/etc/shoal-sandbox-probe'), { code: 'EROFS' });
  });

  t.test('the machine\'s network is not visible: own namespace, only lo at first', async (t) => {
    const hostLinks = (env.SHOAL_SANDBOX_HOST_LINKS ?? '').split(',').filter((l) => l !== '' && l !== 'lo');
    t.ok(hostLinks.length > 0, 'the runner passed the machine\'s links');
    const mine = await readdir('/sys/class/net');
    t.ok(mine.includes('lo'), 'lo exists');
    for (const l of hostLinks) t.notOk(mine.includes(l), `the machine's ${l} is not here`);
    const ns = (await stat('/proc/self/ns/net')).ino;
    t.not(String(ns), env.SHOAL_SANDBOX_HOST_NETNS, 'a network namespace of its own');
  });

  t.test('a write into the repo lands in the run\'s copy, not in the repo', async (t) => {
    const lower = env.SHOAL_SANDBOX_REPO_LOWER;
    if (lower === undefined) throw new Error('SHOAL_SANDBOX_REPO_LOWER not set');
    const name = `.sandbox-probe-${randomBytes(4).toString('hex')}`;
    await writeFile(join(repo, name), 'probe\n');
    t.equal(await readFile(join(repo, name), 'utf8'), 'probe\n', 'the copy has it');
    await t.rejects(stat(join(lower, name)), { code: 'ENOENT' }, 'the repo has not');
    // Changing a tracked file copies it up; the repo's stays as it was.
    const arch = await readFile(join(repo, 'ARCHITECTURE.md'), 'utf8');
    await writeFile(join(repo, 'ARCHITECTURE.md'), `${arch}probe\n`);
    t.equal(await readFile(join(lower, 'ARCHITECTURE.md'), 'utf8'), arch);
    await writeFile(join(repo, 'ARCHITECTURE.md'), arch);
    // The repo seen from inside is read-only too.
    await t.rejects(writeFile(join(lower, name), 'x'), { code: 'EROFS' });
  });

  t.test('processes and cgroups are the run\'s own', async (t) => {
    t.equal((await readFile('/proc/1/comm', 'utf8')).trim(), 'tini', 'PID 1 is the sandbox\'s init');
    const cgroups = (await readFile('/proc/self/cgroup', 'utf8')).trim().split('\n');
    // In the run's cgroup namespace every hierarchy is rooted at the run's cgroup.
    for (const line of cgroups) t.match(line.split(':')[2], /^\/($|sandbox$)/, `rooted at the run's cgroup: ${line}`);
    // A directory made in /sys/fs/cgroup lands in the sandbox's tmpfs, not the machine's.
    const mounts = await readFile('/proc/self/mountinfo', 'utf8');
    const top = mounts.split('\n').map((l) => l.split(' - ')).find(([pre]) => pre?.split(' ')[4] === '/sys/fs/cgroup');
    t.match(top?.[1] ?? '', /^(tmpfs|cgroup2) /, '/sys/fs/cgroup is the sandbox\'s own mount');
    const probe = `/sys/fs/cgroup/memory/shoal-sandbox-probe-${randomBytes(3).toString('hex')}`;
    if ((await stat('/sys/fs/cgroup/memory').catch(() => undefined)) !== undefined) {
      await mkdir(probe);
      t.ok((await readFile(`${probe}/cgroup.procs`, 'utf8')) === '', 'a cgroup made under the run\'s root');
      await rmdir(probe);
    }
  });
}
