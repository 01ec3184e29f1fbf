import type { Command } from 'commander';
import type { ContainerTop } from '@shoal/common';
import { act } from './context.js';
import type { CliContext } from './context.js';
import { tabwrite } from './format/index.js';

/** `top CONTAINER [ps OPTIONS]` */
export function defineTop(ctx: CliContext): (cmd: Command) => Command {
  return (cmd) => cmd
    .description('Display the running processes of a container')
    .argument('<container>')
    .argument('[ps-options...]')
    .passThroughOptions()
    .action(act(ctx, async (name: string, psArgs: string[]) => {
      const r = await ctx.client.json<ContainerTop>('GET', `/containers/${encodeURIComponent(name)}/top`, {
        query: { ps_args: psArgs.length > 0 ? psArgs.join(' ') : undefined },
      });
      const lines = [r.Titles.join('\t'), ...r.Processes.map((p) => p.join('\t'))];
      ctx.out(`${tabwrite(lines.join('\n'), 20, 3)}\n`);
    }));
}
