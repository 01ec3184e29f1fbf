/** Container names: validation; generated names are common's (services use them too). Pure. */
import { containerErrors } from './errors.js';

export { generateName } from '@shoal/common';

const VALID = /^\/?[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

/** Validate a user-given name; returns it in Docker's `/name` form. */
export function normalizeName(name: string): string {
  if (!VALID.test(name)) {
    throw containerErrors.make('INVALID_NAME', `Invalid container name (${name}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
  }
  return name.startsWith('/') ? name : `/${name}`;
}
