import { parseDockerTimestamp } from '@shoal/common';
import type { DockerTimestamp } from '@shoal/common';
import { cliErrors } from '../cli-errors.js';

/**
 * Turn a `--since`/`--until` value into what the Engine API takes, as the
 * docker CLI does (parsing is @shoal/common's parseDockerTimestamp): a Go
 * duration becomes unix seconds that long before `nowMs`, an RFC 3339 date
 * or date-time (zone optional, then local with `localOffsetMin` minutes east
 * of UTC) becomes `seconds.nanoseconds`, a unix timestamp passes through.
 * Throws CLI_INVALID_FLAG.
 */
export function parseTimestamp(value: string, nowMs: number, localOffsetMin = 0): string {
  let t: DockerTimestamp;
  try {
    t = parseDockerTimestamp(value, nowMs, localOffsetMin);
  } catch (e) {
    throw cliErrors.make('INVALID_FLAG', (e as Error).message, { cause: e });
  }
  if (t.kind === 'duration') return String(t.seconds);
  if (t.kind === 'unix') return value;
  return `${t.seconds}.${String(t.nanos).padStart(9, '0')}`;
}
