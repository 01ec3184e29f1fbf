/**
 * The `shoal` executable: runs the CLI on the real process streams and
 * exits with its status (bin/shoal.js imports this file).
 */
import type { CliIo } from './context.js';
import { runCli } from './program.js';

const io: CliIo = {
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  cwd: process.cwd(),
  now: () => Date.now(),
  localOffsetMin: -new Date().getTimezoneOffset(),
  onSignal: (sig, fn) => {
    process.on(sig, fn);
    return () => { process.off(sig, fn); };
  },
};

// `shoal logs -f web | head -1`: a reader that went away ends us quietly.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });
}

const code = await runCli(process.argv.slice(2), io);
process.exitCode = code;
// Open handles (stdin, a cancelled wait) must not keep the process alive;
// stdout/stderr are synchronous for files, pipes and terminals on Linux.
process.exit(code);
