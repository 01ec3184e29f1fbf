import t from 'tap';
import { once } from 'node:events';
import { runCli } from './program.js';
import { encodeFrame, STREAM_STDERR, STREAM_STDOUT } from './demux.js';
import { startFakeDaemon, testIo } from './testing/fake-daemon.js';
import type { FakeDaemon } from './testing/fake-daemon.js';

const ID = 'c0ffee'.padEnd(64, '0');

const daemon = (t: { teardown: (fn: () => unknown) => void }): Promise<FakeDaemon> => startFakeDaemon(t);

t.test('run attached: attach upgrade, then wait, then start; frames demultiplexed; exit code propagated', async (t) => {
  const d = await daemon(t);
  let release: () => void = () => undefined;
  const started = new Promise<void>((r) => { release = r; });
  d.json('POST /containers/create', 201, { Id: ID, Warnings: ['low on memory'] })
    .onHijack('POST /containers/*/attach', async (sock) => {
      await started;
      sock.write(encodeFrame(STREAM_STDOUT, 'hello '));
      sock.write(Buffer.concat([encodeFrame(STREAM_STDERR, 'oops\n'), encodeFrame(STREAM_STDOUT, 'world\n')]));
      sock.end();
    })
    .on('POST /containers/*/wait', async (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.flushHeaders();
      await started;
      res.end('{"StatusCode":3,"Error":null}\n');
    })
    .on('POST /containers/*/start', (_req, res) => { res.writeHead(204); res.end(); release(); });
  const io = testIo({ SHOAL_HOST: `unix://${d.socketPath}` });
  const code = await runCli(['run', '--name', 'web', '-e', 'A=1', 'busybox', 'sh', '-c', 'echo hello world'], io.io);
  t.equal(code, 3, 'the container exit code');
  t.equal(io.stdout(), 'hello world\n');
  t.equal(io.stderr(), 'WARNING: low on memory\noops\n');
  t.same(d.order, [
    'POST /containers/create',
    `POST /containers/${ID}/attach`,
    `POST /containers/${ID}/wait`,
    `POST /containers/${ID}/start`,
  ]);
  const create = d.calls[0];
  t.equal(create?.query.get('name'), 'web');
  const body = JSON.parse(create?.body ?? '{}') as { Cmd: string[]; Env: string[]; AttachStdout: boolean };
  t.same(body.Cmd, ['sh', '-c', 'echo hello world']);
  t.same(body.Env, ['A=1']);
  const attach = d.calls[1];
  t.ok(attach?.hijack);
  t.equal(attach?.query.get('stream'), '1');
  t.equal(attach?.query.get('stdout'), '1');
  t.equal(attach?.query.get('stdin'), '0');
  t.equal(d.calls[2]?.query.get('condition'), 'next-exit');
});

t.test('run --rm waits for removal; -t output is raw', async (t) => {
  const d = await daemon(t);
  let release: () => void = () => undefined;
  const started = new Promise<void>((r) => { release = r; });
  d.json('POST /containers/create', 201, { Id: ID, Warnings: [] })
    .onHijack('POST /containers/*/attach', async (sock) => { await started; sock.end('raw \u0001 bytes\r\n'); })
    .on('POST /containers/*/wait', async (_req, res) => { res.writeHead(200); res.flushHeaders(); await started; res.end('{"StatusCode":0}'); })
    .on('POST /containers/*/start', (_req, res) => { res.writeHead(204); res.end(); release(); });
  const io = testIo({ SHOAL_HOST: `unix://${d.socketPath}` });
  const code = await runCli(['run', '--rm', '-t', 'busybox'], io.io);
  t.equal(code, 0);
  t.equal(io.stdout(), 'raw \u0001 bytes\r\n');
  t.equal(d.calls.find((c) => c.path.endsWith('/wait'))?.query.get('condition'), 'removed');
  t.match(JSON.parse(d.calls[0]?.body ?? '{}'), { Tty: true, HostConfig: { AutoRemove: true } });
});

