import t from 'tap';
import { readFile } from 'node:fs/promises';
import { runTool } from '@shoal/common';
import { isMounted, overlayPaths, cgroupExists } from '../runtime/index.js';
import { setup, logText } from '../../testing/container-env.js';

const TRAP = ['sh', '-c', 'trap "echo got-term; exit 0" TERM; echo ready; sleep 1d & wait'];

t.test('stop sends TERM; a container ignoring it is killed after the timeout', async (t) => {
  const env = await setup(t);
  const { Id } = await env.mgr.create('polite', { Image: 'busybox', Cmd: TRAP, HostConfig: { NetworkMode: 'none' } });
  await env.mgr.start(Id);
  t.equal((await env.mgr.inspect(Id)).State.Status, 'running');
  await t.rejects(env.mgr.start(Id), { status: 304, message: /already started/ });
  await t.rejects(env.mgr.remove(Id, {}), { status: 409, message: /stop the container before removing or force remove/ });
  await env.mgr.stop(Id, { timeoutS: 10 });
  const ins = await env.mgr.inspect(Id);
  t.equal(ins.State.Status, 'exited');
  t.equal(ins.State.ExitCode, 0, 'the TERM trap ran');
  t.match(await logText(env, Id), /got-term/);
  await t.rejects(env.mgr.stop(Id, {}), { status: 304, message: /already stopped/ });

  const stubborn = await env.mgr.create('stubborn', { Image: 'busybox', Cmd: ['sh', '-c', 'trap "" TERM; sleep 1d & wait'], HostConfig: { NetworkMode: 'none' } });
  await env.mgr.start(stubborn.Id);
  const t0 = Date.now();
  await env.mgr.stop(stubborn.Id, { timeoutS: 1 });
  t.ok(Date.now() - t0 >= 900, 'waited for the timeout');
  t.equal((await env.mgr.inspect(stubborn.Id)).State.ExitCode, 137, 'then SIGKILL');
  t.same(env.events.filter((e) => e.Action === 'kill' && e.Actor.ID === stubborn.Id).map((e) => e.Actor.Attributes.signal), ['15', '9']);
});

t.test('pause freezes, unpause resumes', async (t) => {
  const env = await setup(t);
  const { Id } = await env.mgr.create('p1', { Image: 'busybox', Cmd: ['sh', '-c', 'trap "exit 0" TERM; while true; do sleep 0.05; done & wait'], HostConfig: { NetworkMode: 'none' } });
  await env.mgr.start(Id);
  await env.mgr.pause(Id);
  const ins = await env.mgr.inspect(Id);
  t.equal(ins.State.Status, 'paused');
  t.equal(ins.State.Paused, true);
  const freezer = (await readFile(`/sys/fs/cgroup/freezer/${env.parent}/${Id}/freezer.state`, 'utf8')).trim();
  t.equal(freezer, 'FROZEN', 'the freezer cgroup is frozen');
  const pid = ins.State.Pid;
  const st = await readFile(`/proc/${pid}/stat`, 'utf8');
  t.match(st.slice(st.lastIndexOf(')') + 2, st.lastIndexOf(')') + 3), /[SD]/, 'init is not running');
  await t.rejects(env.mgr.pause(Id), { status: 409, message: /already paused/ });
  t.same(env.mgr.counts(), { total: 1, running: 0, paused: 1, stopped: 0 });
  await env.mgr.unpause(Id);
  t.equal((await env.mgr.inspect(Id)).State.Status, 'running');
  t.equal((await readFile(`/sys/fs/cgroup/freezer/${env.parent}/${Id}/freezer.state`, 'utf8')).trim(), 'THAWED');
  await env.mgr.stop(Id, { timeoutS: 5 });
  t.equal((await env.mgr.inspect(Id)).State.ExitCode, 0);
});

t.test('restart policy on-failure:2 restarts twice then gives up', async (t) => {
  const env = await setup(t, { backoff: { initialMs: 10, maxMs: 40, resetAfterMs: 10_000 } });
  const { Id } = await env.mgr.create('flaky', { Image: 'busybox', Cmd: ['sh', '-c', 'echo run; exit 3'], HostConfig: { NetworkMode: 'none', RestartPolicy: { Name: 'on-failure', MaximumRetryCount: 2 } } });
  let dies = 0;
  const third = env.nextEvent((e) => e.Action === 'die' && ++dies === 3);
  await env.mgr.start(Id);
  await third;
  const ins = await env.mgr.inspect(Id);
  t.equal(ins.RestartCount, 2);
  t.equal(ins.State.Status, 'exited');
  t.equal(ins.State.ExitCode, 3);
  t.equal(await logText(env, Id), 'run\nrun\nrun\n');
  t.same(env.events.map((e) => e.Action), ['create', 'start', 'die', 'restart', 'start', 'die', 'restart', 'start', 'die']);
});

