import t from 'tap';
import fc from 'fast-check';
import { parseRamBytes, parseMemorySwap, parseHumanSize } from './size.js';
import { formatGoDuration } from './duration.js';
import { parseGoDuration } from '@shoal/common';
import { parseTimestamp } from './timestamp.js';
import { parseRestartPolicy } from './restart.js';
import { parseUlimit } from './ulimit.js';
import { parseKeyValues, parseFilterFlags } from './key-value.js';
import { invalidFlagMessage } from '../testing/flag-error.js';

const err = invalidFlagMessage;

t.test('sizes as docker RAMInBytes', async (t) => {
  t.equal(parseRamBytes('512m'), 512 * 1024 * 1024);
  t.equal(parseRamBytes('1g'), 1024 ** 3);
  t.equal(parseRamBytes('1G'), 1024 ** 3);
  t.equal(parseRamBytes('1.5GiB'), 1.5 * 1024 ** 3);
  t.equal(parseRamBytes('64MB'), 64 * 1024 ** 2);
  t.equal(parseRamBytes('100'), 100);
  t.equal(parseRamBytes('100b'), 100);
  t.equal(parseRamBytes('10 k'), 10240);
  t.equal(parseHumanSize('1kB'), 1000);
  t.equal(parseMemorySwap('-1'), -1);
  t.equal(err(() => parseRamBytes('12x')), "invalid suffix: 'x'");
  t.equal(err(() => parseRamBytes('1mbb')), "invalid suffix: 'mbb'");
  t.equal(err(() => parseRamBytes('m')), "invalid size: 'm'");
  t.equal(err(() => parseRamBytes('-1')), "invalid size: '-1'");
  fc.assert(fc.property(fc.integer({ min: 0, max: 1 << 20 }), fc.constantFrom('k', 'm', 'g'), (n, u) => {
    const mul = { k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[u];
    return parseRamBytes(`${n}${u}`) === n * mul && parseRamBytes(`${n}${u.toUpperCase()}iB`) === n * mul;
  }));
});

// Parsing is @shoal/common's parseGoDuration (go-duration.test.ts); the CLI formats.
t.test('Go durations are formatted as Go does and parse back', async (t) => {
  t.equal(formatGoDuration(5_400_000), '1h30m0s');
  t.equal(formatGoDuration(1500), '1.5s');
  fc.assert(fc.property(fc.integer({ min: 0, max: 100 }), fc.integer({ min: 0, max: 59 }), fc.integer({ min: 0, max: 59 }), (h, m, s) => {
    const ms = ((h * 60 + m) * 60 + s) * 1000;
    return parseGoDuration(formatGoDuration(ms)) === ms * 1e6;
  }));
});

t.test('--since/--until values', async (t) => {
  const now = Date.UTC(2024, 0, 2, 12, 0, 0);
  t.equal(parseTimestamp('10m', now), String(now / 1000 - 600));
  t.equal(parseTimestamp('1h30m', now), String(now / 1000 - 5400));
  t.equal(parseTimestamp('1700000000', now), '1700000000');
  t.equal(parseTimestamp('1700000000.5', now), '1700000000.5');
  t.equal(parseTimestamp('0', now), '0');
  t.equal(parseTimestamp('2024-01-02T10:00:00Z', now), `${Date.UTC(2024, 0, 2, 10) / 1000}.000000000`);
  t.equal(parseTimestamp('2024-01-02T10:00:00.25+02:00', now), `${Date.UTC(2024, 0, 2, 8) / 1000}.250000000`);
  t.equal(parseTimestamp('2024-01-02', now), `${Date.UTC(2024, 0, 2) / 1000}.000000000`);
  t.equal(parseTimestamp('2024-01-02T10:00', now, 60), `${Date.UTC(2024, 0, 2, 9) / 1000}.000000000`);
  t.match(err(() => parseTimestamp('yesterday', now)), /failed to parse value as time or duration/);
  t.match(err(() => parseTimestamp('2024-13', now)), /not an RFC 3339/);
});

t.test('restart policies', async (t) => {
  t.same(parseRestartPolicy('no'), { Name: 'no', MaximumRetryCount: 0 });
  t.same(parseRestartPolicy('always'), { Name: 'always', MaximumRetryCount: 0 });
  t.same(parseRestartPolicy('unless-stopped'), { Name: 'unless-stopped', MaximumRetryCount: 0 });
  t.same(parseRestartPolicy('on-failure'), { Name: 'on-failure', MaximumRetryCount: 0 });
  t.same(parseRestartPolicy('on-failure:3'), { Name: 'on-failure', MaximumRetryCount: 3 });
  t.match(err(() => parseRestartPolicy('always:3')), /only be used with 'on-failure'/);
  t.match(err(() => parseRestartPolicy('on-failure:x')), /must be an integer/);
  t.match(err(() => parseRestartPolicy('on-failure:-1')), /cannot be negative/);
  t.match(err(() => parseRestartPolicy(':3')), /no policy provided before colon/);
  t.match(err(() => parseRestartPolicy('sometimes')), /unknown policy 'sometimes'/);
});

t.test('ulimits', async (t) => {
  t.same(parseUlimit('nofile=1024:2048'), { Name: 'nofile', Soft: 1024, Hard: 2048 });
  t.same(parseUlimit('nproc=512'), { Name: 'nproc', Soft: 512, Hard: 512 });
  t.same(parseUlimit('memlock=-1:-1'), { Name: 'memlock', Soft: -1, Hard: -1 });
  t.equal(err(() => parseUlimit('nofile')), 'invalid ulimit argument: nofile');
  t.equal(err(() => parseUlimit('bogus=1')), 'invalid ulimit type: bogus');
  t.match(err(() => parseUlimit('nofile=2048:1024')), /soft limit must be less than or equal to hard limit: 2048 > 1024/);
  t.match(err(() => parseUlimit('nofile=1:2:3')), /too many limit value arguments/);
  t.match(err(() => parseUlimit('nofile=x')), /not an integer/);
});

t.test('key=value and filters', async (t) => {
  t.same(parseKeyValues(['a=1', 'b', 'c=x=y', 'a=2'], '--label'), { a: '2', b: '', c: 'x=y' });
  t.match(err(() => parseKeyValues(['b'], '--sysctl', true)), /expected KEY=VALUE/);
  t.same(parseFilterFlags(['status=running', 'status=exited', 'name=web']), { status: { running: true, exited: true }, name: { web: true } });
  t.match(err(() => parseFilterFlags(['running'])), /bad format of filter/);
});
