import type { CliContext } from './context.js';

/**
 * Ask `question [y/N] ` on stdout and read one line from stdin; true only
 * for y/yes. EOF or a non-terminal with nothing to read counts as no.
 */
export async function confirm(ctx: CliContext, question: string): Promise<boolean> {
  ctx.out(`${question} [y/N] `);
  const stdin = ctx.io.stdin;
  const line = await new Promise<string>((resolve) => {
    let buf = '';
    const onData = (c: Buffer | string) => {
      buf += c.toString();
      const nl = buf.indexOf('\n');
      if (nl !== -1) finish(buf.slice(0, nl));
    };
    const onEnd = () => finish(buf);
    const finish = (s: string) => {
      stdin.off('data', onData);
      stdin.off('end', onEnd);
      stdin.pause();
      resolve(s);
    };
    stdin.on('data', onData);
    stdin.once('end', onEnd);
    stdin.resume();
  });
  const a = line.trim().toLowerCase();
  return a === 'y' || a === 'yes';
}
