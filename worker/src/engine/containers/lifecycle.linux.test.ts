import t from 'tap';
import { isMounted, overlayPaths } from '../runtime/index.js';
import { setup, run, logText } from '../../testing/container-env.js';

t.test('echo hi: output in the log, exit code, events', async (t) => {
  const env = await setup(t);
  const { id, code } = await run(env, { Cmd: ['echo', 'hi'] }, 'hello');
  t.equal(code, 0);
  t.equal(await logText(env, id), 'hi\n');
  const ins = await env.mgr.inspect('hello');
  t.equal(ins.State.Status, 'exited');
  t.equal(ins.State.ExitCode, 0);
  t.equal(ins.Name, '/hello');
  t.same(env.events.map((e) => e.Action), ['create', 'start', 'die']);
  t.equal(env.events[2]?.Actor.Attributes.exitCode, '0');
  t.notOk(await isMounted(overlayPaths(env.dataRoot, id).merged), 'rootfs unmounted after exit');
  t.same(await env.mgr.crun.list(), [], 'crun deleted it');
  t.equal(env.net.attached.size, 0, 'network detached');
});

t.test('exit code, pid 1, isolation from host processes', async (t) => {
  const env = await setup(t);
  t.equal((await run(env, { Cmd: ['sh', '-c', 'exit 7'] })).code, 7);
  const r = await run(env, { Cmd: ['sh', '-c', 'echo $$; exec ps -o pid,comm'] });
  const lines = (await logText(env, r.id)).trim().split('\n').map((l) => l.trim().split(/\s+/));
  t.same(lines, [['1'], ['PID', 'COMMAND'], ['1', 'ps']], 'PID 1 is the command; no host process is visible');
});

t.test('ten containers started concurrently all run and stop cleanly', async (t) => {
  const env = await setup(t);
  const ids = await Promise.all(Array.from({ length: 10 }, async () => {
    const { Id } = await env.mgr.create(undefined, { Image: 'busybox', Cmd: ['sh', '-c', 'trap "exit 0" TERM; sleep 1d & wait'], HostConfig: { NetworkMode: 'none' } });
    await env.mgr.start(Id);
    return Id;
  }));
  t.equal(new Set((await env.mgr.list({})).map((c) => c.Names[0])).size, 10, 'ten distinct generated names, all running');
  await Promise.all(ids.map((id) => env.mgr.stop(id, { timeoutS: 5 })));
  t.same((await env.mgr.list({ all: true })).map((c) => c.State), Array(10).fill('exited'));
  t.same(await env.mgr.crun.list(), []);
});

t.test('--pid container:X and --ipc host', async (t) => {
  const env = await setup(t);
  const { Id } = await env.mgr.create('target', { Image: 'busybox', Cmd: ['sh', '-c', 'trap "exit 0" TERM; sleep 1d & wait'], HostConfig: { NetworkMode: 'none' } });
  await env.mgr.start(Id);
  const r = await run(env, { Cmd: ['sh', '-c', 'cat /proc/1/cmdline | tr "\\0" " "; echo'], HostConfig: { NetworkMode: 'none', PidMode: `container:target`, IpcMode: 'host' } });
  t.equal(await logText(env, r.id), 'sh -c trap "exit 0" TERM; sleep 1d & wait \n', 'PID 1 is the target container\'s init');
  await t.rejects(env.mgr.create('bad', { Image: 'busybox', HostConfig: { PidMode: 'bogus' } }), { status: 400, message: 'invalid PID mode: bogus' });
  const { hostname } = await import('node:os');
  const uts = await run(env, { Cmd: ['hostname'], HostConfig: { NetworkMode: 'none', UTSMode: 'host' } });
  t.equal(await logText(env, uts.id), `${hostname()}\n`, '--uts host shows the host name');
  await env.mgr.stop(Id, { timeoutS: 5 });
});
