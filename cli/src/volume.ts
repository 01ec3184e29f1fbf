import type { Command } from 'commander';
import type { Volume, VolumeListResponse, VolumePruneResponse } from '@shoal/common';
import { act } from './context.js';
import type { CliContext } from './context.js';
import { collect } from './flags.js';
import { VOLUME_HEADERS, VOLUME_TABLE, formatMode, humanSize, renderList, volumeContext } from './format/index.js';
import { parseFilterFlags, parseKeyValues } from './parse/index.js';
import { confirm } from './prompt.js';
import { forEachName } from './lifecycle.js';

const enc = encodeURIComponent;

/** `volume create [-d DRIVER] [--label K=V]... [-o K=V]... [NAME]`: prints the name. */
export function defineVolumeCreate(ctx: CliContext): (cmd: Command) => Command {
  return (cmd) => cmd
    .description('Create a volume')
    .option('-d, --driver <driver>', 'Specify volume driver name', 'local')
    .option('--label <label>', 'Set metadata for a volume', collect)
    .option('-o, --opt <opt>', 'Set driver specific options', collect)
    .argument('[volume]')
    .action(act(ctx, async (name: string | undefined, opts: { driver: string; label?: string[]; opt?: string[] }) => {
      const v = await ctx.client.json<Volume>('POST', '/volumes/create', {
        body: { Name: name ?? '', Driver: opts.driver, DriverOpts: parseKeyValues(opts.opt ?? [], 'opt', true), Labels: parseKeyValues(opts.label ?? [], 'label') },
      });
      ctx.out(`${v.Name}\n`);
    }));
}

/** `volume ls [-f FILTER]... [--format F] [-q]` */
export function defineVolumeLs(ctx: CliContext): (cmd: Command) => Command {
  return (cmd) => cmd
    .description('List volumes')
    .option('-f, --filter <filter>', "Provide filter values (e.g. 'dangling=true')", collect)
    .option('--format <format>', "Format output using a custom template: 'table', 'table TEMPLATE', 'json', 'TEMPLATE'")
    .option('-q, --quiet', 'Only display volume names')
    .action(act(ctx, async (opts: { filter?: string[]; format?: string; quiet?: boolean }) => {
      const filters = parseFilterFlags(opts.filter ?? []);
      const r = await ctx.client.json<VolumeListResponse>('GET', '/volumes', {
        query: { filters: Object.keys(filters).length > 0 ? JSON.stringify(filters) : undefined },
      });
      let format = opts.format;
      if (opts.quiet === true && (format === undefined || format === '')) format = '{{.Name}}';
      const rows = [...(r.Volumes ?? [])].sort((a, b) => (a.Name < b.Name ? -1 : a.Name > b.Name ? 1 : 0)).map(volumeContext);
      ctx.out(renderList(formatMode(format, VOLUME_TABLE), rows, VOLUME_HEADERS));
      for (const w of r.Warnings ?? []) ctx.err(`${w}\n`);
    }));
}

/** `volume rm [-f] VOLUME...`: prints each removed name; any failure makes the status 1. */
export function defineVolumeRm(ctx: CliContext): (cmd: Command) => Command {
  return (cmd) => cmd
    .description('Remove one or more volumes')
    .option('-f, --force', 'Force the removal of one or more volumes')
    .argument('<volume...>')
    .action(act(ctx, async (names: string[], opts: { force?: boolean }) => forEachName(ctx, names, async (n) => {
      await ctx.client.request('DELETE', `/volumes/${enc(n)}`, { query: { force: opts.force === true ? true : undefined } });
      ctx.out(`${n}\n`);
    })));
}

/** `volume prune [-a] [-f] [--filter F]...` */
export function defineVolumePrune(ctx: CliContext): (cmd: Command) => Command {
  return (cmd) => cmd
    .description('Remove unused local volumes')
    .option('-a, --all', 'Remove all unused volumes, not just anonymous ones')
    .option('-f, --force', 'Do not prompt for confirmation')
    .option('--filter <filter>', "Provide filter values (e.g. 'label=<label>')", collect)
    .action(act(ctx, async (opts: { all?: boolean; force?: boolean; filter?: string[] }) => {
      const warning = opts.all === true
        ? 'WARNING! This will remove all local volumes not used by at least one container.'
        : 'WARNING! This will remove anonymous local volumes not used by at least one container.';
      if (opts.force !== true && !(await confirm(ctx, `${warning}\nAre you sure you want to continue?`))) return 0;
      const filters = parseFilterFlags([...(opts.filter ?? []), ...(opts.all === true ? ['all=true'] : [])]);
      const r = await ctx.client.json<VolumePruneResponse>('POST', '/volumes/prune', { query: { filters: JSON.stringify(filters) } });
      const deleted = r.VolumesDeleted ?? [];
      if (deleted.length > 0) ctx.out(`Deleted Volumes:\n${deleted.map((n) => `${n}\n`).join('')}\n`);
      ctx.out(`Total reclaimed space: ${humanSize(r.SpaceReclaimed)}\n`);
    }));
}
