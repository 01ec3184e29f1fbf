import { spawn } from 'node:child_process';
import { commonErrors } from '../errors/common-errors.js';

/** Options for {@link runTool}. */
export interface RunToolOptions {
  /** Milliseconds before the tool is killed with SIGKILL. Default 30 s. */
  timeoutMs?: number;
  /** Bytes written to the tool's stdin, then stdin is closed. */
  input?: string | Buffer;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Exit codes that are not failures (default only 0). */
  okCodes?: number[];
}

/** What a finished tool printed. */
export interface ToolResult {
  stdout: string;
  stderr: string;
  code: number;
}

/**
 * Run an external tool with an argv array (never a shell string). Resolves
 * with its output; rejects with COMMON_TOOL_FAILED (argv, exit code, stderr
 * in details), COMMON_TOOL_TIMEOUT or COMMON_TOOL_NOT_FOUND.
 */
export function runTool(argv: readonly string[], opts: RunToolOptions = {}): Promise<ToolResult> {
  const [cmd, ...args] = argv;
  if (cmd === undefined) throw new TypeError('runTool: empty argv');
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const okCodes = opts.okCodes ?? [0];
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      env: opts.env ?? process.env,
      cwd: opts.cwd,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    let settled = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
      // A grandchild that inherited our pipes would hold 'close' back forever.
      finish(null, 'SIGKILL');
    }, timeoutMs);
    // The tool exited but a child it left behind may keep stdout/stderr open
    // (e.g. `crun run -d`): give the pipes a moment, then stop waiting for them.
    child.on('exit', (code, signal) => {
      setTimeout(() => {
        child.stdout.destroy();
        child.stderr.destroy();
        finish(code, signal);
      }, 2_000).unref();
    });
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e: NodeJS.ErrnoException) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (e.code === 'ENOENT') {
        reject(commonErrors.make('TOOL_NOT_FOUND', `${cmd} is not installed (needed for: ${argv.join(' ')})`, { cause: e, details: { argv } }));
      } else {
        reject(commonErrors.make('TOOL_FAILED', `${cmd} could not be started: ${e.message}`, { cause: e, details: { argv } }));
      }
    });
    child.on('close', (code, signal) => finish(code, signal));
    function finish(code: number | null, signal: NodeJS.Signals | null): void {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      const stdout = Buffer.concat(out).toString('utf8');
      const stderr = Buffer.concat(err).toString('utf8');
      if (timedOut) {
        reject(commonErrors.make('TOOL_TIMEOUT', `${argv.join(' ')} timed out after ${timeoutMs} ms`, { details: { argv, stderr } }));
        return;
      }
      const exit = code ?? -1;
      if (!okCodes.includes(exit)) {
        const why = stderr.trim() || stdout.trim() || `signal ${signal ?? 'none'}`;
        reject(commonErrors.make('TOOL_FAILED', `${argv.join(' ')} failed (exit ${exit}): ${why}`, { details: { argv, code: exit, stderr } }));
        return;
      }
      resolve({ stdout, stderr, code: exit });
    }
    child.stdin.on('error', () => { /* tool exited before reading stdin; reported by close */ });
    if (opts.input !== undefined) child.stdin.end(opts.input);
    else child.stdin.end();
  });
}

/** Run a tool that prints JSON (`ip -j`, `nft -j`, `crun state`) and parse it. */
export async function runToolJson<T = unknown>(argv: readonly string[], opts: RunToolOptions = {}): Promise<T> {
  const { stdout } = await runTool(argv, opts);
  try {
    return JSON.parse(stdout === '' ? 'null' : stdout) as T;
  } catch (e) {
    throw commonErrors.make('TOOL_FAILED', `${argv.join(' ')} printed invalid JSON`, { cause: e, details: { argv, stdout } });
  }
}
