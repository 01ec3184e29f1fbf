export { ShoalError, defineErrors, registeredErrors, hasCode, isShoalError } from './shoal-error.js';
export type { ErrorDef, ErrorOpts } from './shoal-error.js';
export { commonErrors } from './common-errors.js';
