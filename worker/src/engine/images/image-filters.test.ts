import t from 'tap';
import { boolFilter, checkFilterKeys, labelsMatch, parseTimestamp } from './image-filters.js';

t.test('filter keys and booleans', async (t) => {
  t.throws(() => checkFilterKeys({ bogus: ['1'] }, ['dangling']), { code: 'ENGINE_IMAGE_INVALID_FILTER', message: "invalid filter 'bogus'" });
  checkFilterKeys({ dangling: ['true'] }, ['dangling']);
  t.equal(boolFilter({ dangling: ['true'] }, 'dangling'), true);
  t.equal(boolFilter({ dangling: ['0'] }, 'dangling'), false);
  t.equal(boolFilter({}, 'dangling'), undefined);
  t.throws(() => boolFilter({ dangling: ['maybe'] }, 'dangling'), { message: "invalid filter 'dangling=maybe'" });
});

t.test('labels', async (t) => {
  t.ok(labelsMatch(['a'], { a: '1' }));
  t.ok(labelsMatch(['a=1', 'b'], { a: '1', b: '' }));
  t.notOk(labelsMatch(['a=2'], { a: '1' }));
  t.notOk(labelsMatch(['c'], { a: '1' }));
  t.notOk(labelsMatch(['a'], null));
  t.ok(labelsMatch(undefined, null));
});

t.test('timestamps', async (t) => {
  const now = Date.parse('2024-01-01T12:00:00Z');
  t.equal(parseTimestamp('1h', now), now - 3600_000);
  t.equal(parseTimestamp('1h30m', now), now - 5400_000);
  t.equal(parseTimestamp('1700000000', now), 1700000000_000);
  t.equal(parseTimestamp('1700000000.5', now), 1700000000_500);
  t.equal(parseTimestamp('2023-12-31T00:00:00Z', now), Date.parse('2023-12-31T00:00:00Z'));
  t.equal(parseTimestamp('2023-12-31T00:00:00', now), Date.parse('2023-12-31T00:00:00Z'));
  t.equal(parseTimestamp('2023-12-31', now), Date.parse('2023-12-31T00:00:00Z'));
  t.throws(() => parseTimestamp('yesterday', now), { code: 'ENGINE_IMAGE_INVALID_FILTER' });
});
