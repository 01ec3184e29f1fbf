import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { ContainerInspect } from '@shoal/common';
import { isShoalError } from '@shoal/common';
import { pumpAttached, resizeTty, startWaiting } from './attach-flow.js';
import { cliErrors } from './cli-errors.js';
import { act } from './context.js';
import type { CliContext } from './context.js';
import { buildCreateRequest } from './run-args.js';
import type { CreateRequest, RunArgsDeps } from './run-args.js';
import { addRunFlags } from './run-flags.js';
import { pullImage } from './pull.js';
import { familiarString, normalizeImageRef } from '@shoal/common';
import type { RunFlags } from './run-flags.js';

/** The deps of buildCreateRequest taken from the process. */
export function runDeps(ctx: CliContext): RunArgsDeps {
  const { rows, columns } = ctx.io.stdout;
  return {
    env: (k) => ctx.io.env[k],
    cwd: ctx.io.cwd,
    readFile: (p) => readFileSync(p, 'utf8'),
    ...(rows !== undefined && columns !== undefined ? { consoleSize: [rows, columns] as [number, number] } : {}),
  };
}

/** docker's `reportError`: `shoal: <msg>.` and the help hint, on stderr. */
function reportRunError(ctx: CliContext, verb: string, err: unknown): void {
  let msg = (err as Error).message;
  if (isShoalError(err) && err.code === 'CLI_DAEMON_ERROR') msg = `Error response from daemon: ${msg}`;
  if (!msg.endsWith('.')) msg += '.';
  ctx.err(`shoal: ${msg}\nSee 'shoal ${verb} --help'.\n`);
}

/**
 * The exit code for a failed start, as the docker CLI maps it: 127 when the
 * command was not found, 126 when it cannot be invoked, else 125. The Engine
 * API carries only a message, so this reads the message (Docker's contract).
 */
export function startErrorExitCode(message: string): number {
  if (/executable file not found|no such file or directory|system cannot find the file specified/.test(message)) return 127;
  if (/permission denied|is a directory/.test(message)) return 126;
  return 125;
}

async function createContainer(ctx: CliContext, req: CreateRequest): Promise<string> {
  const r = await ctx.client.json<{ Id: string; Warnings?: string[] | null }>('POST', '/containers/create', {
    query: { name: req.name, platform: req.platform },
    body: req.body,
  });
  for (const w of r.Warnings ?? []) ctx.err(`WARNING: ${w}\n`);
  return r.Id;
}

/**
 * Create, pulling first with `--pull always`, or after a 404 with `--pull
 * missing` (a 404 from /containers/create only means "no such image"), as
 * docker run does: "Unable to find image ... locally" and the progress on
 * stderr, then create again.
 */
async function createWithPull(ctx: CliContext, req: CreateRequest): Promise<string> {
  const image = req.body.Image ?? '';
  const platform = req.platform !== undefined ? { platform: req.platform } : {};
  if (req.behaviour.pull === 'always') await pullImage(ctx, image, { ...platform, to: 'stderr' });
  try {
    return await createContainer(ctx, req);
  } catch (e) {
    if (req.behaviour.pull !== 'missing' || !isShoalError(e) || e.code !== 'CLI_DAEMON_ERROR' || e.details.status !== 404) throw e;
    ctx.err(`Unable to find image '${familiarString(normalizeImageRef(image))}' locally\n`);
    await pullImage(ctx, image, { ...platform, to: 'stderr' });
    return createContainer(ctx, req);
  }
}

/** What to attach and how, for run and start -a. */
interface AttachPlan {
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
  autoRemove: boolean;
  sigProxy: boolean;
  detachKeys?: string;
}

/**
 * attach (hijack) -> wait (headers back) -> start -> copy I/O -> exit code.
 * `onStartError` turns a failed start into the exit code.
 */
async function attachStartWait(ctx: CliContext, id: string, plan: AttachPlan, onStartError: (e: unknown) => number): Promise<number> {
  const path = `/containers/${encodeURIComponent(id)}`;
  const anyStream = plan.stdin || plan.stdout || plan.stderr;
  const conn = anyStream
    ? await ctx.client.hijack('POST', `${path}/attach`, {
      query: { stream: true, stdin: plan.stdin, stdout: plan.stdout, stderr: plan.stderr, detachKeys: plan.detachKeys },
    })
    : undefined;
  const pump = conn === undefined
    ? Promise.resolve({ detached: false })
    : pumpAttached(ctx, conn, {
      tty: plan.tty, stdin: plan.stdin, sigProxy: plan.sigProxy, resizePath: path, containerId: id,
      ...(plan.detachKeys !== undefined ? { detachKeys: plan.detachKeys } : {}),
    });
  let status: Awaited<ReturnType<typeof startWaiting>>;
  try {
    status = await startWaiting(ctx, id, plan.autoRemove ? 'removed' : 'next-exit');
  } catch (e) {
    conn?.destroy();
    await pump.catch(() => undefined);
    throw e;
  }
  try {
    await ctx.client.request('POST', `${path}/start`);
  } catch (e) {
    conn?.destroy();
    status.cancel();
    await pump.catch(() => undefined);
    return onStartError(e);
  }
  if (plan.tty) await resizeTty(ctx, path);
  const end = await pump;
  if (end.detached) {
    status.cancel();
    return 0;
  }
  const st = await status.result;
  if (st.Error !== undefined && st.Error !== null && st.Error.Message !== '') ctx.err(`shoal: ${st.Error.Message}\n`);
  return st.StatusCode;
}

