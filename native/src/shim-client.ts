import { EventEmitter } from 'node:events';
import { createConnection, type Socket } from 'node:net';
import { shimErrors } from './errors.js';
import { encodeShimFrame, FrameType, ShimFrameDecoder, type ShimFrame } from './frame.js';
import { reachableSocketPath } from './socket-path.js';
import { parseExitStatus, readExitFile, STATE_FILES } from './state-files.js';
import type { ExitStatus, HelloStreams, OutputChunk } from './types.js';

/** Buffered output (bytes) at which an `output()` iterator pauses the socket. */
const ITERATOR_HIGH_WATER = 1024 * 1024;

/** Events of a {@link ShimClient}. */
export interface ShimClientEvents {
  /** A chunk of process output (only for the streams asked for in hello). */
  output: [chunk: OutputChunk];
  /** The connection closed (after frame 9, a shim crash, or close()). */
  close: [];
}

/**
 * One connection to a shim's control.sock (native/shim/PROTOCOL.md).
 *
 * Usage: `const c = await ShimClient.connect(stateDir)`; subscribe to output
 * (`c.on('output', ...)` or `for await (const chunk of c.output())`) BEFORE
 * `c.hello({...})`, since output is delivered from the hello on; then
 * `await c.exited`. Output for a non-tty process keeps the stdout/stderr
 * split; with a tty everything is `stdout`.
 *
 * `exited` resolves from the exit frame, or, when the connection closes
 * without one, from exit.json; it rejects with SHIM_EXIT_UNKNOWN if neither
 * exists (the shim was killed) and with SHIM_CLOSED after close(). It never
 * causes an unhandled rejection when nobody awaits it.
 */
export class ShimClient extends EventEmitter<ShimClientEvents> {
  readonly #socket: Socket;
  readonly #stateDir: string;
  readonly #decoder = new ShimFrameDecoder();
  #helloSent = false;
  #closedByUs = false;
  #exitStatus: ExitStatus | undefined;
  #startWaiters: Array<{ resolve: (v: { pid: number }) => void; reject: (e: Error) => void }> = [];
  #resolveExit!: (s: ExitStatus) => void;
  #rejectExit!: (e: Error) => void;

  /** Resolves with the process's exit status (see the class comment). */
  readonly exited: Promise<ExitStatus>;
  /** Resolves when the connection is closed, for whatever reason. */
  readonly closed: Promise<void>;

