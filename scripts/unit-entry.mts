// One process for a package's unit tests (scripts/unit.sh): import every
// file of SHOAL_UNIT_FILES (one path per line) in order; each registers its
// tests on tap's root test, which runs them one after another.
//
// Two ways the root could end before the last file is imported, silently
// dropping the tests of the files still to come (both seen, as suites with
// far fewer passes and no failure, when tsx compiles cold and imports are
// slow):
// - While a file is being imported (through tsx's loader, off the main
//   thread) the event loop can look empty and Node would end the process: a
//   timer keeps the loop alive until the last import, and an exit before it
//   is reported as a failure.
// - Once any test calls `t.teardown` on the root, tap ends the root as soon
//   as it is idle. So the first subtest waits for every import: the root
//   stays busy, the files' tests queue behind it and all run afterwards.
import t from 'tap';
import { pathToFileURL } from 'node:url';

const files = (process.env.SHOAL_UNIT_FILES ?? '').split('\n').filter((f) => f !== '');
let imported = 0;
let importsDone!: () => void;
const allImported = new Promise<void>((resolve) => { importsDone = resolve; });
process.on('exit', () => {
  if (imported < files.length) {
    process.stdout.write(`not ok - unit-entry: the process ended after importing ${imported} of ${files.length} files\n`);
    process.exitCode = 1;
  }
});
t.test('unit-entry: every test file imported before the tests run', async (t) => {
  await allImported;
  t.equal(imported, files.length);
});
const keepAlive = setInterval(() => undefined, 60_000);
try {
  for (const f of files) {
    await import(pathToFileURL(f).href);
    imported++;
  }
} finally {
  clearInterval(keepAlive);
  importsDone();
}
