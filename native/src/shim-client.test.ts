import t, { type Test } from 'tap';
import { createServer, type Server, type Socket } from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hasCode } from '@shoal/common';
import { ShimClient } from './shim-client.js';
import { encodeShimFrame, FrameType, ShimFrameDecoder, type ShimFrame } from './frame.js';
import { parseExitStatus, readExitFile, readShimPid, isAlive } from './state-files.js';

/** A fake shim on stateDir/control.sock: hands each connection to `onConn`. */
async function fakeShim(t: Test, onConn: (s: Socket, frames: AsyncIterable<ShimFrame>) => void): Promise<string> {
  // a short dir of our own: t.testdir() paths can pass sun_path's limit
  const dir = await mkdtemp(join(tmpdir(), 'shimc-'));
  const server: Server = createServer((s) => {
    const dec = new ShimFrameDecoder();
    const queue: ShimFrame[] = [];
    let wake: (() => void) | undefined;
    s.on('data', (d: Buffer) => { queue.push(...dec.push(d)); wake?.(); });
    s.on('error', () => undefined);
    onConn(s, {
      async *[Symbol.asyncIterator]() {
        for (;;) {
          const f = queue.shift();
          if (f !== undefined) { yield f; continue; }
          await new Promise<void>((r) => { wake = r; });
        }
      },
    });
  });
  await new Promise<void>((r) => server.listen(join(dir, 'control.sock'), () => r()));
  t.teardown(async () => {
    await new Promise<void>((r) => server.close(() => r()));
    await rm(dir, { recursive: true, force: true });
  });
  return dir;
}

const EXIT = { exitCode: 3, signal: null, finishedAt: '2026-11-25T08:00:00.5Z' };

t.test('hello, output events and the exit frame', async (t) => {
  const dir = await fakeShim(t, (s, frames) => {
    void (async () => {
      for await (const f of frames) {
        t.equal(f.type, FrameType.Hello);
        t.same(JSON.parse(f.payload.toString()), { stdin: false, stdout: true, stderr: true });
        s.write(encodeShimFrame(FrameType.Stdout, 'out'));
        s.write(Buffer.concat([encodeShimFrame(FrameType.Stderr, 'err'), encodeShimFrame(FrameType.Exit, JSON.stringify(EXIT))]));
        s.end();
        return;
      }
    })();
  });
  const c = await ShimClient.connect(dir);
  const chunks: string[] = [];
  c.on('output', (o) => chunks.push(`${o.stream}:${o.data.toString()}`));
  c.hello({ stdin: false, stdout: true, stderr: true });
  t.same(await c.exited, EXIT);
  await c.closed;
  t.same(chunks, ['stdout:out', 'stderr:err']);
  t.throws(() => c.writeStdin('x'), { code: 'SHIM_CLOSED' });
});

t.test('the output() iterator ends when the connection closes', async (t) => {
  const dir = await fakeShim(t, (s) => {
    s.write(encodeShimFrame(FrameType.Stdout, 'a'));
    s.end(encodeShimFrame(FrameType.Stdout, 'b'));
  });
  await writeFile(join(dir, 'exit.json'), JSON.stringify(EXIT));
  const c = await ShimClient.connect(dir);
  const it = c.output();
  c.hello({ stdin: false, stdout: true, stderr: false });
  const got: string[] = [];
  for await (const o of it) got.push(o.data.toString());
  t.same(got, ['a', 'b']);
  t.same(await c.exited, EXIT, 'closed without frame 9: exit.json');
});

t.test('closed without frame 9 and without exit.json: SHIM_EXIT_UNKNOWN', async (t) => {
  const dir = await fakeShim(t, (s) => { s.end(); });
  const c = await ShimClient.connect(dir);
  c.hello({ stdin: false, stdout: false, stderr: false });
  await t.rejects(c.exited, { code: 'SHIM_EXIT_UNKNOWN' });
});

t.test('stdin, close-stdin, resize and start frames; start answers', async (t) => {
  const seen: Array<[number, string]> = [];
  const dir = await fakeShim(t, (s, frames) => {
    void (async () => {
      for await (const f of frames) {
        seen.push([f.type, f.payload.toString()]);
        if (f.type === FrameType.Start && seen.filter((x) => x[0] === FrameType.Start).length === 1) {
          s.write(encodeShimFrame(FrameType.StartResult, JSON.stringify({ ok: true, pid: 42 })));
        } else if (f.type === FrameType.Start) {
          s.write(encodeShimFrame(FrameType.StartResult, JSON.stringify({ ok: false, error: 'already started' })));
          s.end(encodeShimFrame(FrameType.Exit, JSON.stringify(EXIT)));
          return;
        }
      }
    })();
  });
  const c = await ShimClient.connect(dir);
  t.throws(() => c.writeStdin('early'), { code: 'SHIM_PROTOCOL' }, 'hello comes first');
  c.hello({ stdin: true, stdout: false, stderr: false });
  c.writeStdin('data');
  c.resize(24, 80);
  c.closeStdin();
  await c.waitDrain();
  t.same(await c.start(), { pid: 42 });
  const e = await c.start().catch((x: unknown) => x);
  t.ok(hasCode(e, 'SHIM_START_FAILED'));
  t.match((e as Error).message, /already started/);
  await c.exited;
  t.same(seen.slice(0, 4), [[5, '{"stdin":true,"stdout":false,"stderr":false}'], [0, 'data'], [6, '{"h":24,"w":80}'], [4, '']]);
});

t.test('a frame type the client does not know is a protocol error', async (t) => {
  const dir = await fakeShim(t, (s) => { s.write(encodeShimFrame(77, 'x')); });
  const c = await ShimClient.connect(dir);
  c.hello({ stdin: false, stdout: false, stderr: false });
  await t.rejects(c.exited, { code: 'SHIM_PROTOCOL' });
});

t.test('close() disconnects: exited rejects with SHIM_CLOSED', async (t) => {
  const dir = await fakeShim(t, () => undefined);
  const c = await ShimClient.connect(dir);
  c.hello({ stdin: false, stdout: false, stderr: false });
  c.close();
  await t.rejects(c.exited, { code: 'SHIM_CLOSED' });
});

t.test('connect to a state dir nobody listens on fails with SHIM_CONNECT_FAILED', async (t) => {
  const e = await ShimClient.connect(t.testdir()).catch((x: unknown) => x);
  t.ok(hasCode(e, 'SHIM_CONNECT_FAILED'));
});

t.test('state files', async (t) => {
  const dir = t.testdir({ 'shim.pid': `${process.pid}\n`, 'exit.json': JSON.stringify({ exitCode: 137, signal: 'SIGKILL', finishedAt: 'x' }) });
  t.equal(await readShimPid(dir), process.pid);
  t.same(await readExitFile(dir), { exitCode: 137, signal: 'SIGKILL', finishedAt: 'x' });
  t.equal(await readExitFile(join(dir, 'nope')), undefined);
  t.equal(await readShimPid(join(dir, 'nope')), undefined);
  t.throws(() => parseExitStatus('{"exitCode":"3"}'), { code: 'SHIM_PROTOCOL' });
  t.ok(isAlive(process.pid));
  t.notOk(isAlive(process.pid, { expectShim: true }), 'node is not a shoal-shim');
  t.notOk(isAlive(0));
});
