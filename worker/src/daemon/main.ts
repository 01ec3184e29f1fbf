/** shoald's entry point (worker/bin/shoald.js imports the built copy). */
import { runShoald } from './run-shoald.js';

const code = await runShoald(process.argv.slice(2), {
  out: (s) => { process.stdout.write(s); },
  err: (s) => { process.stderr.write(s); },
  onSignal: (signal, fn) => { if (signal === 'SIGHUP') process.on(signal, fn); else process.once(signal, fn); },
});
process.exitCode = code;
// Containers run on under their shims; if a stray handle keeps the loop alive, still exit.
setTimeout(() => { process.exit(code); }, 3000).unref();
