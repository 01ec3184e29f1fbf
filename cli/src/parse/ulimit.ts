import type { Ulimit } from '@shoal/common';
import { cliErrors } from '../cli-errors.js';

const KNOWN = new Set([
  'as', 'core', 'cpu', 'data', 'fsize', 'locks', 'memlock', 'msgqueue', 'nice',
  'nofile', 'nproc', 'rss', 'rtprio', 'rttime', 'sigpending', 'stack',
]);

/**
 * Parse `--ulimit name=soft[:hard]` (hard defaults to soft; -1 is
 * unlimited). The name must be a known rlimit; soft must not exceed hard.
 */
export function parseUlimit(value: string): Ulimit {
  const eq = value.indexOf('=');
  if (eq === -1) throw cliErrors.make('INVALID_FLAG', `invalid ulimit argument: ${value}`);
  const name = value.slice(0, eq);
  if (!KNOWN.has(name)) throw cliErrors.make('INVALID_FLAG', `invalid ulimit type: ${name}`);
  const limits = value.slice(eq + 1).split(':');
  if (limits.length > 2) throw cliErrors.make('INVALID_FLAG', `too many limit value arguments - ${value.slice(eq + 1)}, can only have up to two, \`soft[:hard]\``);
  const nums = limits.map((l) => {
    if (!/^-?\d+$/.test(l)) throw cliErrors.make('INVALID_FLAG', `invalid ulimit value "${l}" in ${value}: not an integer`);
    return Number(l);
  });
  const soft = nums[0] ?? 0;
  const hard = nums[1] ?? soft;
  if (soft > hard && hard !== -1) throw cliErrors.make('INVALID_FLAG', `ulimit soft limit must be less than or equal to hard limit: ${soft} > ${hard}`);
  return { Name: name, Soft: soft, Hard: hard };
}
