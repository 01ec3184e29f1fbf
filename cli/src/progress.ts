import type { Readable } from 'node:stream';
import { cliErrors } from './cli-errors.js';
import type { CliContext } from './context.js';
import { JsonMessageRenderer } from './format/index.js';
import type { JsonMessage } from './format/index.js';
import { jsonLines } from './json-lines.js';

/**
 * Show a jsonmessage stream (pull, load, import) like the docker CLI: live
 * per-layer progress on a terminal, plain lines otherwise. An error
 * message ends it with CLI_DAEMON_ERROR. Returns the messages seen.
 */
export async function showProgress(ctx: CliContext, res: Readable, quiet: boolean, to: 'stdout' | 'stderr' = 'stdout'): Promise<JsonMessage[]> {
  const target = to === 'stdout' ? ctx.io.stdout : ctx.io.stderr as typeof ctx.io.stdout;
  const write = (s: string) => { target.write(s); };
  const renderer = new JsonMessageRenderer({ tty: target.isTTY === true, width: target.columns ?? 80 });
  const seen: JsonMessage[] = [];
  for await (const line of jsonLines(res)) {
    let m: JsonMessage;
    try {
      m = JSON.parse(line) as JsonMessage;
    } catch {
      if (!quiet) write(`${line}\n`);
      continue;
    }
    seen.push(m);
    const err = m.errorDetail?.message ?? m.error;
    if (err !== undefined && err !== '') throw cliErrors.make('DAEMON_ERROR', err);
    if (!quiet) write(renderer.render(m));
  }
  return seen;
}
