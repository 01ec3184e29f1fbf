import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { ContainerInspect, ExecCreateBody, ExecInspect } from '@shoal/common';
import { pumpAttached, resizeTty, startWaiting } from './attach-flow.js';
import { cliErrors } from './cli-errors.js';
import { act } from './context.js';
import type { CliContext } from './context.js';
import { collect } from './flags.js';
import { parseEnvFile, resolveEnvVar } from './parse/index.js';

const enc = encodeURIComponent;

interface ExecOpts {
  detach?: boolean; interactive?: boolean; tty?: boolean; env?: string[]; envFile?: string[]; user?: string; workdir?: string;
  privileged?: boolean; detachKeys?: string;
}

/** The body of POST /containers/{id}/exec for `exec` flags. */
export function execCreateBody(o: ExecOpts, cmd: readonly string[], env: (k: string) => string | undefined, readFile: (p: string) => string, size?: [number, number]): ExecCreateBody {
  const vars: string[] = [];
  for (const f of o.envFile ?? []) vars.push(...parseEnvFile(readFile(f), env, f));
  for (const e of o.env ?? []) vars.push(resolveEnvVar(e, env));
  const detach = o.detach === true;
  return {
    User: o.user ?? '',
    Privileged: o.privileged === true,
    Tty: o.tty === true,
    ...(o.tty === true && size !== undefined ? { ConsoleSize: size } : {}),
    AttachStdin: o.interactive === true && !detach,
    AttachStderr: !detach,
    AttachStdout: !detach,
    DetachKeys: o.detachKeys ?? '',
    Env: vars,
    WorkingDir: o.workdir ?? '',
    Cmd: [...cmd],
  };
}

/** `exec [-d] [-i] [-t] [-e] [-u] [-w] [--privileged] CONTAINER COMMAND [ARG...]` */
export function defineExec(ctx: CliContext): (cmd: Command) => Command {
  return (cmd) => cmd
    .description('Execute a command in a running container')
    .option('-d, --detach', 'Detached mode: run command in the background')
    .option('--detach-keys <keys>', 'Override the key sequence for detaching a container')
    .option('-e, --env <k=v>', 'Set environment variables', collect)
    .option('--env-file <file>', 'Read in a file of environment variables', collect)
    .option('-i, --interactive', 'Keep STDIN open even if not attached')
    .option('--privileged', 'Give extended privileges to the command')
    .option('-t, --tty', 'Allocate a pseudo-TTY')
    .option('-u, --user <user>', 'Username or UID (format: "<name|uid>[:<group|gid>]")')
    .option('-w, --workdir <dir>', 'Working directory inside the container')
    .argument('<container>')
    .argument('<command...>')
    .passThroughOptions()
    .action(act(ctx, async (name: string, command: string[], opts: ExecOpts) => {
      if (opts.interactive === true && opts.tty === true && opts.detach !== true && ctx.io.stdin.isTTY !== true) {
        ctx.err('the input device is not a TTY\n');
        return 1;
      }
      const { rows, columns } = ctx.io.stdout;
      const size: [number, number] | undefined = rows !== undefined && columns !== undefined ? [rows, columns] : undefined;
      const body = execCreateBody(opts, command, (k) => ctx.io.env[k], (p) => readFileSync(p, 'utf8'), size);
      const { Id } = await ctx.client.json<{ Id: string }>('POST', `/containers/${enc(name)}/exec`, { body });
      if (opts.detach === true) {
        await ctx.client.request('POST', `/exec/${enc(Id)}/start`, { body: { Detach: true, Tty: opts.tty === true } });
        return 0;
      }
      const conn = await ctx.client.hijack('POST', `/exec/${enc(Id)}/start`, {
        body: { Detach: false, Tty: opts.tty === true, ...(body.ConsoleSize !== undefined ? { ConsoleSize: body.ConsoleSize } : {}) },
      });
      const pump = pumpAttached(ctx, conn, {
        tty: opts.tty === true, stdin: opts.interactive === true, sigProxy: false, resizePath: `/exec/${enc(Id)}`,
        ...(opts.detachKeys !== undefined ? { detachKeys: opts.detachKeys } : {}),
      });
      if (opts.tty === true) await resizeTty(ctx, `/exec/${enc(Id)}`);
      if ((await pump).detached) return 0;
      const r = await ctx.client.json<ExecInspect>('GET', `/exec/${enc(Id)}/json`);
      return r.ExitCode ?? 0;
    }));
}

/** `attach [--no-stdin] [--sig-proxy] [--detach-keys] CONTAINER` */
export function defineAttach(ctx: CliContext): (cmd: Command) => Command {
  return (cmd) => cmd
    .description("Attach local standard input, output, and error streams to a running container")
    .option('--detach-keys <keys>', 'Override the key sequence for detaching a container')
    .option('--no-stdin', 'Do not attach STDIN')
    .option('--sig-proxy', 'Proxy all received signals to the process (default true)')
    .option('--no-sig-proxy', 'Do not proxy signals')
    .argument('<container>')
    .action(act(ctx, async (name: string, opts: { stdin?: boolean; sigProxy?: boolean; detachKeys?: string }) => {
      const c = await ctx.client.json<ContainerInspect>('GET', `/containers/${enc(name)}/json`);
      if (!c.State.Running) throw cliErrors.make('FAILED', 'You cannot attach to a stopped container, start it first');
      if (c.State.Paused) throw cliErrors.make('FAILED', 'You cannot attach to a paused container, unpause it first');
      const tty = c.Config.Tty === true;
      const stdin = opts.stdin !== false && c.Config.OpenStdin === true;
      if (stdin && tty && ctx.io.stdin.isTTY !== true) {
        ctx.err('the input device is not a TTY\n');
        return 1;
      }
      const status = await startWaiting(ctx, c.Id, 'not-running');
      const path = `/containers/${enc(c.Id)}`;
      const conn = await ctx.client.hijack('POST', `${path}/attach`, {
        query: { stream: true, stdin, stdout: true, stderr: true, detachKeys: opts.detachKeys },
      });
      const pump = pumpAttached(ctx, conn, {
        tty, stdin, sigProxy: opts.sigProxy !== false, resizePath: path, containerId: c.Id,
        ...(opts.detachKeys !== undefined ? { detachKeys: opts.detachKeys } : {}),
      });
      if (tty) await resizeTty(ctx, path);
      if ((await pump).detached) {
        status.cancel();
        return 0;
      }
      const after = await ctx.client.json<ContainerInspect>('GET', `${path}/json`).catch(() => undefined);
      if (after?.State.Running === true) {
        status.cancel();
        return 0;
      }
      return (await status.result).StatusCode;
    }));
}