t.test('restore: a new manager adopts a running container and sees its exit; a dead one is cleaned up', async (t) => {
  const env1 = await setup(t);
  const a = await env1.mgr.create('alive', { Image: 'busybox', Cmd: TRAP, HostConfig: { NetworkMode: 'none' } });
  const b = await env1.mgr.create('dies', { Image: 'busybox', Cmd: ['sh', '-c', 'trap "exit 0" TERM; sleep 1d & wait'], HostConfig: { NetworkMode: 'none' } });
  const c = await env1.mgr.create('always', { Image: 'busybox', Cmd: ['sh', '-c', 'trap "exit 0" TERM; sleep 1d & wait'], HostConfig: { NetworkMode: 'none', RestartPolicy: { Name: 'always' } } });
  await env1.mgr.start(a.Id);
  await env1.mgr.start(b.Id);
  await env1.mgr.start(c.Id);
  const pidA = (await env1.mgr.inspect(a.Id)).State.Pid;
  await env1.mgr.close();
  env1.closed = true;
  // While "shoald" is down, b and c die.
  await runTool(['crun', '--root', `${env1.execRoot}/runtime`, 'kill', b.Id, 'KILL']);
  await runTool(['crun', '--root', `${env1.execRoot}/runtime`, 'kill', c.Id, 'KILL']);
  const deadline = Date.now() + 5000;
  for (const id of [b.Id, c.Id]) {
    while (Date.now() < deadline) {
      try { await readFile(`${env1.execRoot}/shims/${id}/exit.json`); break; } catch { await new Promise((r) => setTimeout(r, 20)); }
    }
  }
  const env2 = await setup(t, {}, env1);
  // env1's teardown (registered before tap's test-dir removal) cleans up after env2.
  env1.mgr = env2.mgr;
  env1.closed = false;
  env2.closed = true;
  const ia = await env2.mgr.inspect('alive');
  t.equal(ia.State.Status, 'running', 'adopted');
  t.equal(ia.State.Pid, pidA);
  const ib = await env2.mgr.inspect('dies');
  t.equal(ib.State.Status, 'exited');
  t.equal(ib.State.ExitCode, 137, 'exit status from exit.json');
  t.notOk(await isMounted(overlayPaths(env1.dataRoot, b.Id).merged), 'dead container unmounted');
  t.notOk(await cgroupExists(env2.mgr.cgroupLayout, env2.mgr.cgroupPath(b.Id)), 'and its cgroup is gone');
  const ic = await env2.mgr.inspect('always');
  t.ok(['running', 'restarting'].includes(ic.State.Status), 'always: restarted');
  if (ic.State.Status === 'restarting') await env2.nextEvent((e) => e.Action === 'start' && e.Actor.ID === c.Id, true);
  t.equal((await env2.mgr.inspect('always')).State.Status, 'running');
  const exited = env2.mgr.wait(a.Id, 'next-exit');
  await env2.mgr.stop(a.Id, { timeoutS: 5 });
  t.equal((await exited).StatusCode, 0, 'the new manager saw the exit');
  t.match(await logText(env2, a.Id), /ready\ngot-term\n/);
});

