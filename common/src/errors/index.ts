export { ShoalError, defineErrors, collectErrorCodes, hasCode, isShoalError } from './shoal-error.js';
export type { ErrorDef, ErrorOpts, ErrorRegistry } from './shoal-error.js';
export { commonErrors } from './common-errors.js';
