// `docker swarm init` against a real shoald with the real docker CLI: a
// single-manager swarm with Docker's output, `docker info` and `node ls` as
// Docker shows them, join tokens that pin the root CA, the refusals of a
// second init and of a plain leave, a daemon restart back into the swarm,
// and `leave --force`.
import t from 'tap';
import { startTestDaemon } from '@shoal/testkit';

t.test('docker swarm init / info / node ls / join-token / leave on shoald', async (t) => {
  const d = await startTestDaemon();
  t.teardown(() => d.cleanup());
  const docker = async (args: string[], ok: number[] = [0]) => d.docker(args, { okCodes: ok, timeoutMs: 60_000 });

  const init = await docker(['swarm', 'init', '--advertise-addr', '127.0.0.1', '--task-history-limit', '3']);
  const nodeId = /current node \(([0-9a-z]{25})\) is now a manager/.exec(init.stdout)?.[1] ?? '';
  t.match(init.stdout, /^Swarm initialized: current node \([0-9a-z]{25}\) is now a manager\./);
  t.match(init.stdout, /docker swarm join --token SWMTKN-1-[0-9a-z]{50}-[0-9a-z]{25} 127\.0\.0\.1:2377/);

  const info = (await docker(['info', '--format', '{{.Swarm.LocalNodeState}} {{.Swarm.NodeID}} {{.Swarm.ControlAvailable}} {{.Swarm.Nodes}} {{.Swarm.Managers}} {{.Swarm.NodeAddr}}'])).stdout.trim();
  t.equal(info, `active ${nodeId} true 1 1 127.0.0.1`);
  const pretty = (await docker(['info'])).stdout;
  t.match(pretty, /Swarm: active/);
  t.match(pretty, /Is Manager: true/);
  t.match(pretty, /Task History Retention Limit: 3/);

  const ls = (await docker(['node', 'ls', '--format', '{{.ID}} {{.Self}} {{.Status}} {{.Availability}} {{.ManagerStatus}}'])).stdout.trim();
  t.equal(ls, `${nodeId} true Ready Active Leader`);
  t.match((await docker(['node', 'ls'])).stdout, new RegExp(`^${nodeId} \\*\\s+\\S+\\s+Ready\\s+Active\\s+Leader`, 'm'));
  t.equal((await docker(['node', 'inspect', 'self', '--format', '{{.Spec.Role}} {{.ManagerStatus.Addr}}'])).stdout.trim(), 'manager 127.0.0.1:2377');
  const missing = await docker(['node', 'inspect', 'nosuchnode'], [1]);
  t.match(missing.stderr, 'node nosuchnode not found');

  const worker = (await docker(['swarm', 'join-token', '-q', 'worker'])).stdout.trim();
  const manager = (await docker(['swarm', 'join-token', '-q', 'manager'])).stdout.trim();
  t.match(worker, /^SWMTKN-1-[0-9a-z]{50}-[0-9a-z]{25}$/);
  t.equal(worker.split('-')[2], manager.split('-')[2], 'both tokens pin the same root CA');
  t.not(worker, manager);

  const again = await docker(['swarm', 'init', '--advertise-addr', '127.0.0.1'], [1]);
  t.match(again.stderr, 'This node is already part of a swarm. Use "docker swarm leave" to leave this swarm and join another one.');
  const leave = await docker(['swarm', 'leave'], [1]);
  t.match(leave.stderr, 'You are attempting to leave the swarm on a node that is participating as a manager.');

  // A restart finds the same swarm (node id, tokens) from the WAL.
  await d.stop();
  await d.start();
  t.equal((await docker(['info', '--format', '{{.Swarm.LocalNodeState}} {{.Swarm.NodeID}}'])).stdout.trim(), `active ${nodeId}`);
  t.equal((await docker(['swarm', 'join-token', '-q', 'worker'])).stdout.trim(), worker);

  t.match((await docker(['swarm', 'leave', '--force'])).stdout, 'Node left the swarm.');
  t.equal((await docker(['info', '--format', '{{.Swarm.LocalNodeState}}'])).stdout.trim(), 'inactive');
  const gone = await docker(['node', 'ls'], [1]);
  t.match(gone.stderr, 'This node is not a swarm manager.');
});