t.test('run -i pipes stdin into the hijacked connection and half-closes at EOF', async (t) => {
  const d = await daemon(t);
  let release: () => void = () => undefined;
  const started = new Promise<void>((r) => { release = r; });
  d.json('POST /containers/create', 201, { Id: ID, Warnings: [] })
    .onHijack('POST /containers/*/attach', async (sock) => {
      await started;
      const parts: Buffer[] = [];
      sock.on('data', (c: Buffer) => parts.push(c));
      await once(sock, 'end');
      // echo what came in, upper-cased, after the client half-closed
      sock.end(encodeFrame(STREAM_STDOUT, Buffer.concat(parts).toString().toUpperCase()));
    })
    .on('POST /containers/*/wait', async (_req, res) => { res.writeHead(200); res.flushHeaders(); await started; res.end('{"StatusCode":0}'); })
    .on('POST /containers/*/start', (_req, res) => { res.writeHead(204); res.end(); release(); });
  const io = testIo({ SHOAL_HOST: `unix://${d.socketPath}` });
  io.stdin.end('piped input\n');
  const code = await runCli(['run', '-i', 'busybox', 'cat'], io.io);
  t.equal(code, 0);
  t.equal(io.stdout(), 'PIPED INPUT\n');
  t.equal(d.calls[1]?.query.get('stdin'), '1');
  t.match(JSON.parse(d.calls[0]?.body ?? '{}'), { AttachStdin: true, OpenStdin: true, StdinOnce: true });
});

t.test('run -d prints the full id and never attaches', async (t) => {
  const d = await daemon(t);
  d.json('POST /containers/create', 201, { Id: ID, Warnings: null })
    .on('POST /containers/*/start', (_req, res) => { res.writeHead(204); res.end(); });
  const io = testIo({ DOCKER_HOST: `unix://${d.socketPath}` });
  t.equal(await runCli(['run', '-d', '--rm', 'busybox', 'sleep', '1d'], io.io), 0);
  t.equal(io.stdout(), `${ID}\n`);
  t.same(d.order, ['POST /containers/create', `POST /containers/${ID}/start`]);
  t.match(JSON.parse(d.calls[0]?.body ?? '{}'), { AttachStdout: false, AttachStderr: false, HostConfig: { AutoRemove: true } });
});

t.test('run errors: no such image is 125, a missing executable 127, not invocable 126', async (t) => {
  const d = await daemon(t);
  d.json('POST /containers/create', 404, { message: 'No such image: nope:latest' });
  const io = testIo({ SHOAL_HOST: `unix://${d.socketPath}` });
  t.equal(await runCli(['run', 'nope'], io.io), 125);
  t.equal(io.stderr(), "shoal: Error response from daemon: No such image: nope:latest.\nSee 'shoal run --help'.\n");

  for (const [msg, code] of [
    ['failed to create task: exec: "nosuch": executable file not found in $PATH', 127],
    ['exec: "/etc": permission denied', 126],
    ['cgroup setup failed', 125],
  ] as const) {
    const d2 = await daemon(t);
    d2.json('POST /containers/create', 201, { Id: ID, Warnings: [] })
      .json('POST /containers/*/start', 400, { message: msg });
    const io2 = testIo({ SHOAL_HOST: `unix://${d2.socketPath}` });
    t.equal(await runCli(['run', '-d', 'busybox', 'nosuch'], io2.io), code, msg);
    t.match(io2.stderr(), `Error response from daemon: ${msg}`);
  }
});

t.test('run attached with a start failure: nothing hangs and the code is mapped', async (t) => {
  const d = await daemon(t);
  d.json('POST /containers/create', 201, { Id: ID, Warnings: [] })
    .onHijack('POST /containers/*/attach', () => undefined)
    .on('POST /containers/*/wait', (_req, res) => { res.writeHead(200); res.flushHeaders(); })
    .json('POST /containers/*/start', 400, { message: 'exec: "x": executable file not found in $PATH' });
  const io = testIo({ SHOAL_HOST: `unix://${d.socketPath}` });
  t.equal(await runCli(['run', 'busybox', 'x'], io.io), 127);
});

