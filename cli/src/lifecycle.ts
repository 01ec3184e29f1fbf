import type { Command } from 'commander';
import type { ContainerUpdateBody, ContainerWaitResponse } from '@shoal/common';
import { isShoalError } from '@shoal/common';
import { cliErrors } from './cli-errors.js';
import { act } from './context.js';
import type { CliContext, CommandResult } from './context.js';
import { intArg } from './flags.js';
import { parseMemorySwap, parseRamBytes, parseRestartPolicy } from './parse/index.js';
import { parseNanoCpus } from './run-args.js';

const enc = encodeURIComponent;

/**
 * Run `fn` for each name, printing daemon errors docker-style and going on;
 * exit 1 if any failed.
 */
export async function forEachName(ctx: CliContext, names: readonly string[], fn: (name: string) => Promise<void>): Promise<CommandResult> {
  let failed = false;
  for (const n of names) {
    try {
      await fn(n);
    } catch (e) {
      if (!isShoalError(e) || e.code !== 'CLI_DAEMON_ERROR') throw e;
      ctx.err(`Error response from daemon: ${e.message}\n`);
      failed = true;
    }
  }
  return failed ? 1 : 0;
}

function simple(ctx: CliContext, description: string, verb: string): (cmd: Command) => Command {
  return (cmd) => cmd
    .description(description)
    .argument('<container...>')
    .action(act(ctx, async (names: string[]) => forEachName(ctx, names, async (n) => {
      await ctx.client.request('POST', `/containers/${enc(n)}/${verb}`);
      ctx.out(`${n}\n`);
    })));
}

/** `stop` and `restart` (-t/--time, -s/--signal). */
function stopLike(ctx: CliContext, verb: 'stop' | 'restart', description: string): (cmd: Command) => Command {
  return (cmd) => cmd
    .description(description)
    .option('-s, --signal <signal>', 'Signal to send to the container')
    .option('-t, --time <seconds>', 'Seconds to wait before killing the container', intArg('--time'))
    .argument('<container...>')
    .action(act(ctx, async (names: string[], opts: { signal?: string; time?: number }) => forEachName(ctx, names, async (n) => {
      await ctx.client.request('POST', `/containers/${enc(n)}/${verb}`, { query: { t: opts.time, signal: opts.signal } });
      ctx.out(`${n}\n`);
    })));
}

/** `stop [-t N] [-s SIG] CONTAINER...` */
export const defineStop = (ctx: CliContext) => stopLike(ctx, 'stop', 'Stop one or more running containers');
/** `restart [-t N] [-s SIG] CONTAINER...` */
export const defineRestart = (ctx: CliContext) => stopLike(ctx, 'restart', 'Restart one or more containers');
/** `pause CONTAINER...` */
export const definePause = (ctx: CliContext) => simple(ctx, 'Pause all processes within one or more containers', 'pause');
/** `unpause CONTAINER...` */
export const defineUnpause = (ctx: CliContext) => simple(ctx, 'Unpause all processes within one or more containers', 'unpause');

/** `kill [-s SIGNAL] CONTAINER...` */
export function defineKill(ctx: CliContext): (cmd: Command) => Command {
  return (cmd) => cmd
    .description('Kill one or more running containers')
    .option('-s, --signal <signal>', 'Signal to send to the container')
    .argument('<container...>')
    .action(act(ctx, async (names: string[], opts: { signal?: string }) => forEachName(ctx, names, async (n) => {
      await ctx.client.request('POST', `/containers/${enc(n)}/kill`, { query: { signal: opts.signal } });
      ctx.out(`${n}\n`);
    })));
}

/** `rm [-f] [-v] CONTAINER...` */
export function defineRm(ctx: CliContext): (cmd: Command) => Command {
  return (cmd) => cmd
    .description('Remove one or more containers')
    .option('-f, --force', 'Force the removal of a running container (uses SIGKILL)')
    .option('-v, --volumes', 'Remove anonymous volumes associated with the container')
    .argument('<container...>')
    .action(act(ctx, async (names: string[], opts: { force?: boolean; volumes?: boolean }) => forEachName(ctx, names, async (n) => {
      await ctx.client.request('DELETE', `/containers/${enc(n)}`, { query: { force: opts.force === true ? true : undefined, v: opts.volumes === true ? true : undefined } });
      ctx.out(`${n}\n`);
    })));
}

