import { createReadStream, createWriteStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Command } from 'commander';
import { parseImageRef } from '@shoal/common';
import { cliErrors } from './cli-errors.js';
import { act } from './context.js';
import type { CliContext } from './context.js';
import { collect } from './flags.js';
import { splitRepoTag } from './format/index.js';
import { showProgress } from './progress.js';

function openInput(ctx: CliContext, file: string | undefined, what: string): Readable {
  if (file === undefined || file === '-') {
    if (ctx.io.stdin.isTTY === true) throw cliErrors.make('USAGE', `requested ${what} from stdin, but stdin is empty`);
    return ctx.io.stdin;
  }
  return createReadStream(file);
}

/** `import [-c CHANGE] [-m MSG] [--platform] file|- [REPOSITORY[:TAG]]` / `image import` */
export function defineImport(ctx: CliContext): (cmd: Command) => Command {
  return (cmd) => cmd
    .description('Import the contents from a tarball to create a filesystem image')
    .option('-c, --change <instruction>', 'Apply Dockerfile instruction to the created image', collect)
    .option('-m, --message <message>', 'Set commit message for imported image')
    .option('--platform <platform>', 'Set platform if server is multi-platform capable')
    .argument('<file>', 'a tar file, or - for stdin')
    .argument('[repository]')
    .action(act(ctx, async (file: string, repository: string | undefined, opts: { change?: string[]; message?: string; platform?: string }) => {
      let repo: string | undefined;
      let tag: string | undefined;
      if (repository !== undefined) {
        parseImageRef(repository);
        [repo, tag] = splitRepoTag(repository);
      }
      if (/^https?:\/\//.test(file)) throw cliErrors.make('USAGE', 'importing from a URL is not supported by shoal; download the file and import it');
      const body = openInput(ctx, file, 'import');
      const res = await ctx.client.stream('POST', '/images/create', {
        query: { fromSrc: '-', repo, tag: tag === '' ? undefined : tag, message: opts.message, changes: opts.change, platform: opts.platform },
        body,
        contentType: 'application/x-tar',
      });
      await showProgress(ctx, res, false);
    }));
}

/** `load [-i FILE] [-q]` / `image load` */
export function defineLoad(ctx: CliContext): (cmd: Command) => Command {
  return (cmd) => cmd
    .description('Load an image from a tar archive or STDIN')
    .option('-i, --input <file>', 'Read from tar archive file, instead of STDIN')
    .option('-q, --quiet', 'Suppress the load output')
    .action(act(ctx, async (opts: { input?: string; quiet?: boolean }) => {
      const body = openInput(ctx, opts.input, 'load');
      const res = await ctx.client.stream('POST', '/images/load', { query: { quiet: opts.quiet === true ? true : undefined }, body, contentType: 'application/x-tar' });
      await showProgress(ctx, res, opts.quiet === true);
    }));
}

/** `save [-o FILE] IMAGE...` / `image save` */
export function defineSave(ctx: CliContext): (cmd: Command) => Command {
  return (cmd) => cmd
    .description('Save one or more images to a tar archive (streamed to STDOUT by default)')
    .option('-o, --output <file>', 'Write to a file, instead of STDOUT')
    .argument('<image...>')
    .action(act(ctx, async (names: string[], opts: { output?: string }) => {
      if (opts.output === undefined && ctx.io.stdout.isTTY === true) {
        throw cliErrors.make('USAGE', 'cowardly refusing to save to a terminal. Use the -o flag or redirect');
      }
      const res = await ctx.client.stream('GET', '/images/get', { query: { names } });
      if (opts.output !== undefined) await pipeline(res, createWriteStream(opts.output));
      else await pipeline(res, ctx.io.stdout, { end: false });
    }));
}
