// Services on a one-node swarm of a real shoald, through the real docker
// CLI: create (with the CLI's convergence progress), ls/ps/inspect as the
// CLI renders them, task containers as Docker names and labels them, a
// host-mode published port answering, scale, a rolling update, a failing
// update rolled back on its own, a task that fails, an unsatisfiable
// constraint later met by a node label, a drained node, bad input, a
// shoald restart that adopts the running tasks, and removal leaving no
// container behind.
import t from 'tap';
import { get } from 'node:http';
import { daemonWithImage, IMAGE, TRAP_SLEEP } from '../testing/compat-fixture.js';
import { freePort, until } from '../testing/swarm-fixture.js';

function httpGet(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = get(url, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => { body += c; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.setTimeout(2000, () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

t.test('services on a one-node swarm, through the docker CLI', async (t) => {
  const d = await daemonWithImage();
  t.teardown(() => d.cleanup());
  const docker = async (args: string[], ok: number[] = [0]) => d.docker(args, { okCodes: ok, timeoutMs: 90_000 });
  const lines = async (args: string[]): Promise<string[]> => (await docker(args)).stdout.trim().split('\n').filter((l) => l !== '');
  await docker(['swarm', 'init', '--advertise-addr', '127.0.0.1']);

  // Create: the CLI draws its progress from our task states until they converge.
  const create = await docker(['service', 'create', '--name', 'web', '--replicas', '3', '--label', 'tier=front', '--env', 'GREETING=hi', IMAGE, ...TRAP_SLEEP]);
  const serviceId = create.stdout.split('\n')[0]?.trim() ?? '';
  t.match(serviceId, /^[0-9a-z]{25}$/);
  t.match(create.stdout, /overall progress: 3 out of 3 tasks/);
  t.match(create.stdout, /verify: Service \S+ converged/);
  t.match(create.stderr, /could not be accessed on a registry to record\s+its digest/, 'the CLI warns and goes on without a registry, as with Docker');
  t.same(await lines(['service', 'ls', '--format', '{{.Name}} {{.Mode}} {{.Replicas}} {{.Image}}']), [`web replicated 3/3 ${IMAGE}`]);
  const ps = await lines(['service', 'ps', 'web', '--format', '{{.Name}} {{.DesiredState}} {{.CurrentState}} {{.Error}}']);
  t.equal(ps.length, 3);
  for (const l of ps) t.match(l, /^web\.[123] Running Running .* ago\s*$/);
  const names = await lines(['ps', '--format', '{{.Names}}']);
  t.equal(names.length, 3);
  for (const n of names) t.match(n, /^web\.[123]\.[0-9a-z]{25}$/, 'task containers are named SERVICE.SLOT.TASKID');
  const first = names[0] as string;
  t.equal((await docker(['inspect', first, '--format', '{{index .Config.Labels "com.docker.swarm.service.name"}} {{index .Config.Labels "com.docker.swarm.service.id"}}'])).stdout.trim(), `web ${serviceId}`);
  t.match((await docker(['exec', first, 'sh', '-c', 'echo $GREETING'])).stdout, /^hi$/m, 'the task runs the spec\'s env');
  t.equal((await docker(['service', 'inspect', 'web', '--format', '{{index .Spec.Labels "tier"}} {{.Spec.Mode.Replicated.Replicas}}'])).stdout.trim(), 'front 3');

  // Scale down and up.
  t.match((await docker(['service', 'scale', 'web=1'])).stdout, /web scaled to 1/);
  t.equal((await lines(['ps', '--format', '{{.Names}}'])).length, 1, 'two containers went');
  await docker(['service', 'scale', 'web=2']);
  t.equal((await lines(['ps', '--format', '{{.Names}}'])).length, 2);

  // A rolling update: every task runs the new env, the old ones are history; UpdateStatus completed.
  await docker(['service', 'update', '--env-add', 'GREETING=hello', '--update-parallelism', '1', '--update-monitor', '1s', 'web']);
  const after = await lines(['ps', '--format', '{{.Names}}']);
  t.equal(after.length, 2);
  for (const n of after) t.match((await docker(['exec', n, 'sh', '-c', 'echo $GREETING'])).stdout, /^hello$/m);
  t.equal((await docker(['service', 'inspect', 'web', '--format', '{{.UpdateStatus.State}} {{.UpdateStatus.Message}}'])).stdout.trim(), 'completed update completed');
  // The CLI indents a slot's older tasks in its table format.
  const history = await lines(['service', 'ps', 'web', '--format', 'table {{.Name}}|{{.DesiredState}}']);
  t.equal(history.filter((l) => /^ \\_ web\.\d\|Shutdown\s*$/.test(l)).length, 2, 'the replaced tasks show as history lines');

  // An update to an image no node has: rejected tasks, rolled back on its own.
  const bad = await docker(['service', 'update', '--detach', '--image', 'nosuch:1', '--update-failure-action', 'rollback', '--update-monitor', '1s', 'web']);
  t.equal(bad.code, 0);
  const rolled = await until('the automatic rollback', async () => {
    const s = (await docker(['service', 'inspect', 'web', '--format', '{{.UpdateStatus.State}}|{{.Spec.TaskTemplate.ContainerSpec.Image}}'])).stdout.trim();
    return s.startsWith('rollback_completed|') ? s : undefined;
  }, 60_000);
  t.equal(rolled, `rollback_completed|${IMAGE}`);
  t.match((await docker(['service', 'ps', 'web', '--no-trunc', '--format', '{{.Error}}'])).stdout, /No such image: nosuch:1/, 'service ps shows why the new tasks were rejected');
  await until('two tasks running again', async () => ((await lines(['ps', '--format', '{{.Names}}'])).length === 2 ? true : undefined));

  // A host-mode published port answers from the task.
  const port = await freePort();
  await docker(['service', 'create', '--name', 'www', '--publish', `published=${port},target=80,mode=host`, IMAGE, 'httpd', '-f', '-p', '80', '-h', '/var/www']);
  const res = await until('the published port', async () => {
    const r = await httpGet(`http://127.0.0.1:${port}/index.html`).catch(() => undefined);
    return r?.status === 200 ? r : undefined;
  });
  t.equal(res.body, 'hello from shoal\n');
  // Host-mode ports show per task in `service ps` (from the task's port status), as on Docker.
  t.equal((await docker(['service', 'ps', 'www', '--format', '{{.Ports}}'])).stdout.trim(), `*:${port}->80/tcp`);
  // A second replica cannot take the same host port on the only node: pending, with the reason.
  await docker(['service', 'scale', '--detach', 'www=2']);
  const pending = await until('the pending reason', async () => {
    const out = (await docker(['service', 'ps', 'www', '--no-trunc', '--format', '{{.CurrentState}}|{{.Error}}'])).stdout;
    return /Pending/.test(out) ? out : undefined;
  });
  t.match(pending, 'no suitable node (host-mode port already in use on 1 node)');

  // A task that fails, not restarted (condition none): Failed, with Docker's error.
  await docker(['service', 'create', '--detach', '--name', 'oops', '--restart-condition', 'none', IMAGE, 'sh', '-c', 'exit 3']);
  const failed = await until('the failed task', async () => {
    const out = (await docker(['service', 'ps', 'oops', '--no-trunc', '--format', '{{.DesiredState}}|{{.CurrentState}}|{{.Error}}'])).stdout.trim();
    return /Failed/.test(out) ? out : undefined;
  });
  t.match(failed, /^Shutdown\|Failed .* ago\|"task: non-zero exit \(3\)"$/, 'the CLI quotes the error');

  // An unsatisfiable constraint stays pending with the reason.
  await docker(['service', 'create', '--detach', '--name', 'nowhere', '--constraint', 'node.labels.zone==mars', IMAGE, ...TRAP_SLEEP]);
  const why = await until('the constraint reason', async () => {
    const out = (await docker(['service', 'ps', 'nowhere', '--no-trunc', '--format', '{{.Error}}'])).stdout.trim();
    return out !== '' ? out : undefined;
  });
  t.equal(why, '"no suitable node (scheduling constraints not satisfied on 1 node)"');

  // Node labels and availability: a label that meets the constraint places the pending task;
  // a drained node runs nothing, and its tasks wait with the reason until it is active again.
  const self = (await docker(['node', 'inspect', 'self', '--format', '{{.ID}}'])).stdout.trim();
  await docker(['node', 'update', '--label-add', 'zone=mars', self]);
  await until('the constrained task to run', async () => (/Running/.test((await docker(['service', 'ps', 'nowhere', '--format', '{{.CurrentState}}'])).stdout) ? true : undefined));
  await docker(['node', 'update', '--availability', 'drain', self]);
  t.match((await docker(['node', 'ls', '--format', '{{.Availability}}'])).stdout, /^Drain$/m);
  await until('the drained node to run no task', async () => ((await lines(['ps', '-q'])).length === 0 ? true : undefined));
  t.match((await docker(['service', 'ps', 'web', '--no-trunc', '--filter', 'desired-state=running', '--format', '{{.Error}}'])).stdout, 'no suitable node (1 node not available for new tasks)');
  await docker(['node', 'update', '--availability', 'active', self]);
  await until('web back on the node', async () => ((await lines(['service', 'ls', '--filter', 'name=web', '--format', '{{.Replicas}}']))[0] === '2/2' ? true : undefined));
  t.match((await docker(['node', 'demote', self], [1])).stderr, 'attempting to demote the last manager of the swarm');
  t.match((await docker(['node', 'rm', self], [1])).stderr, 'is a cluster manager and is a member of the raft cluster');

  // Bad input: clear errors, nothing created.
  t.match((await docker(['service', 'create', '--constraint', 'node.role=manager', IMAGE], [1])).stderr, 'constraint expected one operator from ==, !=');
  t.match((await docker(['service', 'create', '--name', 'web', IMAGE], [1])).stderr, 'name conflicts with an existing object');
  t.match((await docker(['service', 'inspect', 'nosuch'], [1])).stderr, /no such service: nosuch/i);
  t.match((await docker(['service', 'rm', 'nosuch'], [1])).stderr, 'service nosuch not found');
  t.equal((await lines(['service', 'ls', '--format', '{{.Name}}'])).sort().join(' '), 'nowhere oops web www');

  // A shoald restart adopts the running task containers: same containers, still running.
  const before = (await lines(['ps', '--filter', 'label=com.docker.swarm.service.name=web', '--format', '{{.ID}}'])).sort();
  await d.stop();
  await d.start();
  await new Promise((r) => setTimeout(r, 1000));
  t.same((await lines(['ps', '--filter', 'label=com.docker.swarm.service.name=web', '--format', '{{.ID}}'])).sort(), before, 'the same containers run on');
  t.same(await lines(['service', 'ls', '--filter', 'name=web', '--format', '{{.Replicas}}']), ['2/2']);

  // Removal: every task container goes.
  for (const s of ['web', 'www', 'oops', 'nowhere']) await docker(['service', 'rm', s]);
  await until('the task containers to go', async () => ((await lines(['ps', '-a', '--format', '{{.Names}}'])).length === 0 ? true : undefined));
  t.same(await lines(['service', 'ls', '-q']), []);
});
