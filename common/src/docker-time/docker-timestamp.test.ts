import t from 'tap';
import { parseDockerTimestamp, timestampMs } from './docker-timestamp.js';

const now = Date.UTC(2026, 11, 7, 12, 0, 0);

t.test('Docker\'s GetTimestamp forms: duration, unix, RFC 3339', async (t) => {
  t.same(parseDockerTimestamp('10m', now), { kind: 'duration', seconds: now / 1000 - 600, nanos: 0 });
  t.same(parseDockerTimestamp('1.5s', now), { kind: 'duration', seconds: now / 1000 - 2, nanos: 500_000_000 });
  t.same(parseDockerTimestamp('1700000000.25', now), { kind: 'unix', seconds: 1700000000, nanos: 250_000_000 });
  t.same(parseDockerTimestamp('0', now), { kind: 'unix', seconds: 0, nanos: 0 });
  t.same(parseDockerTimestamp('2024-01-02T10:00:00.5+02:00', now), { kind: 'date', seconds: Date.UTC(2024, 0, 2, 8) / 1000, nanos: 500_000_000 });
  t.equal(timestampMs(parseDockerTimestamp('2024-01-02', now)), Date.UTC(2024, 0, 2), 'a date without zone is UTC by default');
  t.equal(timestampMs(parseDockerTimestamp('2024-01-02T10:00', now, 60)), Date.UTC(2024, 0, 2, 9), 'or local with the given offset');
  t.throws(() => parseDockerTimestamp('yesterday', now), { code: 'COMMON_INVALID_ARGUMENT', message: /failed to parse value as time or duration/ });
  t.throws(() => parseDockerTimestamp('2024-13', now), { code: 'COMMON_INVALID_ARGUMENT', message: /not an RFC 3339/ });
  t.throws(() => parseDockerTimestamp('1d', now), { code: 'COMMON_INVALID_ARGUMENT' });
});
