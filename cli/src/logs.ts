import type { Command } from 'commander';
import type { ContainerInspect } from '@shoal/common';
import { act } from './context.js';
import type { CliContext } from './context.js';
import { FrameDecoder, STREAM_STDERR } from './demux.js';
import { parseTimestamp } from './parse/index.js';

const enc = encodeURIComponent;

interface LogsOpts { follow?: boolean; timestamps?: boolean; tail?: string; since?: string; until?: string; details?: boolean }

/** `logs [-f] [-t] [-n N] [--since] [--until] [--details] CONTAINER` */
export function defineLogs(ctx: CliContext): (cmd: Command) => Command {
  return (cmd) => cmd
    .description('Fetch the logs of a container')
    .option('--details', 'Show extra details provided to logs')
    .option('-f, --follow', 'Follow log output')
    .option('--since <time>', 'Show logs since timestamp (e.g. "2013-01-02T13:23:37Z") or relative (e.g. "42m" for 42 minutes)')
    .option('-n, --tail <n>', 'Number of lines to show from the end of the logs', 'all')
    .option('-t, --timestamps', 'Show timestamps')
    .option('--until <time>', 'Show logs before a timestamp or relative')
    .argument('<container>')
    .action(act(ctx, async (name: string, opts: LogsOpts) => {
      const c = await ctx.client.json<ContainerInspect>('GET', `/containers/${enc(name)}/json`);
      const now = ctx.io.now();
      const res = await ctx.client.stream('GET', `/containers/${enc(name)}/logs`, {
        query: {
          stdout: true,
          stderr: true,
          follow: opts.follow === true ? true : undefined,
          timestamps: opts.timestamps === true ? true : undefined,
          details: opts.details === true ? true : undefined,
          tail: opts.tail,
          since: opts.since === undefined ? undefined : parseTimestamp(opts.since, now, ctx.io.localOffsetMin),
          until: opts.until === undefined ? undefined : parseTimestamp(opts.until, now, ctx.io.localOffsetMin),
        },
      });
      const tty = c.Config?.Tty === true;
      const decoder = new FrameDecoder((stream, payload) => {
        (stream === STREAM_STDERR ? ctx.io.stderr : ctx.io.stdout).write(payload);
      });
      for await (const chunk of res) {
        if (tty) ctx.io.stdout.write(chunk as Buffer);
        else decoder.push(chunk as Buffer);
      }
    }));
}
