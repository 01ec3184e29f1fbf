import t from 'tap';
import { formatTimestamp, parseLogLine, parseRfc3339Nano, secondsToNs } from './log-entry.js';

t.test('parseRfc3339Nano keeps nanoseconds and handles trimmed fractions and offsets', async (t) => {
  t.equal(parseRfc3339Nano('2026-11-25T08:00:00.123456789Z'), 1795593600123456789n);
  t.equal(parseRfc3339Nano('2026-11-25T08:00:00.1234Z'), 1795593600123400000n);
  t.equal(parseRfc3339Nano('2026-11-25T08:00:00Z'), 1795593600000000000n);
  t.equal(parseRfc3339Nano('2026-11-25T09:30:00.5+01:30'), 1795593600500000000n);
  t.equal(parseRfc3339Nano('yesterday'), undefined);
});

t.test('formatTimestamp prints 9 fraction digits like docker logs -t', async (t) => {
  t.equal(formatTimestamp(1795593600123400000n), '2026-11-25T08:00:00.123400000Z');
  t.equal(formatTimestamp(1795593600000000007n), '2026-11-25T08:00:00.000000007Z');
});

t.test('secondsToNs takes fractional unix seconds', async (t) => {
  t.equal(secondsToNs(1795593600), 1795593600000000000n);
  t.equal(secondsToNs(1795593600.25), 1795593600250000000n);
  t.equal(secondsToNs('1795593600.000000007'), 1795593600000000007n);
  t.equal(secondsToNs('1795593600.5'), 1795593600500000000n);
  t.equal(secondsToNs('1795593600'), 1795593600000000000n);
  t.throws(() => secondsToNs('soon'), RangeError);
});

t.test('parseLogLine reads json-file entries and refuses others', async (t) => {
  t.same(parseLogLine('{"log":"a\\n","stream":"stderr","time":"2026-11-25T08:00:00.5Z"}'), { log: 'a\n', stream: 'stderr', timeNs: 1795593600500000000n });
  t.equal(parseLogLine('{"log":"a"'), undefined);
  t.equal(parseLogLine('{"log":"a","stream":"stdout","time":"nope"}'), undefined);
  t.equal(parseLogLine('[1]'), undefined);
});
