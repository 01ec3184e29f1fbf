import type { Readable, Writable } from 'node:stream';
import type { Command } from 'commander';
import { isShoalError } from '@shoal/common';
import { readFileSync } from 'node:fs';
import { DEFAULT_HOST, EngineClient, parseHost } from './client.js';
import type { TlsOptions } from './client.js';
import { cliErrors } from './cli-errors.js';

/** The global connection flags (docker's -H, --tls, --tlsverify, --tlscacert, --tlscert, --tlskey). */
export interface ConnectionFlags {
  host?: string;
  tls?: boolean;
  tlsverify?: boolean;
  tlscacert?: string;
  tlscert?: string;
  tlskey?: string;
}

/** The process edges a command touches; tests pass streams of their own. */
export interface CliIo {
  stdin: Readable & { isTTY?: boolean; setRawMode?: (mode: boolean) => unknown };
  stdout: Writable & { isTTY?: boolean; columns?: number; rows?: number };
  stderr: Writable;
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
  /** Wall clock in ms (for "3 minutes ago" and --since 10m). */
  now: () => number;
  /** Minutes east of UTC of the local zone (for --since dates without zone). */
  localOffsetMin: number;
  /** Subscribe to a process signal; returns the unsubscribe function. */
  onSignal: (sig: NodeJS.Signals, fn: () => void) => () => void;
}

/** State shared by the commands of one invocation. */
export class CliContext {
  readonly io: CliIo;
  /** Exit status of the command that ran. */
  exitCode = 0;
  #host: string | undefined;
  #client: EngineClient | undefined;

  constructor(io: CliIo) {
    this.io = io;
  }

  #flags: ConnectionFlags = {};

  /** -H/--host given on the command line (wins over SHOAL_HOST and DOCKER_HOST). */
  setHost(host: string | undefined): void {
    this.#host = host;
    this.#client = undefined;
  }

  /** The global flags: host and TLS. */
  setConnection(flags: ConnectionFlags): void {
    this.#flags = flags;
    this.setHost(flags.host);
  }

  /**
   * TLS in effect, as the docker CLI decides it: --tlsverify (or
   * SHOAL_TLS_VERIFY / DOCKER_TLS_VERIFY non-empty) implies --tls; the files
   * default to ca.pem, cert.pem, key.pem in SHOAL_CERT_PATH /
   * DOCKER_CERT_PATH / ~/.shoal. Undefined when TLS is off.
   */
  tlsOptions(): TlsOptions | undefined {
    const env = this.io.env;
    const verify = this.#flags.tlsverify === true || (env.SHOAL_TLS_VERIFY ?? env.DOCKER_TLS_VERIFY ?? '') !== '';
    if (!verify && this.#flags.tls !== true) return undefined;
    const dir = env.SHOAL_CERT_PATH ?? env.DOCKER_CERT_PATH ?? `${env.HOME ?? ''}/.shoal`;
    const read = (flag: string | undefined, file: string, required: boolean): Buffer | undefined => {
      const p = flag ?? `${dir}/${file}`;
      try {
        return readFileSync(p);
      } catch (e) {
        if (flag === undefined && !required) return undefined;
        throw cliErrors.make('INVALID_FLAG', `could not read TLS file ${p}: ${(e as Error).message}`, { cause: e });
      }
    };
    const ca = read(this.#flags.tlscacert, 'ca.pem', verify);
    const cert = read(this.#flags.tlscert, 'cert.pem', false);
    const key = read(this.#flags.tlskey, 'key.pem', false);
    return { verify, ...(ca !== undefined ? { ca } : {}), ...(cert !== undefined ? { cert } : {}), ...(key !== undefined ? { key } : {}) };
  }

  /** The daemon address in effect. */
  get host(): string {
    return this.#host ?? this.io.env.SHOAL_HOST ?? this.io.env.DOCKER_HOST ?? DEFAULT_HOST;
  }

  /** The client for the daemon in effect (made on first use). */
  get client(): EngineClient {
    this.#client ??= new EngineClient(parseHost(this.host, this.host.startsWith('unix://') || this.host.startsWith('/') ? undefined : this.tlsOptions()));
    return this.#client;
  }

  out(s: string): void {
    this.io.stdout.write(s);
  }

  err(s: string): void {
    this.io.stderr.write(s);
  }
}

/** Exit status of a command; `void` means 0. */
export type CommandResult = number | void;

/**
 * Print an error as the docker CLI does and give the exit code: daemon
 * errors as `Error response from daemon: ...` (1), flag and usage errors
 * with a hint (125), anything else as `shoal: ...` (1).
 */
export function reportError(ctx: CliContext, err: unknown, commandPath: string): number {
  if (isShoalError(err)) {
    switch (err.code) {
      case 'CLI_DAEMON_ERROR':
        ctx.err(`Error response from daemon: ${err.message}\n`);
        return 1;
      case 'CLI_CONNECT_FAILED':
        ctx.err(`${err.message}\n`);
        return 1;
      case 'CLI_INVALID_FLAG':
      case 'CLI_USAGE':
      case 'COMMON_REFERENCE_INVALID':
        ctx.err(`shoal: ${err.message}\nSee 'shoal ${commandPath} --help'.\n`);
        return 125;
      case 'CLI_TEMPLATE':
      case 'CLI_FAILED':
        ctx.err(`${err.message}\n`);
        return 1;
      default:
        ctx.err(`shoal: ${err.message}\n`);
        return 1;
    }
  }
  if ((err as NodeJS.ErrnoException | undefined)?.code === 'ABORT_ERR') return 130;
  ctx.err(`shoal: ${(err as Error)?.message ?? String(err)}\n`);
  return 1;
}

/** `container ls` for a command object (for "See 'shoal container ls --help'"). */
export function commandPath(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c !== null && c.parent !== null; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

/**
 * Wrap a command body as a commander action: the result becomes
 * ctx.exitCode, a thrown error is printed docker-style (reportError).
 */
export function act<A extends unknown[]>(ctx: CliContext, fn: (...args: A) => Promise<CommandResult>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    const last = args[args.length - 1] as Command | undefined;
    const path = last !== undefined && typeof last === 'object' && typeof (last as Command).name === 'function' ? commandPath(last) : '';
    try {
      ctx.exitCode = (await fn(...args)) ?? 0;
    } catch (e) {
      ctx.exitCode = reportError(ctx, e, path);
    }
  };
}