/** `wait CONTAINER...`: prints each exit code. */
export function defineWait(ctx: CliContext): (cmd: Command) => Command {
  return (cmd) => cmd
    .description('Block until one or more containers stop, then print their exit codes')
    .argument('<container...>')
    .action(act(ctx, async (names: string[]) => forEachName(ctx, names, async (n) => {
      const r = await ctx.client.json<ContainerWaitResponse>('POST', `/containers/${enc(n)}/wait`);
      if (r.Error !== undefined && r.Error !== null && r.Error.Message !== '') throw cliErrors.make('DAEMON_ERROR', r.Error.Message);
      ctx.out(`${r.StatusCode}\n`);
    })));
}

/** `rename CONTAINER NEW_NAME` */
export function defineRename(ctx: CliContext): (cmd: Command) => Command {
  return (cmd) => cmd
    .description('Rename a container')
    .argument('<container>')
    .argument('<new-name>')
    .action(act(ctx, async (oldName: string, newName: string) => {
      if (oldName.trim() === '' || newName.trim() === '') throw cliErrors.make('FAILED', 'Error: Neither old nor new names may be empty');
      await ctx.client.request('POST', `/containers/${enc(oldName)}/rename`, { query: { name: newName } });
    }));
}

interface UpdateOpts {
  blkioWeight?: number; cpuPeriod?: number; cpuQuota?: number; cpuShares?: number; cpus?: string; cpusetCpus?: string; cpusetMems?: string;
  memory?: string; memoryReservation?: string; memorySwap?: string; pidsLimit?: number; restart?: string;
}

/** The body of POST /containers/{id}/update from `update` flags: only what was given. */
export function updateBody(o: UpdateOpts): ContainerUpdateBody {
  const b: ContainerUpdateBody & Record<string, unknown> = {};
  if (o.blkioWeight !== undefined) b.BlkioWeight = o.blkioWeight;
  if (o.cpuPeriod !== undefined) b.CpuPeriod = o.cpuPeriod;
  if (o.cpuQuota !== undefined) b.CpuQuota = o.cpuQuota;
  if (o.cpuShares !== undefined) b.CpuShares = o.cpuShares;
  if (o.cpus !== undefined) b.NanoCpus = parseNanoCpus(o.cpus);
  if (o.cpusetCpus !== undefined) b.CpusetCpus = o.cpusetCpus;
  if (o.cpusetMems !== undefined) b.CpusetMems = o.cpusetMems;
  if (o.memory !== undefined) b.Memory = parseRamBytes(o.memory);
  if (o.memoryReservation !== undefined) b.MemoryReservation = parseRamBytes(o.memoryReservation);
  if (o.memorySwap !== undefined) b.MemorySwap = parseMemorySwap(o.memorySwap);
  if (o.pidsLimit !== undefined) b.PidsLimit = o.pidsLimit;
  if (o.restart !== undefined) b.RestartPolicy = parseRestartPolicy(o.restart);
  if (Object.keys(b).length === 0) throw cliErrors.make('USAGE', 'you must provide one or more flags when using this command');
  return b;
}

/** `update [OPTIONS] CONTAINER...` */
export function defineUpdate(ctx: CliContext): (cmd: Command) => Command {
  return (cmd) => cmd
    .description('Update configuration of one or more containers')
    .option('--blkio-weight <n>', 'Block IO (relative weight), between 10 and 1000, or 0 to disable', intArg('--blkio-weight'))
    .option('--cpu-period <n>', 'Limit CPU CFS period', intArg('--cpu-period'))
    .option('--cpu-quota <n>', 'Limit CPU CFS quota', intArg('--cpu-quota'))
    .option('-c, --cpu-shares <n>', 'CPU shares (relative weight)', intArg('--cpu-shares'))
    .option('--cpus <decimal>', 'Number of CPUs')
    .option('--cpuset-cpus <list>', 'CPUs in which to allow execution')
    .option('--cpuset-mems <list>', 'MEMs in which to allow execution')
    .option('-m, --memory <bytes>', 'Memory limit')
    .option('--memory-reservation <bytes>', 'Memory soft limit')
    .option('--memory-swap <bytes>', "Swap limit equal to memory plus swap: -1 to enable unlimited swap")
    .option('--pids-limit <n>', 'Tune container pids limit (set -1 for unlimited)', intArg('--pids-limit'))
    .option('--restart <policy>', 'Restart policy to apply when a container exits')
    .argument('<container...>')
    .action(act(ctx, async (names: string[], opts: UpdateOpts) => {
      const body = updateBody(opts);
      return forEachName(ctx, names, async (n) => {
        const r = await ctx.client.json<{ Warnings?: string[] | null }>('POST', `/containers/${enc(n)}/update`, { body });
        for (const w of r.Warnings ?? []) ctx.err(`WARNING: ${w}\n`);
        ctx.out(`${n}\n`);
      });
    }));
}
