// The real docker CLI against a real shoald: what users type, and the
// sentences they read when something is not there.
import t from 'tap';
import { join } from 'node:path';
import { runTool } from '@shoal/common';
import { startTestDaemon } from '@shoal/testkit';

t.test('docker CLI: version, import, run, run -i, ps, exec, logs, inspect, errors', async (t) => {
  const d = await startTestDaemon({ config: { 'default-ulimits': { nofile: { Name: 'nofile', Soft: 1111, Hard: 2222 } } } });
  t.teardown(() => d.cleanup());
  const env = { ...process.env, DOCKER_HOST: `unix://${d.socketPath}`, DOCKER_CONFIG: join(d.dir, 'docker-config') };
  const docker = async (args: string[], opts: { input?: string; ok?: number[] } = {}) =>
    runTool(['docker', ...args], { env, input: opts.input, okCodes: opts.ok ?? [0], timeoutMs: 60_000 });

  const version = await docker(['version', '--format', '{{.Server.APIVersion}} {{.Server.Os}}']);
  t.equal(version.stdout.trim(), '1.44 linux');
  const info = await docker(['info', '--format', '{{.Driver}} {{.DefaultRuntime}} {{.Swarm.LocalNodeState}}']);
  t.equal(info.stdout.trim(), 'overlay2 crun inactive');

  const tar = await d.busyboxTar();
  const imported = await docker(['import', tar, 'busybox:latest']);
  t.match(imported.stdout.trim(), /^sha256:[0-9a-f]{64}$/);
  t.match((await docker(['images', '--format', '{{.Repository}}:{{.Tag}}'])).stdout, /^busybox:latest$/m);

  const hello = await docker(['run', '--rm', '--network', 'none', 'busybox', 'echo', 'hello from shoal']);
  t.equal(hello.stdout, 'hello from shoal\n');
  const piped = await docker(['run', '-i', '--rm', '--network', 'none', 'busybox', 'sh', '-c', 'cat; exit 7'], { input: 'through stdin\n', ok: [7] });
  t.equal(piped.stdout, 'through stdin\n');
  t.equal(piped.code, 7, 'the exit code of the container is docker run\'s');

  const limits = await docker(['run', '--rm', '--network', 'none', 'busybox', 'sh', '-c', 'ulimit -Sn; ulimit -Hn']);
  t.equal(limits.stdout, '1111\n2222\n', 'the daemon\'s --default-ulimit applies');
  const own = await docker(['run', '--rm', '--network', 'none', '--ulimit', 'nofile=300:400', 'busybox', 'sh', '-c', 'ulimit -Sn']);
  t.equal(own.stdout, '300\n', 'a container\'s own --ulimit wins');

  // docker run -it through a pty (script): raw tty stream, resize, exit code.
  const tty = await runTool(['script', '-qec', 'docker run -it --rm --network none busybox sh', '/dev/null'], {
    env, input: 'echo "in $((6*7)) tty"; exit 5\n', okCodes: [5], timeoutMs: 60_000,
  });
  t.match(tty.stdout, /in 42 tty/);
  t.equal(tty.code, 5);

  const id = (await docker(['run', '-d', '--name', 'web', 'busybox', 'sh', '-c', 'trap "exit 0" TERM; echo up; sleep 1d & wait'])).stdout.trim();
  t.match(id, /^[0-9a-f]{64}$/);
  t.match((await docker(['ps', '--format', '{{.Names}} {{.Status}}'])).stdout, /^web Up/m);
  t.equal((await docker(['exec', 'web', 'echo', 'in exec'])).stdout, 'in exec\n');
  t.equal((await docker(['exec', '-i', 'web', 'cat'], { input: 'exec stdin\n' })).stdout, 'exec stdin\n');
  const execTty = await runTool(['script', '-qec', 'docker exec -it web sh', '/dev/null'], { env, input: 'echo "exec $((6*7))"; exit 4\n', okCodes: [4], timeoutMs: 60_000 });
  t.match(execTty.stdout, /exec 42/);
  t.match((await docker(['inspect', '-f', '{{.State.Running}} {{.NetworkSettings.Networks.bridge.IPAddress}}', 'web'])).stdout, /^true \d+\.\d+\.\d+\.\d+\n$/);
  t.equal((await docker(['logs', 'web'])).stdout, 'up\n');
  await docker(['stop', 'web']);
  t.match((await docker(['ps', '-a', '--filter', 'status=exited', '--format', '{{.Names}}'])).stdout, /^web$/m);
  await docker(['rm', 'web']);

  const missing = await docker(['inspect', 'nope'], { ok: [1] });
  t.match(missing.stderr, /No such (container|object): nope/);
  const nodes = await docker(['node', 'ls'], { ok: [1] });
  t.equal(nodes.stderr.trim(), 'Error response from daemon: This node is not a swarm manager. Use "docker swarm init" or "docker swarm join" to connect this node to swarm and try again.');
  const pull = await docker(['pull', 'alpine'], { ok: [1] });
  t.match(pull.stderr, /shoal cannot pull docker\.io\/library\/alpine:latest: registry support is not implemented yet; load or import the image/);
  // docker system df: a volume with 100,000 bytes, referenced by a stopped container.
  await docker(['volume', 'create', 'dfvol']);
  await docker(['run', '-v', 'dfvol:/data', '--name', 'dfc', '--network', 'none', 'busybox', 'sh', '-c', 'head -c 100000 /dev/zero > /data/blob']);
  const df = (await docker(['system', 'df', '--format', '{{.Type}} {{.TotalCount}} {{.Active}} {{.Size}} {{.Reclaimable}}'])).stdout;
  t.match(df, /^Images 1 1 [\d.]+[kM]B 0B \(0%\)$/m, 'the image, used by a container: nothing to reclaim');
  t.match(df, /^Containers \d+ \d+ /m);
  t.match(df, /^Local Volumes 1 1 100kB 0B \(0%\)$/m, 'the volume\'s bytes, in use');
  t.match(df, /^Build Cache 0 0 0B 0B$/m);
  await docker(['rm', 'dfc']);
});
