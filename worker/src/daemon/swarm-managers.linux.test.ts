// Three real shoalds as three managers, through the real docker CLI: two
// join with the manager token (Raft over the cluster port: a learner, then
// a voter), `node ls` shows the leader and the reachable managers, a
// follower forwards writes to the leader, kill -9 of the leader elects a
// new one that takes writes within seconds, and the old leader restarted
// from its WAL rejoins.
import t from 'tap';
import { daemonWithImage, IMAGE, TRAP_SLEEP } from '../testing/compat-fixture.js';
import { freePort, until } from '../testing/swarm-fixture.js';

t.test('three managers: join, forward, lose the leader, heal', async (t) => {
  const ds = await Promise.all([daemonWithImage(), daemonWithImage(), daemonWithImage()]);
  t.teardown(() => Promise.all(ds.map((d) => d.cleanup())).then(() => undefined));
  const ports = await Promise.all(ds.map(() => freePort()));
  const cli = ds.map((d) => async (args: string[], ok: number[] = [0]) => d.docker(args, { okCodes: ok, timeoutMs: 90_000 }));
  const [m1, m2, m3] = cli as [typeof cli[0], typeof cli[0], typeof cli[0]];
  await m1(['swarm', 'init', '--advertise-addr', `127.0.0.1:${ports[0]}`, '--listen-addr', `127.0.0.1:${ports[0]}`]);
  const token = (await m1(['swarm', 'join-token', '-q', 'manager'])).stdout.trim();
  for (const [i, m] of [[1, m2], [2, m3]] as const) {
    const out = await m(['swarm', 'join', '--token', token, '--advertise-addr', `127.0.0.1:${ports[i]}`, '--listen-addr', `127.0.0.1:${ports[i]}`, `127.0.0.1:${ports[0]}`]);
    t.match(out.stdout, 'This node joined a swarm as a manager.');
  }
  const ids = await Promise.all(cli.map(async (m) => (await m(['info', '--format', '{{.Swarm.NodeID}}'])).stdout.trim()));
  const statuses = async (m: typeof m1): Promise<Record<string, string>> => Object.fromEntries((await m(['node', 'ls', '--format', '{{.ID}} {{.ManagerStatus}}'])).stdout.trim().split('\n').map((l) => l.split(' ') as [string, string]));
  const all = await until('three managers, one leader, all reachable', async () => {
    const s = await statuses(m2);
    return Object.keys(s).length === 3 && Object.values(s).filter((v) => v === 'Leader').length === 1 && Object.values(s).every((v) => v === 'Leader' || v === 'Reachable') ? s : undefined;
  });
  // A node takes tasks once its agent's session with the leader has started (Ready).
  await until('three ready nodes', async () => ((await m1(['node', 'ls', '--format', '{{.Status}}'])).stdout.trim().split('\n').filter((x) => x === 'Ready').length === 3 ? true : undefined));
  t.equal(all[ids[0] as string], 'Leader', 'the first manager leads');
  t.equal((await m3(['info', '--format', '{{.Swarm.Managers}} {{.Swarm.Nodes}} {{.Swarm.ControlAvailable}}'])).stdout.trim(), '3 3 true');

  // A follower takes the write (forwarded to the leader); every manager sees it.
  await m3(['service', 'create', '--name', 'web', '--replicas', '3', IMAGE, ...TRAP_SLEEP]);
  for (const m of cli) t.equal((await m(['service', 'ls', '--format', '{{.Name}} {{.Replicas}}'])).stdout.trim(), 'web 3/3');
  t.equal(new Set((await m1(['service', 'ps', 'web', '--no-resolve', '--format', '{{.Node}}'])).stdout.trim().split('\n')).size, 3, 'one task on each node (the nodes share a hostname: by id)');

  // kill -9 the leader: a new leader takes writes.
  const killedAt = Date.now();
  ds[0]?.proc().kill('SIGKILL');
  await until('a write on the new leader', async () => {
    const r = await m2(['service', 'create', '--detach', '--name', 'after', IMAGE, ...TRAP_SLEEP], [0, 1]);
    return r.code === 0 ? true : undefined;
  });
  t.comment(`leader killed -> a write succeeded after ${Date.now() - killedAt} ms`);
  const now = await statuses(m3);
  t.not(now[ids[0] as string], 'Leader');
  t.ok([now[ids[1] as string], now[ids[2] as string]].includes('Leader'), 'one of the others leads');
  await until('web back to 3/3 without the dead node', async () => ((await m2(['service', 'ls', '--filter', 'name=web', '--format', '{{.Replicas}}'])).stdout.trim() === '3/3' ? true : undefined));

  // The old leader restarts from its WAL and rejoins as a reachable manager with the same id.
  await ds[0]?.start();
  await until('the old leader reachable again', async () => ((await statuses(m2))[ids[0] as string] === 'Reachable' ? true : undefined));
  t.equal((await m1(['service', 'ls', '--format', '{{.Name}}'])).stdout.trim().split('\n').sort().join(' '), 'after web', 'it has the write made while it was dead');
});
