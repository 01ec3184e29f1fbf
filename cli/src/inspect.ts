import type { Command } from 'commander';
import { isShoalError } from '@shoal/common';
import { cliErrors } from './cli-errors.js';
import { act } from './context.js';
import type { CliContext } from './context.js';
import { Template } from './format/index.js';

const enc = encodeURIComponent;

type Kind = 'container' | 'image' | 'network' | 'volume';

const PATHS: Record<Kind, (n: string, size: boolean) => [string, Record<string, boolean | undefined>]> = {
  container: (n, size) => [`/containers/${enc(n)}/json`, { size: size ? true : undefined }],
  image: (n) => [`/images/${enc(n)}/json`, {}],
  network: (n) => [`/networks/${enc(n)}`, {}],
  volume: (n) => [`/volumes/${enc(n)}`, {}],
};

const NOT_FOUND: Record<Kind | 'object', string> = {
  container: 'No such container', image: 'No such image', network: 'No such network', volume: 'No such volume', object: 'No such object',
};

/** The object, or the daemon's 404 message when no kind has it. */
async function fetchOne(ctx: CliContext, kinds: readonly Kind[], name: string, size: boolean): Promise<{ found: unknown } | { missing: string }> {
  let missing = '';
  for (const k of kinds) {
    const [path, query] = PATHS[k](name, size);
    try {
      return { found: await ctx.client.json<unknown>('GET', path, { query }) };
    } catch (e) {
      if (isShoalError(e) && e.code === 'CLI_DAEMON_ERROR' && e.details.status === 404) { missing = e.message; continue; }
      throw e;
    }
  }
  return { missing };
}

/**
 * Print objects as `docker inspect` does: a JSON array indented by four
 * spaces, or each through `-f` (a Go template, `json` for JSON lines).
 * Names not found print `Error: No such ...` and make the exit status 1.
 */
export async function inspectObjects(ctx: CliContext, kinds: readonly Kind[], names: readonly string[], opts: { format?: string; size?: boolean }): Promise<number> {
  const tpl = opts.format !== undefined && opts.format !== '' && opts.format !== 'json' ? new Template(opts.format) : undefined;
  const found: unknown[] = [];
  let failed = false;
  const label = kinds.length === 1 ? kinds[0] ?? 'object' : 'object';
  for (const n of names) {
    const v = await fetchOne(ctx, kinds, n, opts.size === true);
    if ('missing' in v) {
      // As the docker CLI: `volume inspect` passes the daemon's sentence on, the others say "No such".
      ctx.err(label === 'volume' ? `Error response from daemon: ${v.missing}\n` : `Error: ${NOT_FOUND[label]}: ${n}\n`);
      failed = true;
      continue;
    }
    found.push(v.found);
  }
  if (opts.format === 'json') {
    for (const v of found) ctx.out(`${JSON.stringify(v)}\n`);
  } else if (tpl !== undefined) {
    for (const v of found) ctx.out(`${tpl.execute(v)}\n`);
  } else {
    ctx.out(`${JSON.stringify(found, null, 4)}\n`);
  }
  return failed ? 1 : 0;
}

/** `inspect [-f FORMAT] [-s] [--type container|image|network|volume] NAME...` */
export function defineInspect(ctx: CliContext): (cmd: Command) => Command {
  return (cmd) => cmd
    .description('Return low-level information on objects')
    .option('-f, --format <format>', "Format output using a custom template: 'json' or a Go template")
    .option('-s, --size', 'Display total file sizes if the type is container')
    .option('--type <type>', 'Return JSON for specified type')
    .argument('<name...>')
    .action(act(ctx, async (names: string[], opts: { format?: string; size?: boolean; type?: string }) => {
      let kinds: Kind[] = ['container', 'image', 'network', 'volume'];
      if (opts.type !== undefined) {
        if (opts.type !== 'container' && opts.type !== 'image' && opts.type !== 'network' && opts.type !== 'volume') {
          throw cliErrors.make('INVALID_FLAG', `"${opts.type}" is not a valid value for --type`);
        }
        kinds = [opts.type];
      }
      return inspectObjects(ctx, kinds, names, opts);
    }));
}

/** `container inspect`, `image inspect`, `network inspect`, `volume inspect` */
export function defineTypedInspect(ctx: CliContext, kind: Kind): (cmd: Command) => Command {
  return (cmd) => {
    cmd.description(`Display detailed information on one or more ${kind}s`)
      .option('-f, --format <format>', "Format output using a custom template: 'json' or a Go template");
    if (kind === 'container') cmd.option('-s, --size', 'Display total file sizes');
    return cmd.argument(`<${kind}...>`)
      .action(act(ctx, async (names: string[], opts: { format?: string; size?: boolean }) => inspectObjects(ctx, [kind], names, opts)));
  };
}
