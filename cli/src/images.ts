import type { Command } from 'commander';
import type { ImageDeleteItem, ImageHistoryItem, ImagePruneResponse, ImageSummary } from '@shoal/common';
import { parseImageRef } from '@shoal/common';
import { cliErrors } from './cli-errors.js';
import { act } from './context.js';
import type { CliContext } from './context.js';
import { collect } from './flags.js';
import {
  HISTORY_HEADERS, HISTORY_TABLE, IMAGES_DIGEST_TABLE, IMAGES_TABLE, IMAGE_HEADERS, formatMode, historyContext, humanSize,
  imageContexts, renderList, splitRepoTag,
} from './format/index.js';
import { parseFilterFlags } from './parse/index.js';
import { forEachName } from './lifecycle.js';
import { confirm } from './prompt.js';

const enc = encodeURIComponent;

interface ImagesOpts { all?: boolean; quiet?: boolean; digests?: boolean; trunc?: boolean; filter?: string[]; format?: string }

/** `images [REPOSITORY[:TAG]]` / `image ls` */
export function defineImages(ctx: CliContext): (cmd: Command) => Command {
  return (cmd) => cmd
    .description('List images')
    .option('-a, --all', 'Show all images (default hides intermediate images)')
    .option('--digests', 'Show digests')
    .option('-f, --filter <filter>', 'Filter output based on conditions provided', collect)
    .option('--format <format>', "Format output using a custom template: 'table', 'table TEMPLATE', 'json', 'TEMPLATE'")
    .option('--no-trunc', "Don't truncate output")
    .option('-q, --quiet', 'Only show image IDs')
    .argument('[repository]')
    .action(act(ctx, async (repo: string | undefined, opts: ImagesOpts) => {
      const filters = parseFilterFlags([...(opts.filter ?? []), ...(repo !== undefined ? [`reference=${repo}`] : [])]);
      const list = await ctx.client.json<ImageSummary[]>('GET', '/images/json', {
        query: {
          all: opts.all === true ? true : undefined,
          digests: opts.digests === true ? true : undefined,
          filters: Object.keys(filters).length > 0 ? JSON.stringify(filters) : undefined,
        },
      });
      const o = { trunc: opts.trunc !== false, nowMs: ctx.io.now(), offsetMin: ctx.io.localOffsetMin };
      const rows = list.flatMap((img) => imageContexts(img, o));
      let format = opts.format;
      if (opts.quiet === true && (format === undefined || format === '')) format = '{{.ID}}';
      ctx.out(renderList(formatMode(format, opts.digests === true ? IMAGES_DIGEST_TABLE : IMAGES_TABLE), rows, IMAGE_HEADERS));
    }));
}

/** `tag SOURCE TARGET` */
export function defineTag(ctx: CliContext): (cmd: Command) => Command {
  return (cmd) => cmd
    .description('Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE')
    .argument('<source>')
    .argument('<target>')
    .action(act(ctx, async (source: string, target: string) => {
      const ref = parseImageRef(target);
      if (ref.digest !== undefined) throw cliErrors.make('INVALID_FLAG', 'refusing to create a tag with a digest reference');
      const [repo, tag] = splitRepoTag(target);
      await ctx.client.request('POST', `/images/${enc(source)}/tag`, { query: { repo, tag: tag === '' ? 'latest' : tag } });
    }));
}

/** Print `Untagged: x` / `Deleted: sha256:...` lines. */
function printDeleted(ctx: CliContext, items: readonly ImageDeleteItem[]): void {
  for (const d of items) {
    if (d.Untagged !== undefined) ctx.out(`Untagged: ${d.Untagged}\n`);
    if (d.Deleted !== undefined) ctx.out(`Deleted: ${d.Deleted}\n`);
  }
}

/** `rmi [-f] [--no-prune] IMAGE...` / `image rm` */
export function defineRmi(ctx: CliContext): (cmd: Command) => Command {
  return (cmd) => cmd
    .description('Remove one or more images')
    .option('-f, --force', 'Force removal of the image')
    .option('--no-prune', 'Do not delete untagged parents')
    .argument('<image...>')
    .action(act(ctx, async (names: string[], opts: { force?: boolean; prune?: boolean }) => forEachName(ctx, names, async (n) => {
      const items = await ctx.client.json<ImageDeleteItem[]>('DELETE', `/images/${enc(n)}`, {
        query: { force: opts.force === true ? true : undefined, noprune: opts.prune === false ? true : undefined },
      });
      printDeleted(ctx, items);
    })));
}

/** `image prune [-a] [-f] [--filter]` */
export function defineImagePrune(ctx: CliContext): (cmd: Command) => Command {
  return (cmd) => cmd
    .description('Remove unused images')
    .option('-a, --all', 'Remove all unused images, not just dangling ones')
    .option('-f, --force', 'Do not prompt for confirmation')
    .option('--filter <filter>', "Provide filter values (e.g. 'until=<timestamp>')", collect)
    .action(act(ctx, async (opts: { all?: boolean; force?: boolean; filter?: string[] }) => {
      const warning = opts.all === true
        ? 'WARNING! This will remove all images without at least one container associated to them.'
        : 'WARNING! This will remove all dangling images.';
      if (opts.force !== true && !(await confirm(ctx, `${warning}\nAre you sure you want to continue?`))) return 0;
      const filters = parseFilterFlags([...(opts.filter ?? []), `dangling=${opts.all === true ? 'false' : 'true'}`]);
      const r = await ctx.client.json<ImagePruneResponse>('POST', '/images/prune', { query: { filters: JSON.stringify(filters) } });
      const deleted = r.ImagesDeleted ?? [];
      if (deleted.length > 0) {
        ctx.out('Deleted Images:\n');
        printDeleted(ctx, deleted);
        ctx.out('\n');
      }
      ctx.out(`Total reclaimed space: ${humanSize(r.SpaceReclaimed)}\n`);
    }));
}

/** `history [-H] [--no-trunc] [-q] [--format] IMAGE` */
export function defineHistory(ctx: CliContext): (cmd: Command) => Command {
  return (cmd) => cmd
    .description('Show the history of an image')
    .option('--format <format>', "Format output using a custom template: 'table', 'table TEMPLATE', 'json', 'TEMPLATE'")
    .option('-H, --human', 'Print sizes and dates in human readable format (default true)')
    .option('--no-human', 'Print raw sizes and dates')
    .option('--no-trunc', "Don't truncate output")
    .option('-q, --quiet', 'Only show image IDs')
    .argument('<image>')
    .action(act(ctx, async (name: string, opts: { human?: boolean; trunc?: boolean; quiet?: boolean; format?: string }) => {
      const items = await ctx.client.json<ImageHistoryItem[]>('GET', `/images/${enc(name)}/history`);
      const o = { trunc: opts.trunc !== false, nowMs: ctx.io.now(), offsetMin: ctx.io.localOffsetMin, human: opts.human !== false };
      let format = opts.format;
      if (opts.quiet === true && (format === undefined || format === '')) format = '{{.ID}}';
      ctx.out(renderList(formatMode(format, HISTORY_TABLE), items.map((h) => historyContext(h, o)), HISTORY_HEADERS));
    }));
}
