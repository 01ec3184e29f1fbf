// Property tests of the API's small parsers against deliberately simple references.
import t from 'tap';
import fc from 'fast-check';
import { parseFilters } from './filters-param.js';
import { compareApiVersions, splitApiVersion } from './api-version.js';
import { toDockerBoolean } from './docker-booleans.js';

const key = fc.string({ minLength: 1, maxLength: 12 });
const filters = fc.dictionary(key, fc.uniqueArray(fc.string({ maxLength: 12 }), { maxLength: 4 }));

t.test('parseFilters: the list form round-trips', async () => {
  fc.assert(fc.property(filters, (f) => {
    const parsed = parseFilters(JSON.stringify(f));
    return JSON.stringify(parsed) === JSON.stringify(f);
  }));
});

t.test('parseFilters: the legacy map form (docker CLI) means the same as the list form', async () => {
  fc.assert(fc.property(filters, (f) => {
    const legacy = Object.fromEntries(Object.entries(f).map(([k, vs]) => [k, Object.fromEntries(vs.map((v) => [v, true]))]));
    const a = parseFilters(JSON.stringify(legacy));
    return Object.keys(f).every((k) => JSON.stringify([...(a[k] ?? [])].sort()) === JSON.stringify([...(f[k] ?? [])].sort()));
  }));
});

t.test('parseFilters: anything that is not JSON is a 400, never a crash', async () => {
  fc.assert(fc.property(fc.string(), (s) => {
    try {
      parseFilters(s);
      return true;
    } catch (err) {
      return (err as { code?: string; status?: number }).code === 'API_BAD_FILTERS' && (err as { status?: number }).status === 400;
    }
  }));
});

t.test('splitApiVersion against a reference: /vMAJOR.MINOR prefix, range 1.24..1.44', async () => {
  const rest = fc.constantFrom('/containers/json', '/_ping', '/images/a/b:c/json?x=1', '', '?all=1');
  fc.assert(fc.property(fc.nat(3), fc.nat(60), rest, (major, minor, path) => {
    const r = splitApiVersion(`/v${major}.${minor}${path}`);
    const version = `${major}.${minor}`;
    const expectedPath = path === '' || path.startsWith('?') ? `/${path}` : path;
    const n = major * 1000 + minor;
    const expected = n > 1044 ? 'too-new' : n < 1024 ? 'too-old' : undefined;
    return r.version === version && r.path === expectedPath && r.outOfRange === expected;
  }));
  fc.assert(fc.property(fc.constantFrom('/containers/json', '/version', '/v/x', '/vx.1/a'), (p) => {
    const r = splitApiVersion(p);
    return r.path === p && r.version === '1.44' && r.outOfRange === undefined;
  }));
  t.ok(compareApiVersions('1.9', '1.10') < 0, 'numeric, not lexical');
});

t.test('Docker booleans: known words map, anything else is left for the schema to refuse', async () => {
  const truthy = ['1', 'true', 'True', 'TRUE', 'yes', ' 1 '];
  const falsy = ['', '0', 'false', 'False', 'no', 'none'];
  for (const s of truthy) t.equal(toDockerBoolean(s), true, JSON.stringify(s));
  for (const s of falsy) t.equal(toDockerBoolean(s), false, JSON.stringify(s));
  fc.assert(fc.property(fc.string(), (s) => {
    const r = toDockerBoolean(s);
    const known = [...truthy, ...falsy].map((x) => x.trim().toLowerCase()).includes(s.trim().toLowerCase());
    return known ? typeof r === 'boolean' : r === s;
  }));
});
