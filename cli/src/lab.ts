/**
 * `shoal lab up|down`: a swarm of shoald hosts on this machine, each in a
 * network namespace of its own on a lab bridge (`@shoal/deploy`'s lab),
 * for trying the swarm without VMs. `up` prints how to point `docker` or
 * `shoal` at each host; `down` leaves nothing behind.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Command } from 'commander';
import { act, type CliContext } from './context.js';
import { cliErrors } from './cli-errors.js';

const LAB_ROOT = '/var/lib/shoal-lab';

/** The shoald to run: --shoald, $SHOALD, the one beside this `shoal`, or `shoald` on the PATH. */
function shoaldCommand(given: string | undefined): string[] {
  if (given !== undefined) return [given];
  if (process.env.SHOALD !== undefined && process.env.SHOALD !== '') return [process.env.SHOALD];
  const beside = join(dirname(process.argv[1] ?? ''), 'shoald');
  return [existsSync(beside) ? beside : 'shoald'];
}

function count(v: string, what: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 50) throw cliErrors.make('USAGE', `--${what} must be a whole number from 0 to 50, not "${v}"`);
  return n;
}

/** `lab up [--managers N] [--workers N] [--name NAME] [--net A.B.C]` */
export function defineLabUp(ctx: CliContext): (cmd: Command) => Command {
  return (cmd) => cmd
    .description('Start a swarm of shoald hosts on this machine, each in its own network namespace')
    .option('--managers <n>', 'Number of manager hosts', '3')
    .option('--workers <n>', 'Number of worker hosts', '2')
    .option('--name <name>', 'Lab name (1 to 6 lower-case letters and digits)', 'lab')
    .option('--net <prefix>', 'The lab network, its first three octets (hosts are .1, .2...; this machine .254)', '10.231.0')
    .option('--shoald <path>', 'The shoald to run (default: the one beside this shoal)')
    .action(act(ctx, async (opts: { managers: string; workers: string; name: string; net: string; shoald?: string }) => {
      const { labUp } = await import('@shoal/deploy');
      if (!/^\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(opts.net)) throw cliErrors.make('USAGE', `--net takes three octets such as 10.231.0, not "${opts.net}"`);
      const lab = await labUp({
        name: opts.name, managers: count(opts.managers, 'managers'), workers: count(opts.workers, 'workers'), root: join(LAB_ROOT, opts.name),
        net: opts.net, shoald: shoaldCommand(opts.shoald), log: (line) => ctx.out(`${line}\n`),
      });
      ctx.out(`\nLab "${lab.name}" is up: ${lab.hosts.length} hosts on ${lab.net}.0/24 (bridge ${lab.bridge}).\n`);
      for (const h of lab.hosts) ctx.out(`  ${h.name}  ${h.role.padEnd(7)}  ${h.addr.padEnd(15)}  docker -H unix://${h.socket} node ls\n`);
      ctx.out(`\nPoint a client at a host:\n  export DOCKER_HOST=unix://${lab.hosts[0]?.socket ?? ''}     # docker, or shoal\nTake it down: shoal lab down${opts.name === 'lab' ? '' : ` --name ${opts.name}`}\n`);
    }));
}

/** `lab down [--name NAME]` */
export function defineLabDown(ctx: CliContext): (cmd: Command) => Command {
  return (cmd) => cmd
    .description('Stop a lab and remove everything it made')
    .option('--name <name>', 'Lab name', 'lab')
    .action(act(ctx, async (opts: { name: string }) => {
      const { labDown, readLab } = await import('@shoal/deploy');
      const root = join(LAB_ROOT, opts.name);
      if (await readLab(root) === undefined) {
        ctx.out(`no lab "${opts.name}"\n`);
        return;
      }
      await labDown(root);
      ctx.out(`lab "${opts.name}" is down\n`);
    }));
}
