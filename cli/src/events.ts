import type { Command } from 'commander';
import type { EngineEvent } from '@shoal/common';
import { act } from './context.js';
import type { CliContext } from './context.js';
import { collect } from './flags.js';
import { Template } from './format/index.js';
import { jsonLines } from './json-lines.js';
import { parseFilterFlags, parseTimestamp } from './parse/index.js';

/** Go's RFC3339NanoFixed of a time in nanoseconds (as a decimal string) in the given zone. */
export function rfc3339NanoFixed(timeNano: string, offsetMin = 0): string {
  const ns = timeNano.padStart(10, '0');
  const secs = Number(ns.slice(0, -9));
  const frac = ns.slice(-9);
  const d = new Date((secs + offsetMin * 60) * 1000);
  const p = (n: number) => String(n).padStart(2, '0');
  const abs = Math.abs(offsetMin);
  const zone = offsetMin === 0 ? 'Z' : `${offsetMin < 0 ? '-' : '+'}${p(Math.floor(abs / 60))}:${p(abs % 60)}`;
  return `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())}T${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}.${frac}${zone}`;
}

/**
 * One event in the docker CLI's default form:
 * `2024-01-02T03:04:05.000000000Z container start ID (image=busybox, name=web)`.
 * `rawLine` keeps the exact timeNano (JSON numbers lose nanoseconds).
 */
export function formatEvent(e: EngineEvent, rawLine: string, offsetMin = 0): string {
  const m = /"timeNano"\s*:\s*(\d+)/.exec(rawLine);
  let out = '';
  if (m?.[1] !== undefined && m[1] !== '0') out += `${rfc3339NanoFixed(m[1], offsetMin)} `;
  else if (e.time) out += `${rfc3339NanoFixed(`${e.time}000000000`, offsetMin)} `;
  out += `${e.Type} ${e.Action} ${e.Actor?.ID ?? ''}`;
  const attrs = e.Actor?.Attributes ?? {};
  const keys = Object.keys(attrs).sort();
  if (keys.length > 0) out += ` (${keys.map((k) => `${k}=${attrs[k]}`).join(', ')})`;
  return `${out}\n`;
}

interface EventsOpts { since?: string; until?: string; filter?: string[]; format?: string }

/** `events` / `system events` */
export function defineEvents(ctx: CliContext): (cmd: Command) => Command {
  return (cmd) => cmd
    .description('Get real time events from the server')
    .option('-f, --filter <filter>', 'Filter output based on conditions provided', collect)
    .option('--format <format>', "Format output using a custom template: 'json' or a Go template")
    .option('--since <time>', 'Show all events created since timestamp')
    .option('--until <time>', 'Stream events until this timestamp')
    .action(act(ctx, async (opts: EventsOpts) => {
      const now = ctx.io.now();
      const filters = parseFilterFlags(opts.filter ?? []);
      const tpl = opts.format === undefined || opts.format === '' ? undefined
        : new Template(opts.format === 'json' ? '{{json .}}' : opts.format);
      const res = await ctx.client.stream('GET', '/events', {
        query: {
          since: opts.since === undefined ? undefined : parseTimestamp(opts.since, now, ctx.io.localOffsetMin),
          until: opts.until === undefined ? undefined : parseTimestamp(opts.until, now, ctx.io.localOffsetMin),
          filters: Object.keys(filters).length > 0 ? JSON.stringify(filters) : undefined,
        },
      });
      for await (const line of jsonLines(res)) {
        const e = JSON.parse(line) as EngineEvent;
        ctx.out(tpl === undefined ? formatEvent(e, line, ctx.io.localOffsetMin) : `${tpl.execute(e)}\n`);
      }
    }));
}
