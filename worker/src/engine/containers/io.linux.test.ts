import t from 'tap';
import { duplexPair, type Duplex } from 'node:stream';
import { setup } from '../../testing/container-env.js';

/** Collect everything the engine writes to its end of the connection until it ends it. */
function collect(client: Duplex): Promise<Buffer> {
  const chunks: Buffer[] = [];
  client.on('data', (b: Buffer) => chunks.push(b));
  return new Promise((resolve) => client.once('end', () => resolve(Buffer.concat(chunks))));
}

/** Demultiplex Docker's stdcopy frames. */
function demux(b: Buffer): { stdout: string; stderr: string } {
  let out = '';
  let err = '';
  let i = 0;
  while (i + 8 <= b.length) {
    const len = b.readUInt32BE(i + 4);
    const payload = b.subarray(i + 8, i + 8 + len).toString();
    if (b[i] === 1) out += payload; else if (b[i] === 2) err += payload;
    i += 8 + len;
  }
  return { stdout: out, stderr: err };
}

async function text(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

t.test('docker run flow: attach before start sees all output; stdin with StdinOnce; logs', async (t) => {
  const env = await setup(t);
  const { Id } = await env.mgr.create('cat', {
    Image: 'busybox', Cmd: ['sh', '-c', 'echo start; cat; echo err >&2'], OpenStdin: true, StdinOnce: true, AttachStdin: true,
    HostConfig: { NetworkMode: 'none' },
  });
  const [client, server] = duplexPair();
  const got = collect(client);
  const attached = env.mgr.attach(Id, { stream: true, stdin: true, stdout: true, stderr: true }, server);
  const exited = env.mgr.wait(Id, 'next-exit');
  await env.mgr.start(Id);
  await attached;
  client.write('hello\n');
  client.end();
  t.equal((await exited).StatusCode, 0);
  const { stdout, stderr } = demux(await got);
  t.equal(stdout, 'start\nhello\n');
  t.equal(stderr, 'err\n');
  const logs = demux(await text((await env.mgr.logs(Id, { stdout: true, stderr: true })).stream));
  t.equal(logs.stdout, 'start\nhello\n');
  t.equal(logs.stderr, 'err\n');
  const tail = demux(await text((await env.mgr.logs(Id, { stdout: true, stderr: false, tail: 1 })).stream));
  t.equal(tail.stdout, '');
});

t.test('exec: output, exit code, env, user, inspect; top and stats', async (t) => {
  const env = await setup(t);
  const { Id } = await env.mgr.create('svc', { Image: 'busybox', Cmd: ['sh', '-c', 'trap "exit 0" TERM; sleep 1d & wait'], Env: ['A=1'], HostConfig: { NetworkMode: 'none', Memory: 64 << 20 } });
  await env.mgr.start(Id);
  const ex = await env.mgr.execCreate(Id, { Cmd: ['sh', '-c', 'echo $A $B; id -u; exit 3'], Env: ['B=2'], User: 'app', AttachStdout: true, AttachStderr: true });
  const [client, server] = duplexPair();
  const got = collect(client);
  await env.mgr.execStart(ex.Id, {}, server);
  const out = demux(await got);
  t.equal(out.stdout, '1 2\n1000\n');
  await env.nextEvent((e) => e.Action === 'exec_die' && e.Actor.Attributes.execID === ex.Id, true);
  const ins = await env.mgr.execInspect(ex.Id);
  t.equal(ins.Running, false);
  t.equal(ins.ExitCode, 3);
  t.equal(ins.ContainerID, Id);
  t.same((await env.mgr.inspect(Id)).ExecIDs, [ex.Id]);
  await t.rejects(env.mgr.execStart(ex.Id, {}), { status: 409, message: /already run/ });
  const priv = await env.mgr.execCreate(Id, { Cmd: ['sh', '-c', 'grep CapEff /proc/self/status'], Privileged: true, AttachStdout: true });
  const [pc, ps] = duplexPair();
  const privOut = collect(pc);
  await env.mgr.execStart(priv.Id, {}, ps);
  const capEff = BigInt(`0x${/CapEff:\s*([0-9a-f]+)/.exec(demux(await privOut).stdout)?.[1] ?? '0'}`);
  t.equal((capEff >> 21n) & 1n, 1n, 'privileged exec has CAP_SYS_ADMIN (bit 21)');
  await t.rejects(env.mgr.execInspect('nope'), { status: 404, message: 'No such exec instance: nope' });
  t.ok(env.events.some((e) => e.Action === 'exec_die' && e.Actor.Attributes.exitCode === '3'));

  const top = await env.mgr.top(Id);
  t.same(top.Titles, ['UID', 'PID', 'PPID', 'C', 'STIME', 'TTY', 'TIME', 'CMD']);
  t.same(top.Processes.map((p) => p[7]).sort(), ['sh -c trap "exit 0" TERM; sleep 1d & wait', 'sleep 1d'].sort());
  const aux = await env.mgr.top(Id, 'aux');
  t.equal(aux.Titles[0], 'USER');
  t.equal(aux.Processes.length, 2);

  const stats: unknown[] = [];
  for await (const s of env.mgr.stats(Id, { stream: false, oneShot: true })) stats.push(s);
  t.equal(stats.length, 1);
  const s = stats[0] as { memory_stats: { usage?: number; limit?: number }; pids_stats: { current?: number }; cpu_stats: { cpu_usage: { total_usage: number } } };
  t.equal(s.memory_stats.limit, 64 << 20);
  t.ok((s.memory_stats.usage ?? 0) > 0);
  t.equal(s.pids_stats.current, 2);
  t.ok(s.cpu_stats.cpu_usage.total_usage > 0);
  await env.mgr.update(Id, { Memory: 32 << 20, MemorySwap: 64 << 20, PidsLimit: 7 });
  const after: unknown[] = [];
  for await (const x of env.mgr.stats(Id, { stream: false, oneShot: true })) after.push(x);
  t.equal((after[0] as { memory_stats: { limit?: number } }).memory_stats.limit, 32 << 20, 'crun update applied');
  t.equal((await env.mgr.inspect(Id)).HostConfig.Memory, 32 << 20, 'and saved');
  await t.rejects(env.mgr.update(Id, { Memory: 1024 }), { status: 400, message: 'Minimum memory limit allowed is 6MB' });
  // Wait for this exec's own end: the privileged exec above also died with code 0.
  const dd = await env.mgr.execCreate(Id, { Cmd: ['dd', 'if=/dev/zero', 'of=/big', 'bs=1024', 'count=100'] });
  await env.mgr.execStart(dd.Id, { detach: true });
  const ddDie = await env.nextEvent((e) => e.Action === 'exec_die' && e.Actor.Attributes.execID === dd.Id, true);
  t.equal(ddDie.Actor.Attributes.exitCode, '0');
  const sized = await env.mgr.inspect(Id, { size: true });
  t.ok((sized.SizeRw ?? 0) >= 100 * 1024, `SizeRw ${sized.SizeRw ?? '?'} counts the written file`);
  t.ok((sized.SizeRootFs ?? 0) > (sized.SizeRw ?? 0), 'SizeRootFs adds the image');
  const [listed] = await env.mgr.list({ size: true });
  t.equal(listed?.SizeRw, sized.SizeRw);
  await env.mgr.stop(Id, { timeoutS: 5 });
});

t.test('tty container: raw output, TERM=xterm', async (t) => {
  const env = await setup(t);
  const { Id } = await env.mgr.create('tty', { Image: 'busybox', Cmd: ['sh', '-c', 'echo $TERM; tty'], Tty: true, AttachStdout: true, HostConfig: { NetworkMode: 'none' } });
  const [client, server] = duplexPair();
  const got = collect(client);
  const attached = env.mgr.attach(Id, { stream: true, stdout: true, stderr: true }, server);
  await env.mgr.start(Id);
  await attached;
  const raw = (await got).toString();
  t.match(raw, /^xterm\r\n\/dev\/pts\/0\r\n$/);
});

t.test('docker run -it: tty with stdin; detach keys leave the container running', async (t) => {
  const env = await setup(t);
  const { Id } = await env.mgr.create('it', { Image: 'busybox', Cmd: ['sh'], Tty: true, OpenStdin: true, AttachStdin: true, HostConfig: { NetworkMode: 'none' } });
  const [client, server] = duplexPair();
  const got = collect(client);
  const attached = env.mgr.attach(Id, { stream: true, stdin: true, stdout: true, stderr: true }, server);
  await env.mgr.start(Id);
  await attached;
  await env.mgr.resize(Id, 40, 100);
  client.write('stty size; echo marker-$((40+2))\n');
  // Detach with ctrl-p ctrl-q once the shell answered.
  let seen = '';
  await new Promise<void>((resolve) => {
    const onData = (b: Buffer): void => {
      seen += b.toString();
      if (seen.includes('marker-42')) { client.off('data', onData); resolve(); }
    };
    client.on('data', onData);
  });
  client.write(Buffer.from([0x10, 0x11]));
  await got;
  t.match(seen, /40 100\r\n/, 'resize reached the pty');
  t.equal((await env.mgr.inspect(Id)).State.Status, 'running', 'still running after detach');
  // Re-attach and exit the shell with a code.
  const [c2, s2] = duplexPair();
  const got2 = collect(c2);
  const exited = env.mgr.wait(Id, 'next-exit');
  await env.mgr.attach(Id, { stream: true, stdin: true, stdout: true }, s2);
  c2.write('exit 5\n');
  t.equal((await exited).StatusCode, 5);
  await got2;
});

t.test('healthcheck: unhealthy after retries, healthy once the probe passes', async (t) => {
  const env = await setup(t);
  const { Id } = await env.mgr.create('hc', {
    Image: 'busybox', Cmd: ['sh', '-c', 'trap "exit 0" TERM; sleep 1d & wait'],
    Healthcheck: { Test: ['CMD-SHELL', 'test -f /tmp/ok && echo fine'], Interval: 100e6, Timeout: 5e9, Retries: 2 },
    HostConfig: { NetworkMode: 'none' },
  });
  const unhealthy = env.nextEvent((e) => e.Action === 'health_status: unhealthy');
  await env.mgr.start(Id);
  t.equal((await env.mgr.inspect(Id)).State.Health?.Status, 'starting');
  await unhealthy;
  const bad = await env.mgr.inspect(Id);
  t.equal(bad.State.Health?.Status, 'unhealthy');
  t.ok((bad.State.Health?.FailingStreak ?? 0) >= 2);
  const healthy = env.nextEvent((e) => e.Action === 'health_status: healthy');
  await env.mgr.execStart((await env.mgr.execCreate(Id, { Cmd: ['touch', '/tmp/ok'] })).Id, { detach: true });
  await healthy;
  const good = await env.mgr.inspect(Id);
  t.equal(good.State.Health?.Status, 'healthy');
  const last = good.State.Health?.Log.at(-1) as { ExitCode: number; Output: string };
  t.same([last.ExitCode, last.Output], [0, 'fine\n']);
  t.same((await env.mgr.list({ filters: { health: ['healthy'] } })).map((c) => c.Id), [Id]);
  await env.mgr.stop(Id, { timeoutS: 5 });
});
