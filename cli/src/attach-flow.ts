import type { Duplex } from 'node:stream';
import type { ContainerWaitResponse } from '@shoal/common';
import type { CliContext } from './context.js';
import { FrameDecoder, STREAM_STDERR, STREAM_SYSTEMERR } from './demux.js';
import { DEFAULT_DETACH_KEYS, EscapeProxy, parseDetachKeys } from './detach-keys.js';

/** What the local side of an attached session does. */
export interface AttachedSession {
  tty: boolean;
  stdin: boolean;
  /** Forward SIGINT/SIGTERM/... to the container (non-tty only, as docker). */
  sigProxy: boolean;
  /** `/containers/{id}` or `/exec/{id}`: where resize goes. */
  resizePath?: string;
  /** Container id for signal forwarding. */
  containerId?: string;
  /** `--detach-keys`; with a tty and stdin the sequence detaches locally (default ctrl-p,ctrl-q). */
  detachKeys?: string;
}

/** How an attached session ended. */
export interface SessionEnd {
  /** The user typed the detach sequence: the container goes on running. */
  detached: boolean;
}

const PROXIED: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2'];

function writeWithBackpressure(ctx: CliContext, stream: 'out' | 'err', data: Buffer, conn: Duplex): void {
  const target = stream === 'out' ? ctx.io.stdout : ctx.io.stderr;
  if (!target.write(data)) {
    conn.pause();
    target.once('drain', () => conn.resume());
  }
}

/**
 * Copy a hijacked connection to the local terminal until the daemon ends
 * it: output demultiplexed to stdout/stderr unless tty, local stdin piped
 * in (half-closing the connection at EOF), the terminal in raw mode with
 * -t, resize on SIGWINCH, signals proxied. Resolves when the output ends.
 * Call it right after the hijack (before start) so no output is missed;
 * the first resize is the caller's, after start.
 */
export async function pumpAttached(ctx: CliContext, conn: Duplex, s: AttachedSession): Promise<SessionEnd> {
  const cleanups: Array<() => void> = [];
  const stdin = ctx.io.stdin;
  let detached = false;
  const escape = s.tty && s.stdin
    ? new EscapeProxy(s.detachKeys === undefined || s.detachKeys === '' ? DEFAULT_DETACH_KEYS : parseDetachKeys(s.detachKeys))
    : undefined;
  try {
    if (s.tty && s.stdin && stdin.isTTY === true && stdin.setRawMode !== undefined) {
      stdin.setRawMode(true);
      cleanups.push(() => { stdin.setRawMode?.(false); });
    }
    if (s.resizePath !== undefined && s.tty) {
      cleanups.push(ctx.io.onSignal('SIGWINCH', () => { resizeTty(ctx, s.resizePath ?? '').catch(() => undefined); }));
    }
    if (s.sigProxy && !s.tty && s.containerId !== undefined) {
      const id = s.containerId;
      for (const sig of PROXIED) {
        cleanups.push(ctx.io.onSignal(sig, () => {
          ctx.client.request('POST', `/containers/${encodeURIComponent(id)}/kill`, { query: { signal: sig } }).catch(() => undefined);
        }));
      }
    }
    const done = new Promise<void>((resolve, reject) => {
      const decoder = s.tty ? undefined : new FrameDecoder((stream, payload) => {
        if (stream === STREAM_SYSTEMERR) ctx.err(payload.toString('utf8'));
        else writeWithBackpressure(ctx, stream === STREAM_STDERR ? 'err' : 'out', payload, conn);
      });
      conn.on('data', (chunk: Buffer) => {
        if (decoder === undefined) writeWithBackpressure(ctx, 'out', chunk, conn);
        else decoder.push(chunk);
      });
      conn.on('end', () => resolve());
      conn.on('close', () => resolve());
      conn.on('error', (e: NodeJS.ErrnoException) => {
        if (e.code === 'ECONNRESET' || e.code === 'EPIPE') resolve();
        else reject(e);
      });
    });
    if (!s.stdin) {
      // As the docker CLI: with no stdin attached, half-close at once (the
      // daemon keeps sending output until the process ends).
      conn.end();
    } else {
      const onData = (raw: Buffer | string) => {
        if (!conn.writable) return;
        let chunk = typeof raw === 'string' ? Buffer.from(raw) : raw;
        if (escape !== undefined) {
          const r = escape.push(chunk);
          chunk = r.forward;
          if (r.detached) {
            detached = true;
            if (chunk.length > 0) conn.write(chunk);
            conn.destroy();
            return;
          }
        }
        if (!conn.write(chunk)) {
          stdin.pause();
          conn.once('drain', () => stdin.resume());
        }
      };
      const onEnd = () => { if (conn.writable) conn.end(); };
      stdin.on('data', onData);
      stdin.once('end', onEnd);
      stdin.resume();
      cleanups.push(() => {
        stdin.off('data', onData);
        stdin.off('end', onEnd);
        stdin.pause();
      });
    }
    await done;
    return { detached };
  } finally {
    for (const c of cleanups.reverse()) c();
  }
}

/** POST {path}/resize with the local terminal size (ignored when not a terminal). */
export async function resizeTty(ctx: CliContext, path: string): Promise<void> {
  const { rows, columns } = ctx.io.stdout;
  if (rows === undefined || columns === undefined || rows === 0 || columns === 0) return;
  await ctx.client.request('POST', `${path}/resize`, { query: { h: rows, w: columns } }).catch(() => undefined);
}

/**
 * POST /containers/{id}/wait?condition=... and wait for the response
 * headers (the daemon sends them once the waiter is registered), so that a
 * start issued after this resolves cannot be missed. `result` gives the
 * final status (wrapped: an async function cannot return a bare promise);
 * `cancel` drops the wait (e.g. after a detach).
 */
export async function startWaiting(ctx: CliContext, id: string, condition: 'next-exit' | 'removed' | 'not-running'): Promise<{ result: Promise<ContainerWaitResponse>; cancel: () => void }> {
  const res = await ctx.client.stream('POST', `/containers/${encodeURIComponent(id)}/wait`, { query: { condition } });
  const body = (async () => {
    const parts: Buffer[] = [];
    for await (const c of res) parts.push(c as Buffer);
    const text = Buffer.concat(parts).toString('utf8').trim();
    try {
      return JSON.parse(text) as ContainerWaitResponse;
    } catch {
      return { StatusCode: -1, Error: { Message: `unreadable wait response: ${text.slice(0, 200)}` } };
    }
  })();
  body.catch(() => undefined);
  return { result: body, cancel: () => { res.destroy(); } };
}