t.test('start -a attaches, starts and returns the exit code', async (t) => {
  const d = await daemon(t);
  let release: () => void = () => undefined;
  const started = new Promise<void>((r) => { release = r; });
  d.json('GET /containers/*/json', 200, { Id: ID, Config: { Tty: false, OpenStdin: false }, HostConfig: { AutoRemove: false }, State: { Running: false } })
    .onHijack('POST /containers/*/attach', async (sock) => { await started; sock.end(encodeFrame(STREAM_STDOUT, 'again\n')); })
    .on('POST /containers/*/wait', async (_req, res) => { res.writeHead(200); res.flushHeaders(); await started; res.end('{"StatusCode":7}'); })
    .on('POST /containers/*/start', (_req, res) => { res.writeHead(204); res.end(); release(); });
  const io = testIo({ SHOAL_HOST: `unix://${d.socketPath}` });
  t.equal(await runCli(['start', '-a', 'web'], io.io), 7);
  t.equal(io.stdout(), 'again\n');
  t.same(d.order, ['GET /containers/web/json', `POST /containers/${ID}/attach`, `POST /containers/${ID}/wait`, `POST /containers/${ID}/start`]);
});

t.test('exec: create, hijacked start, exit code from exec inspect', async (t) => {
  const d = await daemon(t);
  d.json('POST /containers/*/exec', 201, { Id: 'e1' })
    .onHijack('POST /exec/*/start', (sock) => { sock.end(Buffer.concat([encodeFrame(STREAM_STDOUT, 'in container\n'), encodeFrame(STREAM_STDERR, 'warn\n')])); })
    .json('GET /exec/*/json', 200, { ExitCode: 4, Running: false });
  const io = testIo({ SHOAL_HOST: `unix://${d.socketPath}`, FOO: 'bar' });
  t.equal(await runCli(['exec', '-e', 'FOO', '-u', 'nobody', '-w', '/tmp', 'web', 'sh', '-c', 'exit 4'], io.io), 4);
  t.equal(io.stdout(), 'in container\n');
  t.equal(io.stderr(), 'warn\n');
  t.match(JSON.parse(d.calls[0]?.body ?? '{}'), { Cmd: ['sh', '-c', 'exit 4'], Env: ['FOO=bar'], User: 'nobody', WorkingDir: '/tmp', AttachStdin: false, AttachStdout: true });
  t.match(JSON.parse(d.calls[1]?.body ?? '{}'), { Detach: false, Tty: false });
});

