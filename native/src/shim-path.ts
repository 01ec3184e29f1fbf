import { accessSync, constants } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { shimErrors } from './errors.js';

/**
 * Absolute path of the built shim binary, `native/build/shoal-shim`,
 * resolved relative to this package (works from src/ and dist/). Throws
 * SHIM_BINARY_MISSING naming `npm run build` when it is not built.
 */
export function shimPath(): string {
  const p = fileURLToPath(new URL('../build/shoal-shim', import.meta.url));
  try {
    accessSync(p, constants.X_OK);
  } catch (e) {
    throw shimErrors.make('BINARY_MISSING', `${p} is missing: run \`npm run build -w @shoal/native\` (or \`make -C native/shim\`)`, { cause: e });
  }
  return p;
}
