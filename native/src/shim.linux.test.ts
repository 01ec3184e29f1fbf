import t, { type Test } from 'tap';
import { spawn } from 'node:child_process';
import { createConnection } from 'node:net';
import { readFileSync } from 'node:fs';
import { access, readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { hasCode } from '@shoal/common';
import { FrameType, ShimClient, ShimFrameDecoder, encodeShimFrame, isAlive, readExitFile, readShimPid, spawnShim } from './index.js';
import type { SpawnShimOptions } from './index.js';
import { makeTestBundle, type TestBundle } from './testing/bundle.js';
import { reachableSocketPath } from './socket-path.js';

const RFC3339NANO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z$/;

/** Collects a client's output; waitFor resolves when the predicate holds (bounded). */
function collect(c: ShimClient) {
  const got = { stdout: '', stderr: '' };
  let waiters: Array<() => void> = [];
  c.on('output', (ch) => {
    got[ch.stream] += ch.data.toString('utf8');
    const ws = waiters;
    waiters = [];
    for (const w of ws) w();
  });
  const waitFor = (pred: () => boolean, ms = 10_000): Promise<void> => new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out; output so far ${JSON.stringify(got)}`)), ms);
    const check = (): void => {
      if (pred()) {
        clearTimeout(timer);
        resolve();
      } else waiters.push(check);
    };
    check();
  });
  return { got, waitFor };
}

/** Poll external kernel state with a deadline. */
async function until(what: string, pred: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await pred())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function opts(b: TestBundle, extra: Partial<SpawnShimOptions> = {}): SpawnShimOptions {
  return { id: b.id, bundle: b.bundle, runtimeRoot: b.runtimeRoot, stateDir: b.stateDir, logPath: b.logPath, ...extra };
}

async function bundleFor(t: Test, args: string[], o: { terminal?: boolean } = {}): Promise<TestBundle> {
  // Registered before t.testdir(): tap removes the test dir in an earlier
  // teardown, and crun delete needs its root (else cgroups leak).
  const made: { b?: TestBundle } = {};
  t.teardown(async () => {
    if (made.b === undefined) return;
    await made.b.remove();
    const pid = await readShimPid(made.b.stateDir);
    if (pid !== undefined && isAlive(pid, { expectShim: true })) process.kill(pid, 'SIGKILL');
  });
  made.b = await makeTestBundle(t.testdir(), args, o);
  return made.b;
}

t.test('output reaches an attached client and the json-file log; exit code 3 in frame 9 and exit.json', async (t) => {
  const b = await bundleFor(t, ['sh', '-c', 'echo out-line; echo err-line >&2; printf "no-newline"; exit 3']);
  const { pid, shimPid } = await spawnShim(opts(b));
  t.ok(pid > 0 && shimPid > 0 && pid !== shimPid);
  t.equal(await readShimPid(b.stateDir), shimPid);
  t.ok(isAlive(shimPid, { expectShim: true }), 'the shim runs');
  const c = await ShimClient.connect(b.stateDir);
  const out = collect(c);
  c.hello({ stdin: false, stdout: true, stderr: true });
  await b.start();
  const st = await c.exited;
  t.equal(st.exitCode, 3);
  t.equal(st.signal, null);
  t.match(st.finishedAt, RFC3339NANO);
  t.equal(out.got.stdout, 'out-line\nno-newline');
  t.equal(out.got.stderr, 'err-line\n');
  t.same(await readExitFile(b.stateDir), st, 'exit.json has the same status');
  const lines = (await readFile(b.logPath, 'utf8')).trimEnd().split('\n').map((l) => JSON.parse(l) as { log: string; stream: string; time: string });
  t.same(lines.map((l) => [l.stream, l.log]).sort(), [['stderr', 'err-line\n'], ['stdout', 'no-newline'], ['stdout', 'out-line\n']]);
  for (const l of lines) t.match(l.time, RFC3339NANO);
  await until('the shim to exit', () => !isAlive(shimPid));
  await t.rejects(access(join(b.stateDir, 'control.sock')), 'control.sock removed');
});

t.test('a process killed by SIGKILL gives 137', async (t) => {
  const b = await bundleFor(t, ['sh', '-c', 'trap "exit 0" TERM; echo ready; sleep 1d & wait']);
  await spawnShim(opts(b));
  const c = await ShimClient.connect(b.stateDir);
  const out = collect(c);
  c.hello({ stdin: false, stdout: true, stderr: true });
  await b.start();
  await out.waitFor(() => out.got.stdout.includes('ready'));
  await b.kill('KILL');
  const st = await c.exited;
  t.equal(st.exitCode, 137);
  t.equal(st.signal, 'SIGKILL');
});

t.test('a crun create failure is a typed error with crun\'s message', async (t) => {
  const b = await bundleFor(t, ['no-such-program-xyz']);
  const e = await spawnShim(opts(b)).catch((x: unknown) => x);
  t.ok(hasCode(e, 'SHIM_CREATE_FAILED'), 'SHIM_CREATE_FAILED');
  t.match((e as Error).message, /no-such-program-xyz.*not found/);
  t.equal(await b.status(), undefined, 'no container left behind');
  await t.rejects(access(join(b.stateDir, 'control.sock')), 'no control.sock left behind');
});

t.test('the container outlives its clients and the node process that spawned the shim', async (t) => {
  const b = await bundleFor(t, ['sh', '-c', 'trap "exit 0" TERM; i=0; while true; do echo tick$i; i=$((i+1)); sleep 0.05; done']);
  const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
  const code = `import { spawnShim } from ${JSON.stringify(new URL('./index.ts', import.meta.url).href)};
    const r = await spawnShim(${JSON.stringify(opts(b))});
    process.stdout.write(JSON.stringify(r));`;
  const child = spawn(process.execPath, ['--conditions=shoal-source', '--import', 'tsx', '--input-type=module', '-e', code], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'] });
  let text = '';
  child.stdout.on('data', (d: Buffer) => { text += d.toString(); });
  const exitCode = await new Promise<number | null>((r) => child.on('close', (c) => r(c)));
  t.equal(exitCode, 0, 'the spawning process exited');
  const { shimPid } = JSON.parse(text) as { shimPid: number };
  t.ok(isAlive(shimPid, { expectShim: true }), 'the shim lives on');
  await b.start();

  const c1 = await ShimClient.connect(b.stateDir);
  const o1 = collect(c1);
  c1.hello({ stdin: false, stdout: true, stderr: false });
  await o1.waitFor(() => /tick\d+\n/.test(o1.got.stdout));
  c1.close();
  await c1.closed;
  await t.rejects(c1.exited, { code: 'SHIM_CLOSED' });

  const c2 = await ShimClient.connect(b.stateDir);
  const o2 = collect(c2);
  c2.hello({ stdin: false, stdout: true, stderr: false });
  await o2.waitFor(() => (o2.got.stdout.match(/tick\d+\n/g) ?? []).length >= 3);
  t.equal(await b.status(), 'running', 'still running after a client left');
  await b.kill('TERM');
  const st = await c2.exited;
  t.equal(st.exitCode, 0);
  const log = await readFile(b.logPath, 'utf8');
  t.ok(log.split('\n').filter((l) => l.includes('"tick')).length >= 3, 'ticks are in the log');
});

t.test('stdin reaches the process (cat) and close-stdin ends it', async (t) => {
  const b = await bundleFor(t, ['cat']);
  await spawnShim(opts(b, { stdin: true }));
  const c = await ShimClient.connect(b.stateDir);
  const out = collect(c);
  c.hello({ stdin: true, stdout: true, stderr: true });
  await b.start();
  c.writeStdin('hello shim\n');
  await out.waitFor(() => out.got.stdout === 'hello shim\n');
  c.writeStdin(Buffer.from('second\n'));
  await out.waitFor(() => out.got.stdout === 'hello shim\nsecond\n');
  c.closeStdin();
  const st = await c.exited;
  t.equal(st.exitCode, 0, 'cat ended at EOF');
});

t.test('--stdin-once closes stdin when the first stdin client leaves', async (t) => {
  const b = await bundleFor(t, ['sh', '-c', 'cat; echo stdin-closed >&2']);
  await spawnShim(opts(b, { stdin: true, stdinOnce: true }));
  const mon = await ShimClient.connect(b.stateDir);
  const out = collect(mon);
  mon.hello({ stdin: false, stdout: true, stderr: true });
  const w = await ShimClient.connect(b.stateDir);
  w.hello({ stdin: true, stdout: false, stderr: false });
  await b.start();
  w.writeStdin('once\n');
  await out.waitFor(() => out.got.stdout === 'once\n');
  w.close();
  const st = await mon.exited;
  t.equal(out.got.stderr, 'stdin-closed\n');
  t.equal(st.exitCode, 0);
});

t.test('--tty gives a pty that resize changes', async (t) => {
  const b = await bundleFor(t, ['sh', '-c', 'tty; read a; stty size; read b; stty size'], { terminal: true });
  await spawnShim(opts(b, { tty: true, stdin: true }));
  const c = await ShimClient.connect(b.stateDir);
  const out = collect(c);
  c.hello({ stdin: true, stdout: true, stderr: true });
  await b.start();
  await out.waitFor(() => out.got.stdout.includes('/dev/pts/0'));
  c.resize(30, 100);
  c.writeStdin('a\n');
  await out.waitFor(() => out.got.stdout.includes('30 100'));
  c.resize(40, 120);
  c.writeStdin('b\n');
  await out.waitFor(() => out.got.stdout.includes('40 120'));
  const st = await c.exited;
  t.equal(st.exitCode, 0);
  t.equal(out.got.stderr, '', 'a tty has only one stream');
  const lines = (await readFile(b.logPath, 'utf8')).trimEnd().split('\n').map((l) => JSON.parse(l) as { log: string; stream: string });
  t.ok(lines.every((l) => l.stream === 'stdout'));
  t.match(lines.map((l) => l.log).join(''), /\/dev\/pts\/0\r\n/);
});

t.test('rotation keeps max-files files of at most max-size bytes', async (t) => {
  const b = await bundleFor(t, ['sh', '-c', 'i=0; while [ $i -lt 40 ]; do echo line-$i; i=$((i+1)); done']);
  await spawnShim(opts(b, { logMaxSize: 300, logMaxFiles: 3 }));
  const c = await ShimClient.connect(b.stateDir);
  c.hello({ stdin: false, stdout: false, stderr: false });
  await b.start();
  t.equal((await c.exited).exitCode, 0);
  const dir = join(b.logPath, '..');
  const files = (await readdir(dir)).filter((f) => f.startsWith('container.log')).sort();
  t.same(files, ['container.log', 'container.log.1', 'container.log.2']);
  const seq: string[] = [];
  for (const f of ['container.log.2', 'container.log.1', 'container.log']) {
    t.ok((await stat(join(dir, f))).size <= 300, `${f} within max-size`);
    for (const l of (await readFile(join(dir, f), 'utf8')).trimEnd().split('\n')) seq.push((JSON.parse(l) as { log: string }).log);
  }
  t.equal(seq.at(-1), 'line-39\n');
  const first = Number(/line-(\d+)/.exec(seq[0] ?? '')?.[1]);
  t.same(seq, Array.from({ length: 40 - first }, (_, i) => `line-${first + i}\n`), 'the kept lines are a contiguous tail');
});

t.test('exec mode runs a process in a running container and reports its exit code', async (t) => {
  const b = await bundleFor(t, ['sh', '-c', 'trap "exit 0" TERM; sleep 1d & wait']);
  await spawnShim(opts(b));
  const mon = await ShimClient.connect(b.stateDir);
  mon.hello({ stdin: false, stdout: false, stderr: false });
  await b.start();

  const execState = join(b.dir, 'exec-1');
  const proc = await b.writeProcess(['sh', '-c', 'echo from-exec; echo exec-err >&2; exit 7']);
  const r = await spawnShim({ id: b.id, runtimeRoot: b.runtimeRoot, stateDir: execState, execProcess: proc });
  t.equal(r.pid, 0, 'no pid before start');
  const c = await ShimClient.connect(execState);
  const out = collect(c);
  c.hello({ stdin: false, stdout: true, stderr: true });
  const started = await c.start();
  t.ok(started.pid > 0, 'start answers with the pid');
  const st = await c.exited;
  t.equal(st.exitCode, 7);
  t.equal(out.got.stdout, 'from-exec\n');
  t.equal(out.got.stderr, 'exec-err\n');

  const bad = await b.writeProcess(['no-such-exec-xyz'], { name: 'bad' });
  const badState = join(b.dir, 'exec-2');
  await spawnShim({ id: b.id, runtimeRoot: b.runtimeRoot, stateDir: badState, execProcess: bad });
  const c2 = await ShimClient.connect(badState);
  c2.hello({ stdin: false, stdout: false, stderr: false });
  const e = await c2.start().catch((x: unknown) => x);
  t.ok(hasCode(e, 'SHIM_START_FAILED'));
  t.match((e as Error).message, /no-such-exec-xyz/);
  t.equal((await c2.exited).exitCode, 126);

  t.equal(await b.status(), 'running', 'the container is untouched');
  await b.kill('TERM');
  t.equal((await mon.exited).exitCode, 0);
});

t.test('exec mode with a tty (a resize sent before start applies)', async (t) => {
  const b = await bundleFor(t, ['sh', '-c', 'trap "exit 0" TERM; sleep 1d & wait'], { terminal: false });
  await spawnShim(opts(b));
  await b.start();
  const execState = join(b.dir, 'exec-tty');
  // read first: busybox sh can trip over the SIGWINCH of a resize that lands while it forks
  const proc = await b.writeProcess(['sh', '-c', 'tty; read x; stty size'], { terminal: true });
  await spawnShim({ id: b.id, runtimeRoot: b.runtimeRoot, stateDir: execState, execProcess: proc, tty: true, stdin: true });
  const c = await ShimClient.connect(execState);
  const out = collect(c);
  c.hello({ stdin: true, stdout: true, stderr: true });
  c.resize(33, 99);
  await c.start();
  await out.waitFor(() => /\/dev\/pts\/\d+\r\n/.test(out.got.stdout));
  c.writeStdin('\n');
  t.equal((await c.exited).exitCode, 0);
  t.match(out.got.stdout, /33 99\r\n$/);
  await b.kill('KILL');
});

t.test('a state dir path longer than sun_path works', async (t) => {
  const b = await bundleFor(t, ['sh', '-c', 'echo long-path-ok']);
  const stateDir = join(b.stateDir, 'x'.repeat(60), 'y'.repeat(60));
  await spawnShim(opts(b, { stateDir }));
  const c = await ShimClient.connect(stateDir);
  const out = collect(c);
  c.hello({ stdin: false, stdout: true, stderr: true });
  await b.start();
  t.equal((await c.exited).exitCode, 0);
  t.equal(out.got.stdout, 'long-path-ok\n');
});

t.test('after the shim is gone, exited comes from exit.json', async (t) => {
  const b = await bundleFor(t, ['sh', '-c', 'exit 5']);
  const { shimPid } = await spawnShim(opts(b));
  await b.start();
  await until('the shim to exit', () => !isAlive(shimPid));
  t.same((await readExitFile(b.stateDir))?.exitCode, 5);
  const e = await ShimClient.connect(b.stateDir, { timeoutMs: 1000 }).catch((x: unknown) => x);
  t.ok(hasCode(e, 'SHIM_CONNECT_FAILED'), 'nobody listens any more');
});

t.test('the log escapes arbitrary bytes like Docker and splits lines at 16 KiB', async (t) => {
  // bytes: quote, backslash, tab, ESC, <, invalid UTF-8 (\377), a valid é, then a 40000-byte line
  const b = await bundleFor(t, ['sh', '-c', 'printf \'q"b\\\\t\\t e\\033 <x> \\377 \\303\\251\\n\'; head -c 40000 /dev/zero | tr "\\000" a; echo']);
  await spawnShim(opts(b));
  const c = await ShimClient.connect(b.stateDir);
  c.hello({ stdin: false, stdout: false, stderr: false });
  await b.start();
  t.equal((await c.exited).exitCode, 0);
  const raw = (await readFile(b.logPath, 'utf8')).trimEnd().split('\n');
  t.match(raw[0], /"log":"q\\"b\\\\t\\t e\\u001b \\u003cx\\u003e \\ufffd é\\n"/, 'escapes as Docker (HTML-safe, U+FFFD for invalid UTF-8)');
  const logs = raw.map((l) => (JSON.parse(l) as { log: string }).log);
  t.equal(logs[0], 'q"b\\t\t e\u001b <x> \ufffd é\n');
  t.same(logs.slice(1).map((l) => l.length), [16384, 16384, 40000 - 2 * 16384 + 1], 'a long line is split at 16 KiB');
  t.ok(logs[3]?.endsWith('\n') && !logs[1]?.endsWith('\n'));
});

t.test('invalid UTF-8 becomes one U+FFFD per bad byte, as Go (Docker) does', async (t) => {
  // surrogate ED A0 80, beyond U+10FFFF F4 90 80 80, overlong C0 AF, truncated E2 82 + x, emoji, U+2028
  const b = await bundleFor(t, ['sh', '-c', "printf '\\355\\240\\200|\\364\\220\\200\\200|\\300\\257|\\342\\202x|\\360\\237\\230\\200|\\342\\200\\250\\n'"]);
  await spawnShim(opts(b));
  const c = await ShimClient.connect(b.stateDir);
  c.hello({ stdin: false, stdout: false, stderr: false });
  await b.start();
  t.equal((await c.exited).exitCode, 0);
  const raw = (await readFile(b.logPath, 'utf8')).trimEnd();
  t.match(raw, /\\u2028\\n"/, 'U+2028 is escaped');
  const log = (JSON.parse(raw) as { log: string }).log;
  const r = '\ufffd';
  t.equal(log, `${r.repeat(3)}|${r.repeat(4)}|${r.repeat(2)}|${r.repeat(2)}x|\u{1F600}|\u2028\n`);
});

t.test('a client that does not read is dropped; the container is never blocked', async (t) => {
  const b = await bundleFor(t, ['sh', '-c', 'head -c 8000000 /dev/zero | tr "\\000" x; echo; echo all-written']);
  const { shimPid } = await spawnShim(opts(b));
  const rss = /VmRSS:\s+(\d+) kB/.exec(await readFile(`/proc/${shimPid}/status`, 'utf8'));
  t.ok(Number(rss?.[1]) < 1024, `an idle shim stays under 1 MiB RSS (${rss?.[1]} kB)`);
  const where = reachableSocketPath(b.stateDir, 'control.sock');
  const slow = createConnection({ path: where.path });
  await new Promise<void>((r) => slow.once('connect', () => r()));
  where.release();
  slow.pause(); // never reads
  const slowClosed = new Promise<void>((r) => slow.once('close', () => r()));
  slow.write(encodeShimFrame(FrameType.Hello, JSON.stringify({ stdin: false, stdout: true, stderr: true })));
  const mon = await ShimClient.connect(b.stateDir);
  mon.hello({ stdin: false, stdout: false, stderr: false });
  await b.start();
  const st = await mon.exited;
  t.equal(st.exitCode, 0);
  const last = (await readFile(b.logPath, 'utf8')).trimEnd().split('\n').at(-1) ?? '';
  t.equal((JSON.parse(last) as { log: string }).log, 'all-written\n', 'everything reached the log');
  slow.resume();
  let received = 0;
  slow.on('data', (d: Buffer) => { received += d.length; });
  await slowClosed;
  t.ok(received < 8_000_000, `the slow client was cut off (${received} bytes)`);
  t.match(await readFile(join(b.stateDir, 'shim.log'), 'utf8'), /dropping a slow client/);
});

/** utime+stime of a process in clock ticks. */
function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(f[11]) + Number(f[12]);
}

t.test('a half-closed client still gets output and the exit frame; idle fds do not spin the shim', async (t) => {
  const b = await bundleFor(t, ['sh', '-c', 'read l; echo "got $l"; exec 0<&-; sleep 1; echo after']);
  const { shimPid } = await spawnShim(opts(b, { stdin: true }));
  const where = reachableSocketPath(b.stateDir, 'control.sock');
  const raw = createConnection({ path: where.path });
  await new Promise<void>((r) => raw.once('connect', () => r()));
  where.release();
  const dec = new ShimFrameDecoder();
  const got: Array<{ type: number; text: string }> = [];
  const ticks: number[] = []; // the shim's CPU time when "got x" and when "after" arrive, a second apart
  raw.on('data', (d: Buffer) => {
    for (const f of dec.push(d)) {
      got.push({ type: f.type, text: f.payload.toString() });
      if (f.type === FrameType.Stdout) ticks.push(cpuTicks(shimPid));
    }
  });
  const closed = new Promise<void>((r) => raw.once('close', () => r()));
  raw.write(encodeShimFrame(FrameType.Hello, JSON.stringify({ stdin: true, stdout: true, stderr: true })));
  raw.write(encodeShimFrame(FrameType.Stdin, 'x\n'));
  raw.write(encodeShimFrame(FrameType.CloseStdin));
  raw.end(); // half-close: we still read
  await b.start();
  await closed;
  const out = got.filter((f) => f.type === FrameType.Stdout).map((f) => f.text).join('');
  t.equal(out, 'got x\nafter\n');
  const exit = got.find((f) => f.type === FrameType.Exit);
  t.equal((JSON.parse(exit?.text ?? '{}') as { exitCode?: number }).exitCode, 0, 'the exit frame arrived');
  t.equal(ticks.length, 2);
  t.ok((ticks[1] ?? 0) - (ticks[0] ?? 0) < 20, `the shim did not busy-loop while idle (${ticks.join(' -> ')} ticks)`);
});

t.test('a reused state dir starts clean: the previous exit.json is gone until the new exit', async (t) => {
  const b = await bundleFor(t, ['sh', '-c', 'read x; exit 4']);
  await spawnShim(opts(b, { stdin: true }));
  const c1 = await ShimClient.connect(b.stateDir);
  c1.hello({ stdin: true, stdout: false, stderr: false });
  await b.start();
  c1.closeStdin();
  t.equal((await c1.exited).exitCode, 4);
  await b.remove();
  await spawnShim(opts(b, { stdin: true }));
  t.equal(await readExitFile(b.stateDir), undefined, 'no stale exit.json');
  const c2 = await ShimClient.connect(b.stateDir);
  c2.hello({ stdin: true, stdout: false, stderr: false });
  await b.start();
  c2.closeStdin();
  t.equal((await c2.exited).exitCode, 4);
  t.equal((await readExitFile(b.stateDir))?.exitCode, 4);
});

t.test('megabytes of stdin arrive whole (backpressure from the process to the client)', async (t) => {
  const b = await bundleFor(t, ['sh', '-c', 'sleep 0.3; wc -c']);
  await spawnShim(opts(b, { stdin: true }));
  const c = await ShimClient.connect(b.stateDir);
  const out = collect(c);
  c.hello({ stdin: true, stdout: true, stderr: true });
  await b.start();
  const chunk = Buffer.alloc(64 * 1024, 0x61);
  for (let i = 0; i < 80; i++) if (!c.writeStdin(chunk)) await c.waitDrain();
  c.closeStdin();
  t.equal((await c.exited).exitCode, 0);
  t.equal(out.got.stdout.trim(), String(80 * 64 * 1024));
});
