// The real docker CLI against a real shoald, for the container engine's
// behaviours users see: exit codes of docker run, limits, stop/kill,
// pause, top, stats, rename, restart policy, inspect fields.
import t from 'tap';
import { join } from 'node:path';
import { runTool } from '@shoal/common';
import { startTestDaemon } from '@shoal/testkit';

t.test('docker CLI: container lifecycle, limits and errors', async (t) => {
  const d = await startTestDaemon();
  t.teardown(() => d.cleanup());
  const env = { ...process.env, DOCKER_HOST: `unix://${d.socketPath}`, DOCKER_CONFIG: join(d.dir, 'docker-config') };
  const docker = async (args: string[], opts: { input?: string; ok?: number[] } = {}) =>
    runTool(['docker', ...args], { env, input: opts.input, okCodes: opts.ok ?? [0], timeoutMs: 60_000 });
  await docker(['import', await d.busyboxTar(), 'busybox:latest']);
  const N = ['--network', 'none'];

  const notFound = await docker(['run', '--rm', ...N, 'busybox', '/no/such/cmd'], { ok: [127] });
  t.match(notFound.stderr, /executable file not found/);
  t.equal(notFound.code, 127, 'docker run exits 127 for a missing command');
  const tiny = await docker(['run', '--rm', '-m', '4m', ...N, 'busybox', 'true'], { ok: [125] });
  t.match(tiny.stderr, /Minimum memory limit allowed is 6MB/);
  const badName = await docker(['create', '--name', 'bad name', 'busybox'], { ok: [1] });
  t.match(badName.stderr, /Invalid container name \(bad name\), only \[a-zA-Z0-9\]\[a-zA-Z0-9_.-\] are allowed/);

  const oom = await docker(['run', '-m', '8m', '--memory-swap', '8m', '--name', 'oom', ...N, 'busybox', 'sh', '-c', 'x=aaaaaaaaaaaaaaaa; while true; do x="$x$x"; done'], { ok: [137] });
  t.equal(oom.code, 137);
  t.equal((await docker(['inspect', '-f', '{{.State.OOMKilled}} {{.State.ExitCode}} {{.HostConfig.Memory}}', 'oom'])).stdout, 'true 137 8388608\n');
  const user = await docker(['run', '--rm', '-u', 'app', '-w', '/srv', '--read-only', '--cap-drop', 'CHOWN', ...N, 'busybox', 'sh', '-c', 'id -u; pwd; touch /x 2>/dev/null || echo ro']);
  t.equal(user.stdout, '1000\n/srv\nro\n');

  await docker(['run', '-d', '--name', 'svc', '--restart', 'unless-stopped', ...N, 'busybox', 'sh', '-c', 'trap "exit 0" TERM; sleep 1d & wait']);
  const top = await docker(['top', 'svc']);
  t.match(top.stdout, /^UID\s+PID\s+PPID\s+C\s+STIME\s+TTY\s+TIME\s+CMD/);
  t.match(top.stdout, /sleep 1d/);
  const stats = await docker(['stats', '--no-stream', '--format', '{{.Name}} {{.PIDs}}', 'svc']);
  t.equal(stats.stdout, 'svc 2\n');
  await docker(['pause', 'svc']);
  t.equal((await docker(['inspect', '-f', '{{.State.Status}}', 'svc'])).stdout, 'paused\n');
  await docker(['unpause', 'svc']);
  await docker(['rename', 'svc', 'svc2']);
  await docker(['update', '--memory', '32m', '--memory-swap', '64m', 'svc2']);
  t.equal((await docker(['inspect', '-f', '{{.Name}} {{.HostConfig.Memory}} {{.HostConfig.RestartPolicy.Name}}', 'svc2'])).stdout, '/svc2 33554432 unless-stopped\n');
  const t0 = Date.now();
  await docker(['stop', 'svc2']);
  t.ok(Date.now() - t0 < 5000, 'the TERM trap made stop fast');
  t.equal((await docker(['inspect', '-f', '{{.State.Status}} {{.State.ExitCode}}', 'svc2'])).stdout, 'exited 0\n');
  const rmRunning = await docker(['run', '-d', '--name', 'busy', ...N, 'busybox', 'sleep', '1d']);
  t.match(rmRunning.stdout, /^[0-9a-f]{64}\n$/);
  const refused = await docker(['rm', 'busy'], { ok: [1] });
  t.match(refused.stderr, /stop the container before removing or force remove/);
  await docker(['rm', '-f', 'busy']);
  const pruned = await docker(['container', 'prune', '-f']);
  t.match(pruned.stdout, /Deleted Containers:/);
  t.equal((await docker(['ps', '-aq'])).stdout, '');
});
