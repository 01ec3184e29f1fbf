import type { Command } from 'commander';
import type { NetworkResource } from '@shoal/common';
import { act } from './context.js';
import type { CliContext } from './context.js';
import { collect } from './flags.js';
import { NETWORK_HEADERS, NETWORK_TABLE, formatMode, networkContext, renderList } from './format/index.js';
import { parseFilterFlags } from './parse/index.js';

/** `network ls` */
export function defineNetworkLs(ctx: CliContext): (cmd: Command) => Command {
  return (cmd) => cmd
    .description('List networks')
    .option('-f, --filter <filter>', "Provide filter values (e.g. 'driver=bridge')", collect)
    .option('--format <format>', "Format output using a custom template: 'table', 'table TEMPLATE', 'json', 'TEMPLATE'")
    .option('--no-trunc', 'Do not truncate the output')
    .option('-q, --quiet', 'Only display network IDs')
    .action(act(ctx, async (opts: { filter?: string[]; format?: string; trunc?: boolean; quiet?: boolean }) => {
      const filters = parseFilterFlags(opts.filter ?? []);
      const list = await ctx.client.json<NetworkResource[]>('GET', '/networks', {
        query: { filters: Object.keys(filters).length > 0 ? JSON.stringify(filters) : undefined },
      });
      let format = opts.format;
      if (opts.quiet === true && (format === undefined || format === '')) format = '{{.ID}}';
      const rows = [...list].sort((a, b) => (a.Name < b.Name ? -1 : a.Name > b.Name ? 1 : 0)).map((n) => networkContext(n, { trunc: opts.trunc !== false }));
      ctx.out(renderList(formatMode(format, NETWORK_TABLE), rows, NETWORK_HEADERS));
    }));
}