t.test('run -it: raw terminal, resize after start, local detach with ctrl-p ctrl-q', async (t) => {
  const d = await daemon(t);
  let release: () => void = () => undefined;
  const started = new Promise<void>((r) => { release = r; });
  const received: Buffer[] = [];
  let serverSawClose: () => void = () => undefined;
  const closed = new Promise<void>((r) => { serverSawClose = r; });
  d.json('POST /containers/create', 201, { Id: ID, Warnings: [] })
    .onHijack('POST /containers/*/attach', async (sock) => {
      sock.on('data', (c: Buffer) => received.push(c));
      sock.on('end', () => serverSawClose());
      sock.on('error', () => undefined);
      await started;
      sock.write('/ # ');
    })
    .on('POST /containers/*/wait', (_req, res) => { res.writeHead(200); res.flushHeaders(); })
    .on('POST /containers/*/start', (_req, res) => { res.writeHead(204); res.end(); release(); })
    .on('POST /containers/*/resize', (_req, res) => { res.writeHead(200); res.end(); });
  const io = testIo({ SHOAL_HOST: `unix://${d.socketPath}` });
  const modes: boolean[] = [];
  Object.assign(io.io.stdin, { isTTY: true, setRawMode: (m: boolean) => { modes.push(m); } });
  Object.assign(io.io.stdout, { isTTY: true, rows: 40, columns: 132 });
  const running = runCli(['run', '-it', 'busybox', 'sh'], io.io);
  await io.waitForStdout(/\/ # $/);
  io.stdin.write('ls\r');
  io.stdin.write('\u0010\u0011');
  t.equal(await running, 0, 'detached: exit 0 without the container exiting');
  await closed;
  t.equal(Buffer.concat(received).toString(), 'ls\r', 'the detach keys are not sent');
  t.same(modes, [true, false], 'raw mode on, then restored');
  const resize = d.calls.find((c) => c.path.endsWith('/resize'));
  t.equal(resize?.query.get('h'), '40');
  t.equal(resize?.query.get('w'), '132');
  t.ok(d.order.indexOf(`POST /containers/${ID}/start`) < d.order.indexOf(`POST /containers/${ID}/resize`), 'resize after start');
  t.match(JSON.parse(d.calls[0]?.body ?? '{}'), { Tty: true, OpenStdin: true, HostConfig: { ConsoleSize: [40, 132] } });
});

t.test('run -it without a terminal on stdin is refused like docker', async (t) => {
  const d = await daemon(t);
  const io = testIo({ SHOAL_HOST: `unix://${d.socketPath}` });
  t.equal(await runCli(['run', '-it', 'busybox'], io.io), 1);
  t.equal(io.stderr(), 'the input device is not a TTY\n');
  t.same(d.calls, [], 'nothing was created');
});

t.test('without stdin attached the client half-closes at once and still reads all output', async (t) => {
  const d = await daemon(t);
  d.json('POST /containers/*/exec', 201, { Id: 'e2' })
    .onHijack('POST /exec/*/start', async (sock) => {
      await once(sock, 'end');
      sock.end(encodeFrame(STREAM_STDOUT, 'after half-close\n'));
    })
    .json('GET /exec/*/json', 200, { ExitCode: 0, Running: false });
  const io = testIo({ SHOAL_HOST: `unix://${d.socketPath}` });
  t.equal(await runCli(['exec', 'web', 'true'], io.io), 0);
  t.equal(io.stdout(), 'after half-close\n');
});

t.test('run --pull missing: a 404 from create pulls (progress on stderr) and creates again', async (t) => {
  const d = await daemon(t);
  let creates = 0;
  d.on('POST /containers/create', (_req, res) => {
    creates++;
    res.writeHead(creates === 1 ? 404 : 201, { 'Content-Type': 'application/json' });
    res.end(creates === 1 ? '{"message":"No such image: busybox:latest"}' : JSON.stringify({ Id: ID, Warnings: [] }));
  })
    .on('POST /images/create', (_req, res) => { res.writeHead(200); res.end('{"status":"Pulling from library/busybox","id":"latest"}\n{"status":"Status: Downloaded newer image for busybox:latest"}\n'); })
    .on('POST /containers/*/start', (_req, res) => { res.writeHead(204); res.end(); });
  const io = testIo({ SHOAL_HOST: `unix://${d.socketPath}` });
  t.equal(await runCli(['run', '-d', '--pull', 'missing', 'busybox'], io.io), 0);
  t.equal(io.stdout(), `${ID}\n`);
  t.equal(io.stderr(), "Unable to find image 'busybox:latest' locally\nlatest: Pulling from library/busybox\nStatus: Downloaded newer image for busybox:latest\n");
  t.same(d.order, ['POST /containers/create', 'POST /images/create', 'POST /containers/create', `POST /containers/${ID}/start`]);
  t.equal(d.calls[1]?.query.get('fromImage'), 'busybox');
  t.equal(d.calls[1]?.query.get('tag'), 'latest');
});
