// One process for a package's unit tests (scripts/unit.sh): import every
// file of SHOAL_UNIT_FILES (one path per line) in order; each registers its
// tests on tap's root test, which runs them one after another.
import { pathToFileURL } from 'node:url';

const files = (process.env.SHOAL_UNIT_FILES ?? '').split('\n').filter((f) => f !== '');
for (const f of files) await import(pathToFileURL(f).href);
