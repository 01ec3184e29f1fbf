import type { Command } from 'commander';
import { formatImageRef, normalizeImageRef, parseImageRef, repositoryName } from '@shoal/common';
import { act } from './context.js';
import type { CliContext } from './context.js';
import { showProgress } from './progress.js';

/**
 * The query of POST /images/create for `pull NAME`: the repository as
 * written, and the tag (`latest` when none; the digest when pinned).
 */
export function pullQuery(name: string, all: boolean, platform?: string): Record<string, string | undefined> {
  const ref = parseImageRef(name);
  const at = name.indexOf('@');
  const base = at === -1 ? name : name.slice(0, at);
  const colon = base.lastIndexOf(':');
  const repo = colon > base.lastIndexOf('/') ? base.slice(0, colon) : base;
  const tag = ref.digest ?? ref.tag ?? (all ? undefined : 'latest');
  return { fromImage: repo, tag, platform };
}

/**
 * Pull `name` with the progress display on `to` (run pulls to stderr, as
 * docker); the daemon's error ends it with CLI_DAEMON_ERROR.
 */
export async function pullImage(ctx: CliContext, name: string, opts: { all?: boolean; platform?: string; quiet?: boolean; to?: 'stdout' | 'stderr' }): Promise<void> {
  const query = pullQuery(name, opts.all === true, opts.platform);
  const res = await ctx.client.stream('POST', '/images/create', { query, headers: { 'X-Registry-Auth': 'e30=' } });
  await showProgress(ctx, res, opts.quiet === true, opts.to ?? 'stdout');
}

/** `pull [-a] [-q] [--platform] NAME[:TAG|@DIGEST]` / `image pull` */
export function definePull(ctx: CliContext): (cmd: Command) => Command {
  return (cmd) => cmd
    .description('Download an image from a registry')
    .option('-a, --all-tags', 'Download all tagged images in the repository')
    .option('--platform <platform>', 'Set platform if server is multi-platform capable')
    .option('-q, --quiet', 'Suppress verbose output')
    .argument('<name>')
    .action(act(ctx, async (name: string, opts: { allTags?: boolean; platform?: string; quiet?: boolean }) => {
      const all = opts.allTags === true;
      if (!all && parseImageRef(name).tag === undefined && parseImageRef(name).digest === undefined && opts.quiet !== true) {
        ctx.out('Using default tag: latest\n');
      }
      await pullImage(ctx, name, { all, ...(opts.platform !== undefined ? { platform: opts.platform } : {}), quiet: opts.quiet === true });
      if (opts.quiet !== true || !all) ctx.out(`${all ? repositoryName(parseImageRef(name)) : formatImageRef(normalizeImageRef(name))}\n`);
    }));
}
