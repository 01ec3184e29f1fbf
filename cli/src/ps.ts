import type { Command } from 'commander';
import type { ContainerSummary } from '@shoal/common';
import { act } from './context.js';
import type { CliContext } from './context.js';
import { collect, intArg } from './flags.js';
import { CONTAINER_HEADERS, PS_TABLE, containerContext, formatMode, humanSize, renderList } from './format/index.js';
import { parseFilterFlags } from './parse/index.js';
import { confirm } from './prompt.js';

interface PsOpts { all?: boolean; quiet?: boolean; last?: number; latest?: boolean; size?: boolean; trunc?: boolean; filter?: string[]; format?: string }

/** `ps` / `container ls` */
export function definePs(ctx: CliContext): (cmd: Command) => Command {
  return (cmd) => cmd
    .description('List containers')
    .option('-a, --all', 'Show all containers (default shows just running)')
    .option('-f, --filter <filter>', 'Filter output based on conditions provided', collect)
    .option('--format <format>', "Format output using a custom template: 'table', 'table TEMPLATE', 'json', 'TEMPLATE'")
    .option('-n, --last <n>', 'Show n last created containers (includes all states)', intArg('--last'))
    .option('-l, --latest', 'Show the latest created container (includes all states)')
    .option('--no-trunc', "Don't truncate output")
    .option('-q, --quiet', 'Only display container IDs')
    .option('-s, --size', 'Display total file sizes')
    .action(act(ctx, async (opts: PsOpts) => {
      const limit = opts.latest === true ? 1 : opts.last !== undefined && opts.last > 0 ? opts.last : undefined;
      const filters = parseFilterFlags(opts.filter ?? []);
      const list = await ctx.client.json<ContainerSummary[]>('GET', '/containers/json', {
        query: {
          all: opts.all === true || limit !== undefined ? true : undefined,
          limit,
          size: opts.size === true || (opts.format ?? '').includes('.Size') ? true : undefined,
          filters: Object.keys(filters).length > 0 ? JSON.stringify(filters) : undefined,
        },
      });
      let format = opts.format;
      if (opts.quiet === true && (format === undefined || format === '')) format = '{{.ID}}';
      const table = opts.size === true ? `${PS_TABLE}\t{{.Size}}` : PS_TABLE;
      const items = list.map((c) => containerContext(c, { trunc: opts.trunc !== false, nowMs: ctx.io.now(), offsetMin: ctx.io.localOffsetMin }));
      ctx.out(renderList(formatMode(format, table), items, CONTAINER_HEADERS));
    }));
}

/** `container prune` */
export function defineContainerPrune(ctx: CliContext): (cmd: Command) => Command {
  return (cmd) => cmd
    .description('Remove all stopped containers')
    .option('-f, --force', 'Do not prompt for confirmation')
    .option('--filter <filter>', "Provide filter values (e.g. 'until=<timestamp>')", collect)
    .action(act(ctx, async (opts: { force?: boolean; filter?: string[] }) => {
      if (opts.force !== true && !(await confirm(ctx, 'WARNING! This will remove all stopped containers.\nAre you sure you want to continue?'))) return 0;
      const filters = parseFilterFlags(opts.filter ?? []);
      const r = await ctx.client.json<{ ContainersDeleted: string[] | null; SpaceReclaimed: number }>('POST', '/containers/prune', {
        query: { filters: Object.keys(filters).length > 0 ? JSON.stringify(filters) : undefined },
      });
      const deleted = r.ContainersDeleted ?? [];
      if (deleted.length > 0) ctx.out(`Deleted Containers:\n${deleted.map((d) => `${d}\n`).join('')}\n`);
      ctx.out(`Total reclaimed space: ${humanSize(r.SpaceReclaimed)}\n`);
    }));
}
