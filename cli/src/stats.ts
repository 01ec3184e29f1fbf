import type { Command } from 'commander';
import type { ContainerStats, ContainerSummary } from '@shoal/common';
import { isShoalError } from '@shoal/common';
import { act } from './context.js';
import type { CliContext } from './context.js';
import { binarySize, formatMode, humanSize, renderList, shortId } from './format/index.js';
import { jsonLines } from './json-lines.js';

/** Headers of `docker stats`. */
export const STATS_HEADERS: Readonly<Record<string, string>> = {
  ID: 'CONTAINER ID', Container: 'CONTAINER', Name: 'NAME', CPUPerc: 'CPU %', MemUsage: 'MEM USAGE / LIMIT', MemPerc: 'MEM %',
  NetIO: 'NET I/O', BlockIO: 'BLOCK I/O', PIDs: 'PIDS',
};
/** `docker stats` default table. */
export const STATS_TABLE = '{{.ID}}\t{{.Name}}\t{{.CPUPerc}}\t{{.MemUsage}}\t{{.MemPerc}}\t{{.NetIO}}\t{{.BlockIO}}\t{{.PIDs}}';

/** One `docker stats` row from a sample, computed as the docker CLI does (cgroup v1 and v2). */
export function statsContext(s: ContainerStats, container: string, trunc: boolean): Record<string, string> {
  const cpuDelta = (s.cpu_stats?.cpu_usage?.total_usage ?? 0) - (s.precpu_stats?.cpu_usage?.total_usage ?? 0);
  const sysDelta = (s.cpu_stats?.system_cpu_usage ?? 0) - (s.precpu_stats?.system_cpu_usage ?? 0);
  const online = s.cpu_stats?.online_cpus ?? s.cpu_stats?.cpu_usage?.percpu_usage?.length ?? 1;
  const cpu = sysDelta > 0 && cpuDelta > 0 ? (cpuDelta / sysDelta) * online * 100 : 0;
  const ms = s.memory_stats ?? {};
  const st = ms.stats ?? {};
  let mem = ms.usage ?? 0;
  const inactive = st.total_inactive_file ?? st.inactive_file;
  if (inactive !== undefined && inactive < mem) mem -= inactive;
  const limit = ms.limit ?? 0;
  let rx = 0;
  let tx = 0;
  for (const n of Object.values(s.networks ?? {})) { rx += n.rx_bytes; tx += n.tx_bytes; }
  let rd = 0;
  let wr = 0;
  const blk = (s.blkio_stats as { io_service_bytes_recursive?: Array<{ op: string; value: number }> | null } | undefined)?.io_service_bytes_recursive ?? [];
  for (const e of blk) {
    const op = e.op.toLowerCase();
    if (op === 'read') rd += e.value;
    else if (op === 'write') wr += e.value;
  }
  const id = s.id ?? container;
  return {
    BlockIO: `${humanSize(rd)} / ${humanSize(wr)}`,
    CPUPerc: `${cpu.toFixed(2)}%`,
    Container: container,
    ID: trunc ? shortId(id) : id,
    MemPerc: `${(limit > 0 ? (mem / limit) * 100 : 0).toFixed(2)}%`,
    MemUsage: `${binarySize(mem)} / ${binarySize(limit)}`,
    Name: (s.name ?? '').replace(/^\//, '') || '--',
    NetIO: `${humanSize(rx)} / ${humanSize(tx)}`,
    PIDs: String(s.pids_stats?.current ?? 0),
  };
}

interface StatsOpts { all?: boolean; stream?: boolean; trunc?: boolean; format?: string }

/** `stats [--no-stream] [-a] [--format] [CONTAINER...]` */
export function defineStats(ctx: CliContext): (cmd: Command) => Command {
  return (cmd) => cmd
    .description('Display a live stream of container(s) resource usage statistics')
    .option('-a, --all', 'Show all containers (default shows just running)')
    .option('--format <format>', "Format output using a custom template: 'table', 'table TEMPLATE', 'json', 'TEMPLATE'")
    .option('--no-stream', 'Disable streaming stats and only pull the first result')
    .option('--no-trunc', 'Do not truncate output')
    .argument('[container...]')
    .action(act(ctx, async (names: string[], opts: StatsOpts) => {
      let targets = names;
      if (targets.length === 0) {
        const list = await ctx.client.json<ContainerSummary[]>('GET', '/containers/json', { query: { all: opts.all === true ? true : undefined } });
        targets = list.map((c) => c.Id);
      }
      const trunc = opts.trunc !== false;
      const mode = formatMode(opts.format, STATS_TABLE);
      const rows = new Map<string, Record<string, string>>(targets.map((t) => [t, {
        BlockIO: '--', CPUPerc: '--', Container: t, ID: trunc ? shortId(t) : t, MemPerc: '--', MemUsage: '-- / --', Name: '--', NetIO: '--', PIDs: '--',
      }]));
      const render = () => renderList(mode, [...rows.values()], STATS_HEADERS);
      const enc = encodeURIComponent;
      if (opts.stream === false) {
        let failed = 0;
        for (const t of targets) {
          try {
            const s = await ctx.client.json<ContainerStats>('GET', `/containers/${enc(t)}/stats`, { query: { stream: false } });
            rows.set(t, statsContext(s, t, trunc));
          } catch (e) {
            if (!isShoalError(e) || e.code !== 'CLI_DAEMON_ERROR') throw e;
            ctx.err(`Error response from daemon: ${e.message}\n`);
            rows.delete(t);
            failed++;
          }
        }
        ctx.out(render());
        return failed > 0 ? 1 : 0;
      }
      const isTty = ctx.io.stdout.isTTY === true;
      let last = -Infinity;
      const show = () => {
        const now = ctx.io.now();
        if (now - last < 500) return;
        last = now;
        ctx.out(`${isTty ? '\u001b[2J\u001b[H' : ''}${render()}`);
      };
      await Promise.all(targets.map(async (t) => {
        const res = await ctx.client.stream('GET', `/containers/${enc(t)}/stats`, { query: { stream: true } });
        for await (const line of jsonLines(res)) {
          rows.set(t, statsContext(JSON.parse(line) as ContainerStats, t, trunc));
          show();
        }
      }));
      last = -Infinity;
      show();
      return 0;
    }));
}
