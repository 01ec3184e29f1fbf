import type { RestartPolicy } from '@shoal/common';
import { cliErrors } from '../cli-errors.js';

const NAMES = new Set(['no', 'always', 'unless-stopped', 'on-failure']);

/**
 * Parse `--restart`: `no`, `always`, `unless-stopped`, `on-failure` or
 * `on-failure:N`. A retry count is only valid with on-failure and never
 * negative (Docker's wording in the errors).
 */
export function parseRestartPolicy(value: string): RestartPolicy {
  if (value === '') return { Name: 'no', MaximumRetryCount: 0 };
  const colon = value.indexOf(':');
  const name = colon === -1 ? value : value.slice(0, colon);
  const count = colon === -1 ? '' : value.slice(colon + 1);
  if (colon !== -1 && name === '') throw cliErrors.make('INVALID_FLAG', 'invalid restart policy format: no policy provided before colon');
  let max = 0;
  if (count !== '') {
    if (!/^[+-]?\d+$/.test(count)) throw cliErrors.make('INVALID_FLAG', 'invalid restart policy format: maximum retry count must be an integer');
    max = Number(count);
  }
  if (!NAMES.has(name)) throw cliErrors.make('INVALID_FLAG', `invalid restart policy: unknown policy '${name}'; use one of 'no', 'always', 'on-failure' or 'unless-stopped'`);
  if (max !== 0 && name !== 'on-failure') throw cliErrors.make('INVALID_FLAG', `invalid restart policy: maximum retry count can only be used with 'on-failure'`);
  if (max < 0) throw cliErrors.make('INVALID_FLAG', 'invalid restart policy: maximum retry count cannot be negative');
  return { Name: name as RestartPolicy['Name'], MaximumRetryCount: max };
}
