import t from 'tap';
import { parseGoDuration } from './go-duration.js';

const err = (f: () => unknown): string => {
  try {
    f();
    return 'no error';
  } catch (e) {
    return `${(e as { code: string }).code}: ${(e as Error).message}`;
  }
};

t.test('Go durations in nanoseconds, with Go\'s errors', async (t) => {
  t.equal(parseGoDuration('10m'), 600e9);
  t.equal(parseGoDuration('1h30m'), 5400e9);
  t.equal(parseGoDuration('1m30s'), 90e9);
  t.equal(parseGoDuration('1.5s'), 1.5e9);
  t.equal(parseGoDuration('250ms'), 250e6);
  t.equal(parseGoDuration('1us'), 1000);
  t.equal(parseGoDuration('1µs'), 1000);
  t.equal(parseGoDuration('1.9ns'), 1, 'below a nanosecond is dropped, as Go');
  t.equal(parseGoDuration('-2h'), -7200e9);
  t.equal(parseGoDuration('+3s'), 3e9);
  t.equal(parseGoDuration('0'), 0);
  t.equal(parseGoDuration('.5s'), 0.5e9);
  t.equal(err(() => parseGoDuration('10')), 'COMMON_INVALID_ARGUMENT: time: missing unit in duration "10"');
  t.equal(err(() => parseGoDuration('1d')), 'COMMON_INVALID_ARGUMENT: time: invalid duration "1d"');
  t.equal(err(() => parseGoDuration('5x')), 'COMMON_INVALID_ARGUMENT: time: invalid duration "5x"');
  t.equal(err(() => parseGoDuration('')), 'COMMON_INVALID_ARGUMENT: time: invalid duration ""');
  t.equal(err(() => parseGoDuration('1s ')), 'COMMON_INVALID_ARGUMENT: time: invalid duration "1s "');
});
