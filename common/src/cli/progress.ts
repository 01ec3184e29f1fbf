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
export async function showProgress(ctx: CliContext, res: Readable, quiet: boolean): Promise<JsonMessage[]> {
  const renderer = new JsonMessageRenderer({ tty: ctx.io.stdout.isTTY === true, width: ctx.io.stdout.columns ?? 80 });
  const seen: JsonMessage[] = [];
  for await (const line of jsonLines(res)) {
    let m: JsonMessage;
    try {
      m = JSON.parse(line) as JsonMessage;
    } catch {
      if (!quiet) ctx.out(`${line}\n`);
      continue;
    }
    seen.push(m);
    const err = m.errorDetail?.message ?? m.error;
    if (err !== undefined && err !== '') throw cliErrors.make('DAEMON_ERROR', err);
    if (!quiet) ctx.out(renderer.render(m));
  }
  return seen;
}