async function runCommand(ctx: CliContext, verb: 'run' | 'create', opts: RunFlags, image: string, rest: string[]): Promise<number> {
  let req: CreateRequest;
  try {
    req = buildCreateRequest(opts, image, rest, runDeps(ctx));
  } catch (e) {
    reportRunError(ctx, verb, e);
    return 125;
  }
  const b = req.behaviour;
  if (verb === 'run' && !b.detach && b.attach.stdin && b.tty && ctx.io.stdin.isTTY !== true) {
    ctx.err('the input device is not a TTY\n');
    return 1;
  }
  let id: string;
  try {
    id = await createWithPull(ctx, req);
  } catch (e) {
    reportRunError(ctx, verb, e);
    return 125;
  }
  if (verb === 'create') {
    ctx.out(`${id}\n`);
    return 0;
  }
  const startError = (e: unknown): number => {
    reportRunError(ctx, verb, e);
    return isShoalError(e) && e.code === 'CLI_DAEMON_ERROR' ? startErrorExitCode(e.message) : 125;
  };
  if (b.detach) {
    try {
      await ctx.client.request('POST', `/containers/${encodeURIComponent(id)}/start`);
    } catch (e) {
      return startError(e);
    }
    ctx.out(`${id}\n`);
    return 0;
  }
  try {
    return await attachStartWait(ctx, id, {
      ...b.attach, tty: b.tty, autoRemove: b.autoRemove, sigProxy: b.sigProxy,
      ...(b.detachKeys !== undefined ? { detachKeys: b.detachKeys } : {}),
    }, startError);
  } catch (e) {
    reportRunError(ctx, verb, e);
    return 125;
  }
}

/** `run IMAGE [COMMAND] [ARG...]` */
export function defineRun(ctx: CliContext): (cmd: Command) => Command {
  return (cmd) => addRunFlags(cmd, true)
    .description('Create and run a new container from an image')
    .argument('<image>')
    .argument('[command...]')
    .passThroughOptions()
    .action(act(ctx, async (image: string, rest: string[], opts: RunFlags) => runCommand(ctx, 'run', opts, image, rest)));
}

/** `create IMAGE [COMMAND] [ARG...]` */
export function defineCreate(ctx: CliContext): (cmd: Command) => Command {
  return (cmd) => addRunFlags(cmd, false)
    .description('Create a new container')
    .argument('<image>')
    .argument('[command...]')
    .passThroughOptions()
    .action(act(ctx, async (image: string, rest: string[], opts: RunFlags) => runCommand(ctx, 'create', opts, image, rest)));
}

/** `start [-a] [-i] CONTAINER...` */
export function defineStart(ctx: CliContext): (cmd: Command) => Command {
  return (cmd) => cmd
    .description('Start one or more stopped containers')
    .option('-a, --attach', "Attach STDOUT/STDERR and forward signals")
    .option('-i, --interactive', "Attach container's STDIN")
    .option('--detach-keys <keys>', 'Override the key sequence for detaching a container')
    .argument('<container...>')
    .action(act(ctx, async (names: string[], opts: { attach?: boolean; interactive?: boolean; detachKeys?: string }) => {
      if (opts.attach === true || opts.interactive === true) {
        if (names.length > 1) throw cliErrors.make('FAILED', 'you cannot start and attach multiple containers at once');
        const name = names[0] ?? '';
        const c = await ctx.client.json<ContainerInspect>('GET', `/containers/${encodeURIComponent(name)}/json`);
        const tty = c.Config.Tty === true;
        const stdin = opts.interactive === true && c.Config.OpenStdin === true;
        return attachStartWait(ctx, c.Id, {
          stdin, stdout: true, stderr: true, tty, autoRemove: c.HostConfig.AutoRemove === true, sigProxy: true,
          ...(opts.detachKeys !== undefined ? { detachKeys: opts.detachKeys } : {}),
        }, (e) => { throw e; });
      }
      let failed = 0;
      for (const n of names) {
        try {
          await ctx.client.request('POST', `/containers/${encodeURIComponent(n)}/start`);
          ctx.out(`${n}\n`);
        } catch (e) {
          if (!isShoalError(e) || e.code !== 'CLI_DAEMON_ERROR') throw e;
          ctx.err(`Error response from daemon: ${e.message}\n`);
          failed++;
        }
      }
      if (failed > 0) {
        ctx.err(`Error: failed to start containers: ${names.join(', ')}\n`);
        return 1;
      }
      return 0;
    }));
}
