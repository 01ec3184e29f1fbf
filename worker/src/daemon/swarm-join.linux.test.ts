// Two real shoalds, one swarm, through the real docker CLI: a worker joins
// over the cluster port (TLS; its certificate from the manager's CA), a
// wrong token and a token for another CA are refused with Docker's
// sentences, a service spreads over both nodes, the worker refuses cluster
// commands as Docker's workers do, kill -9 of the worker moves its tasks to
// the manager, the restarted worker converges (its stale task containers
// go), and `swarm leave` on the worker.
import t from 'tap';
import { daemonWithImage, IMAGE, TRAP_SLEEP } from '../testing/compat-fixture.js';
import { freePort, until } from '../testing/swarm-fixture.js';

t.test('a worker joins, runs tasks, dies, comes back and leaves', async (t) => {
  const [mgr, wrk] = await Promise.all([daemonWithImage(), daemonWithImage()]);
  t.teardown(() => Promise.all([mgr.cleanup(), wrk.cleanup()]).then(() => undefined));
  const on = (d: typeof mgr) => async (args: string[], ok: number[] = [0]) => d.docker(args, { okCodes: ok, timeoutMs: 90_000 });
  const m = on(mgr);
  const w = on(wrk);
  const port = await freePort();
  await m(['swarm', 'init', '--advertise-addr', `127.0.0.1:${port}`, '--listen-addr', `127.0.0.1:${port}`]);
  const token = (await m(['swarm', 'join-token', '-q', 'worker'])).stdout.trim();
  t.match((await m(['swarm', 'join-token', 'worker'])).stdout, `docker swarm join --token ${token} 127.0.0.1:${port}`);

  // Refusals first: they leave the worker outside any swarm.
  const parts = token.split('-');
  const wrongSecret = [...parts.slice(0, 3), 'abcdefghijklmnopqrstuvwxy'].join('-');
  t.match((await w(['swarm', 'join', '--token', wrongSecret, `127.0.0.1:${port}`], [1])).stderr, 'A valid join token is necessary to join this cluster');
  const otherCA = [parts[0], parts[1], '0'.repeat(50), parts[3]].join('-');
  t.match((await w(['swarm', 'join', '--token', otherCA, `127.0.0.1:${port}`], [1])).stderr, 'remote CA does not match fingerprint');
  t.match((await w(['swarm', 'join', '--token', 'SWMTKN-1-nonsense', `127.0.0.1:${port}`], [1])).stderr, 'invalid join token');
  const closed = await freePort();
  t.match((await w(['swarm', 'join', '--token', token, `127.0.0.1:${closed}`], [1])).stderr, `could not reach a swarm manager at 127.0.0.1:${closed}`);
  t.equal((await w(['info', '--format', '{{.Swarm.LocalNodeState}}'])).stdout.trim(), 'inactive');

  t.match((await w(['swarm', 'join', '--token', token, '--advertise-addr', '127.0.0.1', `127.0.0.1:${port}`])).stdout, 'This node joined a swarm as a worker.');
  const workerId = (await w(['info', '--format', '{{.Swarm.NodeID}}'])).stdout.trim();
  t.match(workerId, /^[0-9a-z]{25}$/);
  t.equal((await w(['info', '--format', '{{.Swarm.LocalNodeState}} {{.Swarm.ControlAvailable}}'])).stdout.trim(), 'active false');
  const workerRow = await until('the worker to be ready', async () => {
    const row = (await m(['node', 'ls', '--filter', `id=${workerId}`, '--format', '{{.Status}} {{.Availability}} {{.ManagerStatus}}'])).stdout.trim();
    return row.startsWith('Ready') ? row : undefined;
  });
  t.equal(workerRow, 'Ready Active');
  t.equal((await m(['node', 'inspect', workerId, '--format', '{{.Spec.Role}}'])).stdout.trim(), 'worker');
  t.match((await w(['node', 'ls'], [1])).stderr, "This node is not a swarm manager. Worker nodes can't be used to view or modify cluster state.");
  t.match((await w(['swarm', 'join', '--token', token, `127.0.0.1:${port}`], [1])).stderr, 'This node is already part of a swarm.');

  // A service spreads over both nodes; the worker runs its share.
  await m(['service', 'create', '--name', 'spread', '--replicas', '4', IMAGE, ...TRAP_SLEEP]);
  const perNode = (await m(['service', 'ps', 'spread', '--format', '{{.Node}}'])).stdout.trim().split('\n');
  t.equal(perNode.length, 4);
  const onWorker = (await w(['ps', '--format', '{{.Names}}'])).stdout.trim().split('\n').filter((n) => n !== '');
  t.equal(onWorker.length, 2, 'two tasks run on the worker');
  for (const n of onWorker) t.match(n, /^spread\.\d\.[0-9a-z]{25}$/);

  // kill -9 of the worker: it goes down, its tasks run on the manager.
  const killedAt = Date.now();
  wrk.proc().kill('SIGKILL');
  await until('the worker to be down', async () => (/^Down/.test((await m(['node', 'ls', '--filter', `id=${workerId}`, '--format', '{{.Status}}'])).stdout.trim()) ? true : undefined));
  await until('four tasks running on the manager', async () => {
    const running = (await m(['ps', '--filter', 'label=com.docker.swarm.service.name=spread', '-q'])).stdout.trim().split('\n').filter((x) => x !== '');
    return running.length === 4 ? true : undefined;
  });
  t.comment(`worker killed -> its tasks running on the manager: ${Date.now() - killedAt} ms`);
  t.equal((await m(['service', 'ls', '--format', '{{.Replicas}}'])).stdout.trim(), '4/4');

  // The worker restarts: ready again; its stale tasks stop (their containers stay as history, as on Docker)
  // and the managers see them shut down.
  await wrk.start();
  await until('the worker to be ready again', async () => (/^Ready/.test((await m(['node', 'ls', '--filter', `id=${workerId}`, '--format', '{{.Status}}'])).stdout.trim()) ? true : undefined));
  await until('the worker\'s stale tasks to stop', async () => ((await w(['ps', '-q'])).stdout.trim() === '' ? true : undefined));
  const stale = await until('the stale tasks reported shut down', async () => {
    const states = (await m(['service', 'ps', 'spread', '--filter', `node=${workerId}`, '--format', '{{.DesiredState}} {{.CurrentState}}'])).stdout.trim().split('\n');
    return states.every((l) => /^Shutdown Shutdown/.test(l)) ? states : undefined;
  });
  t.equal(stale.length, 2);
  t.equal((await w(['info', '--format', '{{.Swarm.NodeID}}'])).stdout.trim(), workerId, 'same node id after the restart');

  // Leave: the worker is out; the manager sees it down.
  t.match((await w(['swarm', 'leave'])).stdout, 'Node left the swarm.');
  t.equal((await w(['info', '--format', '{{.Swarm.LocalNodeState}}'])).stdout.trim(), 'inactive');
  await until('the manager to see the worker down', async () => (/^Down/.test((await m(['node', 'ls', '--filter', `id=${workerId}`, '--format', '{{.Status}}'])).stdout.trim()) ? true : undefined));
  await m(['node', 'rm', workerId]);
  t.equal((await m(['node', 'ls', '-q'])).stdout.trim().split('\n').length, 1);
  await m(['service', 'rm', 'spread']);
});
