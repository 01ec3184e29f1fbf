import t from 'tap';
import { appendFile, rename, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { readJsonFileLog } from './json-file-reader.js';
import { FrameDecoder } from '@shoal/common';

const T0 = 1795593600; // 2026-11-25T08:00:00Z

function entry(i: number, stream: 'stdout' | 'stderr' = 'stdout', text = `line-${i}\n`): string {
  const ns = String(i * 1000).padStart(9, '0');
  return `${JSON.stringify({ log: text, stream, time: `2026-11-25T08:00:${String(i).padStart(2, '0')}.${ns}Z` })}\n`;
}

/** Frames as [stream, text] pairs, collected until the stream ends. */
async function frames(r: Readable): Promise<Array<[number, string]>> {
  const d = new FrameDecoder();
  const out: Array<[number, string]> = [];
  for await (const chunk of r) for (const f of d.push(chunk as Buffer)) out.push([f.stream, f.payload.toString()]);
  return out;
}

/** A live view of a stream's frames, with a bounded wait for a condition. */
function live(r: Readable) {
  const d = new FrameDecoder();
  const got: string[] = [];
  let waiters: Array<() => void> = [];
  let ended = false;
  r.on('data', (chunk: Buffer) => {
    for (const f of d.push(chunk)) got.push(f.payload.toString());
    const ws = waiters;
    waiters = [];
    for (const w of ws) w();
  });
  const done = new Promise<void>((resolve, reject) => {
    r.on('end', () => { ended = true; resolve(); });
    r.on('error', reject);
  });
  const waitFor = (pred: () => boolean, ms = 5000): Promise<void> => new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out; got ${JSON.stringify(got)}`)), ms);
    const check = (): void => {
      if (pred()) { clearTimeout(timer); resolve(); } else waiters.push(check);
    };
    check();
  });
  return { got, done, waitFor, isEnded: () => ended };
}

async function fixture(dir: string): Promise<string> {
  const p = join(dir, 'c-json.log');
  await writeFile(`${p}.2`, entry(1) + entry(2, 'stderr'));
  await writeFile(`${p}.1`, entry(3) + 'not json at all\n' + entry(4, 'stderr'));
  await writeFile(p, entry(5) + entry(6, 'stderr', 'partial') + entry(7));
  return p;
}

t.test('reads rotated files oldest first, as stdcopy frames', async (t) => {
  const p = await fixture(t.testdir());
  t.same(await frames(readJsonFileLog(p)), [
    [1, 'line-1\n'], [2, 'line-2\n'], [1, 'line-3\n'], [2, 'line-4\n'], [1, 'line-5\n'], [2, 'partial'], [1, 'line-7\n'],
  ]);
});

t.test('stream filter, tail, since and until', async (t) => {
  const p = await fixture(t.testdir());
  t.same((await frames(readJsonFileLog(p, { stderr: false }))).map((f) => f[1]), ['line-1\n', 'line-3\n', 'line-5\n', 'line-7\n']);
  t.same((await frames(readJsonFileLog(p, { tail: 3 }))).map((f) => f[1]), ['line-5\n', 'partial', 'line-7\n'], 'tail spans files');
  t.same((await frames(readJsonFileLog(p, { tail: 4, stdout: false }))).map((f) => f[1]), ['line-4\n', 'partial'], 'tail counts before the stream filter');
  t.same(await frames(readJsonFileLog(p, { tail: 0 })), []);
  t.same((await frames(readJsonFileLog(p, { since: `${T0 + 4}.000004` }))).map((f) => f[1]), ['line-4\n', 'line-5\n', 'partial', 'line-7\n'], 'since is inclusive, to the nanosecond');
  t.same((await frames(readJsonFileLog(p, { since: `${T0 + 4}.000004001` }))).map((f) => f[1]), ['line-5\n', 'partial', 'line-7\n']);
  t.same((await frames(readJsonFileLog(p, { since: T0 + 4.5 }))).map((f) => f[1]), ['line-5\n', 'partial', 'line-7\n'], 'numbers work too');
  t.same((await frames(readJsonFileLog(p, { since: T0 + 2, until: T0 + 5.5 }))).map((f) => f[1]), ['line-2\n', 'line-3\n', 'line-4\n', 'line-5\n']);
});

t.test('timestamps and tty', async (t) => {
  const p = await fixture(t.testdir());
  const ts = await frames(readJsonFileLog(p, { timestamps: true, tail: 1 }));
  t.same(ts, [[1, '2026-11-25T08:00:07.000007000Z line-7\n']]);
  const chunks: Buffer[] = [];
  for await (const c of readJsonFileLog(p, { tty: true, tail: 2 })) chunks.push(c as Buffer);
  t.equal(Buffer.concat(chunks).toString(), 'partialline-7\n', 'raw bytes for a tty');
});

t.test('a missing log reads as empty', async (t) => {
  t.same(await frames(readJsonFileLog(join(t.testdir(), 'none.log'))), []);
});

t.test('follow: new lines, across a rotation, then ends when stopWhen settles after draining', async (t) => {
  const p = join(t.testdir(), 'c-json.log');
  await writeFile(p, entry(1));
  let stop!: () => void;
  const stopWhen = new Promise<void>((r) => { stop = r; });
  const s = live(readJsonFileLog(p, { follow: true, stopWhen, pollMs: 50 }));
  await s.waitFor(() => s.got.length === 1);
  await appendFile(p, entry(2));
  await s.waitFor(() => s.got.length === 2);
  // rotate as the shim does: the tail of the old file is written, then renamed
  await appendFile(p, entry(3));
  await rename(p, `${p}.1`);
  await writeFile(p, entry(4));
  await s.waitFor(() => s.got.length === 4);
  await appendFile(p, entry(5));
  stop();
  await s.done;
  t.same(s.got, ['line-1\n', 'line-2\n', 'line-3\n', 'line-4\n', 'line-5\n'], 'every line once, in order, including the one written just before the stop');
});

t.test('follow: a truncated file (max-file 1) is read again from the start', async (t) => {
  const p = join(t.testdir(), 'c-json.log');
  await writeFile(p, entry(1) + entry(2));
  const ac = new AbortController();
  const s = live(readJsonFileLog(p, { follow: true, signal: ac.signal, pollMs: 50 }));
  await s.waitFor(() => s.got.length === 2);
  await truncate(p, 0);
  await writeFile(p, entry(3));
  await s.waitFor(() => s.got.length === 3);
  t.equal(s.got[2], 'line-3\n');
  ac.abort();
  await s.done;
  t.ok(s.isEnded(), 'abort ends the stream');
});

t.test('follow with tail shows the last lines then new ones; destroy releases it', async (t) => {
  const p = await fixture(t.testdir());
  const r = readJsonFileLog(p, { follow: true, tail: 1, pollMs: 50 });
  const s = live(r);
  await s.waitFor(() => s.got.length === 1);
  await appendFile(p, entry(8));
  await s.waitFor(() => s.got.length === 2);
  t.same(s.got, ['line-7\n', 'line-8\n']);
  r.destroy();
  await new Promise<void>((resolve) => r.once('close', () => resolve()));
  t.ok(r.destroyed);
});

t.test('follow with tail 0 shows only what comes next', async (t) => {
  const p = await fixture(t.testdir());
  const ac = new AbortController();
  let following!: () => void;
  const isFollowing = new Promise<void>((r) => { following = r; });
  const s = live(readJsonFileLog(p, { follow: true, tail: 0, signal: ac.signal, pollMs: 50, onFollowing: () => following() }));
  await isFollowing;
  await appendFile(p, entry(9));
  await s.waitFor(() => s.got.length === 1);
  ac.abort();
  await s.done;
  t.same(s.got, ['line-9\n']);
});