t.test('remove -f kills and leaves nothing behind; wait removed; rename; list filters', async (t) => {
  const env = await setup(t);
  const { Id } = await env.mgr.create('victim', { Image: 'busybox', Cmd: ['sleep', '1d'], Labels: { app: 'x' }, HostConfig: { NetworkMode: 'none' } });
  const stopped = await env.mgr.create('other', { Image: 'busybox', Cmd: ['true'], HostConfig: { NetworkMode: 'none' } });
  await env.mgr.start(Id);
  t.same((await env.mgr.list({})).map((c) => c.Names[0]), ['/victim']);
  t.same((await env.mgr.list({ all: true })).map((c) => c.Names[0]), ['/other', '/victim']);
  t.same((await env.mgr.list({ all: true, filters: { label: ['app=x'] } })).map((c) => c.Id), [Id]);
  t.same((await env.mgr.list({ all: true, filters: { status: ['created'] } })).map((c) => c.Id), [stopped.Id]);
  t.same((await env.mgr.list({ all: true, filters: { name: ['^/vic'] } })).map((c) => c.Id), [Id]);
  await t.rejects(env.mgr.list({ filters: { bogus: ['1'] } }), { status: 400, message: "invalid filter 'bogus'" });
  await env.mgr.rename('victim', 'victim2');
  t.equal((await env.mgr.inspect(Id.slice(0, 8))).Name, '/victim2');
  await t.rejects(env.mgr.rename('other', 'victim2'), { status: 409, message: /already in use/ });
  await t.rejects(env.mgr.create('victim2', { Image: 'busybox' }), { status: 409, message: /Conflict. The container name "\/victim2" is already in use/ });
  const removed = env.mgr.wait(Id, 'removed');
  await env.mgr.remove(Id, { force: true });
  await removed;
  await t.rejects(env.mgr.inspect(Id), { status: 404, message: `No such container: ${Id}` });
  t.same(await env.mgr.crun.list(), []);
  t.notOk(await isMounted(overlayPaths(env.dataRoot, Id).merged));
  t.notOk(await cgroupExists(env.mgr.cgroupLayout, env.mgr.cgroupPath(Id)));
  await t.rejects(readFile(`${env.dataRoot}/containers/${Id}/config.v2.json`), { code: 'ENOENT' });
  t.same(env.events.filter((e) => e.Actor.ID === Id).map((e) => e.Action), ['create', 'start', 'rename', 'kill', 'die', 'destroy']);
});

t.test('restart, kill with a signal, --rm, wait conditions, prune', async (t) => {
  const env = await setup(t);
  const { Id } = await env.mgr.create('sig', { Image: 'busybox', Cmd: ['sh', '-c', 'trap "echo usr1" USR1; trap "exit 0" TERM; echo up; while true; do sleep 0.1; done & while true; do wait; done'], HostConfig: { NetworkMode: 'none' } });
  await env.mgr.start(Id);
  const pid1 = (await env.mgr.inspect(Id)).State.Pid;
  const usr1 = env.mgr.logs(Id, { follow: true, stdout: true });
  await env.mgr.kill(Id, 'USR1');
  t.equal((await env.mgr.inspect(Id)).State.Status, 'running', 'USR1 handled, still running');
  const stream = (await usr1).stream;
  let seen = '';
  for await (const chunk of stream) {
    seen += (chunk as Buffer).subarray(8).toString();
    if (seen.includes('usr1')) break;
  }
  stream.destroy();
  t.match(seen, /up\n.*usr1/s);
  await env.mgr.restart(Id, { timeoutS: 5 });
  const after = await env.mgr.inspect(Id);
  t.equal(after.State.Status, 'running');
  t.not(after.State.Pid, pid1, 'a new process');
  t.same(env.events.filter((e) => e.Actor.ID === Id).map((e) => e.Action).slice(-5), ['kill', 'die', 'stop', 'start', 'restart']);
  const notRunning = env.mgr.wait(Id, 'not-running');
  await env.mgr.kill(Id);
  t.equal((await notRunning).StatusCode, 137, 'SIGKILL by default');
  t.equal((await env.mgr.wait(Id, 'not-running')).StatusCode, 137, 'not-running on a stopped container resolves at once');
  await t.rejects(env.mgr.kill(Id), { status: 409, message: /is not running/ });

  const auto = await env.mgr.create(undefined, { Image: 'busybox', Cmd: ['true'], HostConfig: { NetworkMode: 'none', AutoRemove: true } });
  const removed = env.mgr.wait(auto.Id, 'removed');
  await env.mgr.start(auto.Id);
  await removed;
  await t.rejects(env.mgr.inspect(auto.Id), { status: 404, message: /No such container/ });

  const keep = await env.mgr.create('keep', { Image: 'busybox', Cmd: ['sleep', '1d'], HostConfig: { NetworkMode: 'none' } });
  await env.mgr.start(keep.Id);
  const labelled = await env.mgr.create('lab', { Image: 'busybox', Cmd: ['true'], Labels: { keep: 'yes' }, HostConfig: { NetworkMode: 'none' } });
  const pruned = await env.mgr.prune({ 'label!': ['keep=yes'] });
  t.same(pruned.ContainersDeleted, [Id], 'only the stopped, unlabelled one');
  t.same((await env.mgr.list({ all: true })).map((c) => c.Id).sort(), [keep.Id, labelled.Id].sort());
  t.same(env.mgr.counts(), { total: 2, running: 1, paused: 0, stopped: 1 });
});
