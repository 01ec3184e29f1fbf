// One process for a package's unit tests (scripts/unit.sh): import every
// file of SHOAL_UNIT_FILES (one path per line) in order; each registers its
// tests on tap's root test, which runs them one after another.
//
// While a file is being imported (through tsx's loader, which runs off the
// main thread) the event loop can look empty; Node would then end the
// process (tap's root test with it) and every test of the files not yet
// imported would silently not run. A timer keeps the loop alive until the
// last import, and an exit before it is reported as a failure.
import { pathToFileURL } from 'node:url';

const files = (process.env.SHOAL_UNIT_FILES ?? '').split('\n').filter((f) => f !== '');
let imported = 0;
process.on('exit', () => {
  if (imported < files.length) {
    process.stdout.write(`not ok - unit-entry: the process ended after importing ${imported} of ${files.length} files\n`);
    process.exitCode = 1;
  }
});
const keepAlive = setInterval(() => undefined, 60_000);
try {
  for (const f of files) {
    await import(pathToFileURL(f).href);
    imported++;
  }
} finally {
  clearInterval(keepAlive);
}