  private constructor(socket: Socket, stateDir: string) {
    super();
    this.#socket = socket;
    this.#stateDir = stateDir;
    this.exited = new Promise<ExitStatus>((resolve, reject) => {
      this.#resolveExit = resolve;
      this.#rejectExit = reject;
    });
    this.exited.catch(() => undefined);
    this.closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.on('data', (b: Buffer) => this.#onData(b));
    socket.on('error', () => undefined); // the 'close' that follows settles everything
    socket.once('close', () => {
      void this.#onClose();
    });
  }

  /**
   * Connect to `stateDir/control.sock` (works for state dirs longer than
   * sun_path allows). Rejects with SHIM_CONNECT_FAILED when nobody listens
   * (shim gone: read exit.json) within timeoutMs (default 5 s).
   */
  static connect(stateDir: string, opts: { timeoutMs?: number } = {}): Promise<ShimClient> {
    const timeoutMs = opts.timeoutMs ?? 5_000;
    return new Promise<ShimClient>((resolve, reject) => {
      let where: { path: string; release: () => void };
      try {
        where = reachableSocketPath(stateDir, STATE_FILES.control);
      } catch (e) {
        reject(shimErrors.make('CONNECT_FAILED', `cannot open state dir ${stateDir}: ${(e as Error).message}`, { cause: e }));
        return;
      }
      const socket = createConnection({ path: where.path });
      const timer = setTimeout(() => {
        socket.destroy();
        where.release();
        reject(shimErrors.make('CONNECT_FAILED', `connect to ${stateDir}/control.sock timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      const onError = (e: Error): void => {
        clearTimeout(timer);
        where.release();
        reject(shimErrors.make('CONNECT_FAILED', `cannot connect to ${stateDir}/control.sock: ${e.message}`, { cause: e }));
      };
      socket.once('error', onError);
      socket.once('connect', () => {
        clearTimeout(timer);
        where.release();
        socket.off('error', onError);
        resolve(new ShimClient(socket, stateDir));
      });
    });
  }

  /** Send the hello frame (must be first; once). A monitor passes all false. */
  hello(streams: HelloStreams): void {
    if (this.#helloSent) throw shimErrors.make('PROTOCOL', 'hello was already sent on this connection');
    this.#helloSent = true;
    this.#send(FrameType.Hello, JSON.stringify({ stdin: streams.stdin, stdout: streams.stdout, stderr: streams.stderr }));
  }

  /** Bytes for the process's stdin. Returns false when the socket buffer is full: then await {@link waitDrain} before writing more. */
  writeStdin(data: Buffer | string): boolean {
    return this.#send(FrameType.Stdin, typeof data === 'string' ? Buffer.from(data) : data);
  }

  /** Resolves once the socket's write buffer has drained (at once when it is not full) or the connection closed. */
  waitDrain(): Promise<void> {
    if (!this.#socket.writableNeedDrain || this.#socket.destroyed) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const done = (): void => {
        this.#socket.off('drain', done);
        this.#socket.off('close', done);
        resolve();
      };
      this.#socket.on('drain', done);
      this.#socket.on('close', done);
    });
  }

  /** Close the process's stdin (like a client half-close). */
  closeStdin(): void {
    this.#send(FrameType.CloseStdin);
  }

  /** Resize the pty (no effect without --tty). */
  resize(h: number, w: number): void {
    this.#send(FrameType.Resize, JSON.stringify({ h, w }));
  }

  /**
   * Exec mode: run the process now. Resolves with its pid; rejects with
   * SHIM_START_FAILED carrying crun exec's error, or SHIM_CLOSED.
   */
  start(): Promise<{ pid: number }> {
    return new Promise<{ pid: number }>((resolve, reject) => {
      this.#startWaiters.push({ resolve, reject });
      try {
        this.#send(FrameType.Start);
      } catch (e) {
        this.#startWaiters.pop();
        reject(e as Error);
      }
    });
  }

  /**
   * Output as an async iterable (ends when the connection closes). Applies
   * backpressure: the socket is paused while more than 1 MiB is unread, and
   * the shim drops this client if it stays behind (never blocking the
   * container). Call before hello().
   */
  output(): AsyncIterable<OutputChunk> {
    const queue: OutputChunk[] = [];
    let queued = 0;
    let done = false;
    let wake: (() => void) | undefined;
    const onOutput = (c: OutputChunk): void => {
      queue.push(c);
      queued += c.data.length;
      if (queued > ITERATOR_HIGH_WATER) this.#socket.pause();
      wake?.();
    };
    const onClose = (): void => {
      done = true;
      wake?.();
    };
    this.on('output', onOutput);
    this.once('close', onClose);
    const detach = (): void => {
      this.off('output', onOutput);
      this.off('close', onClose);
    };
    const socket = this.#socket;
    return {
      [Symbol.asyncIterator]: (): AsyncIterator<OutputChunk> => ({
        next: async (): Promise<IteratorResult<OutputChunk>> => {
          for (;;) {
            const c = queue.shift();
            if (c !== undefined) {
              queued -= c.data.length;
              if (queued <= ITERATOR_HIGH_WATER && socket.isPaused()) socket.resume();
              return { value: c, done: false };
            }
            if (done) {
              detach();
              return { value: undefined, done: true };
            }
            await new Promise<void>((r) => { wake = r; });
            wake = undefined;
          }
        },
        return: async (): Promise<IteratorResult<OutputChunk>> => {
          detach();
          queue.length = 0;
          if (socket.isPaused()) socket.resume();
          return { value: undefined, done: true };
        },
      }),
    };
  }

  /** Disconnect (the process keeps running). `exited` then rejects with SHIM_CLOSED unless it already settled. */
  close(): void {
    this.#closedByUs = true;
    this.#socket.destroy();
  }

  #send(type: number, payload?: Buffer | string): boolean {
    if (this.#socket.destroyed || !this.#socket.writable) throw shimErrors.make('CLOSED', 'the shim connection is closed');
    if (!this.#helloSent && type !== FrameType.Hello) throw shimErrors.make('PROTOCOL', 'send hello before any other frame');
    return this.#socket.write(encodeShimFrame(type, payload));
  }

  #onData(b: Buffer): void {
    let frames: ShimFrame[];
    try {
      frames = this.#decoder.push(b);
    } catch (e) {
      this.#failProtocol(`bad frame from shim: ${(e as Error).message}`);
      return;
    }
    for (const f of frames) this.#onFrame(f);
  }

  #onFrame(f: ShimFrame): void {
    switch (f.type) {
      case FrameType.Stdout:
        this.emit('output', { stream: 'stdout', data: f.payload });
        return;
      case FrameType.Stderr:
        this.emit('output', { stream: 'stderr', data: f.payload });
        return;
      case FrameType.StartResult: {
        const w = this.#startWaiters.shift();
        if (w === undefined) return;
        let v: { ok?: boolean; pid?: number; error?: string };
        try {
          v = JSON.parse(f.payload.toString('utf8')) as typeof v;
        } catch {
          w.reject(shimErrors.make('PROTOCOL', 'start answer is not JSON'));
          return;
        }
        if (v.ok === true && typeof v.pid === 'number') w.resolve({ pid: v.pid });
        else w.reject(shimErrors.make('START_FAILED', `exec could not start: ${v.error ?? 'unknown error'}`, { details: { crunError: v.error } }));
        return;
      }
      case FrameType.Exit:
        try {
          this.#exitStatus = parseExitStatus(f.payload.toString('utf8'));
          this.#resolveExit(this.#exitStatus);
        } catch (e) {
          this.#rejectExit(e as Error);
        }
        return;
      default:
        this.#failProtocol(`unexpected frame type ${f.type} from shim`);
    }
  }

  #failProtocol(msg: string): void {
    this.#rejectExit(shimErrors.make('PROTOCOL', msg));
    this.#socket.destroy();
  }

  async #onClose(): Promise<void> {
    for (const w of this.#startWaiters.splice(0)) w.reject(shimErrors.make('CLOSED', 'the shim connection closed before the start answer'));
    try {
      if (this.#exitStatus === undefined) {
        if (this.#closedByUs) {
          this.#rejectExit(shimErrors.make('CLOSED', 'disconnected from the shim before the process exited'));
        } else {
          const st = await readExitFile(this.#stateDir);
          if (st !== undefined) this.#resolveExit(st);
          else this.#rejectExit(shimErrors.make('EXIT_UNKNOWN', `the shim in ${this.#stateDir} closed the connection and left no exit.json`));
        }
      }
    } catch (e) {
      this.#rejectExit(e as Error);
    } finally {
      this.emit('close');
    }
  }
}
