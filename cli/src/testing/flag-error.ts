/** Test-only: the message of the CLI_INVALID_FLAG error `fn` throws (anything else, or no error, fails). */
import { hasCode } from '@shoal/common';

export function invalidFlagMessage(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (!hasCode(e, 'CLI_INVALID_FLAG')) throw e;
    return e.message;
  }
  throw new Error('expected an error');
}
