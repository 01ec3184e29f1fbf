import t, { type Test } from 'tap';
import fc from 'fast-check';
import { hasCode } from '../errors/index.js';
import {
  parseImageRef, normalizeImageRef, familiarString, formatImageRef, familiarMatch,
  isFullImageId, isImageIdPrefix, globMatch, withTag,
} from './image-ref.js';

const CODE = 'COMMON_REFERENCE_INVALID';

function rejects(t: Test, input: string, reason?: string): void {
  try {
    parseImageRef(input);
    t.fail(`accepted ${JSON.stringify(input)}`);
  } catch (e) {
    t.ok(hasCode(e, CODE), `rejects ${JSON.stringify(input)}`);
    if (reason !== undefined) t.equal((e as Error).message, reason);
    t.equal((e as { status?: number }).status, 400);
  }
}

t.test('normalisation as Docker', async (t) => {
  const cases: Array<[string, string, string]> = [
    ['busybox', 'docker.io/library/busybox:latest', 'busybox:latest'],
    ['busybox:1.36', 'docker.io/library/busybox:1.36', 'busybox:1.36'],
    ['user/app', 'docker.io/user/app:latest', 'user/app:latest'],
    ['index.docker.io/library/busybox', 'docker.io/library/busybox:latest', 'busybox:latest'],
    ['docker.io/busybox:x', 'docker.io/library/busybox:x', 'busybox:x'],
    ['localhost/app', 'localhost/app:latest', 'localhost/app:latest'],
    ['localhost:5000/a/b/c:v1', 'localhost:5000/a/b/c:v1', 'localhost:5000/a/b/c:v1'],
    ['Registry.Example.com/app', 'Registry.Example.com/app:latest', 'Registry.Example.com/app:latest'],
    ['[::1]:5000/app', '[::1]:5000/app:latest', '[::1]:5000/app:latest'],
    ['a__b-c---e/f_g.h', 'docker.io/a__b-c---e/f_g.h:latest', 'a__b-c---e/f_g.h:latest'],
    ['a.b/c', 'a.b/c:latest', 'a.b/c:latest'],
  ];
  for (const [input, full, familiar] of cases) {
    const ref = normalizeImageRef(input);
    t.equal(formatImageRef(ref), full, input);
    t.equal(familiarString(ref), familiar, input);
  }
  const d = `sha256:${'ab'.repeat(32)}`;
  const withDigest = normalizeImageRef(`busybox@${d}`);
  t.equal(withDigest.tag, undefined, 'a digest reference gets no default tag');
  t.equal(familiarString(withDigest), `busybox@${d}`);
  t.equal(familiarString(withTag(parseImageRef('busybox:1'), 'v2')), 'busybox:v2');
});

t.test('invalid references with Docker wording', async (t) => {
  rejects(t, 'Busybox', 'invalid reference format: repository name must be lowercase');
  rejects(t, 'user/App', 'invalid reference format: repository name must be lowercase');
  rejects(t, '', 'invalid reference format: repository name must have at least one component');
  rejects(t, 'busybox:', 'invalid reference format');
  rejects(t, 'busybox:.tag', 'invalid reference format');
  rejects(t, `busybox:${'a'.repeat(129)}`, 'invalid reference format');
  rejects(t, 'a//b', 'invalid reference format');
  rejects(t, '-a', 'invalid reference format');
  rejects(t, 'a_-b', 'invalid reference format');
  rejects(t, 'a___b', 'invalid reference format');
  rejects(t, `busybox@sha256:${'a'.repeat(63)}`, 'invalid reference format: invalid checksum digest length');
  rejects(t, `busybox@md5:${'a'.repeat(32)}`, 'invalid reference format: unsupported digest algorithm md5');
  rejects(t, 'a'.repeat(64), `invalid repository name (${'a'.repeat(64)}), cannot specify 64-byte hexadecimal strings`);
  rejects(t, `${'a'.repeat(250)}/b`, 'invalid reference format: repository name must not be more than 255 characters');
  t.throws(() => withTag(parseImageRef('a'), '-x'), { code: CODE });
});

t.test('ids and prefixes', async (t) => {
  t.ok(isFullImageId('a'.repeat(64)));
  t.ok(isFullImageId(`sha256:${'0'.repeat(64)}`));
  t.notOk(isFullImageId('a'.repeat(63)));
  t.ok(isImageIdPrefix('abc1'));
  t.ok(isImageIdPrefix('sha256:abc1'));
  t.notOk(isImageIdPrefix('abcg'));
  t.notOk(isImageIdPrefix('a'.repeat(65)));
});

t.test('globs and FamiliarMatch', async (t) => {
  t.ok(globMatch('busy*', 'busybox'));
  t.notOk(globMatch('*', 'user/app'), '* does not cross /');
  t.ok(globMatch('*/*', 'user/app'));
  t.ok(globMatch('b?sybox', 'busybox'));
  t.ok(globMatch('[a-c]usybox', 'busybox'));
  t.notOk(globMatch('[^a-c]usybox', 'busybox'));
  t.ok(globMatch('a\\*b', 'a*b'));
  t.notOk(globMatch('a\\*b', 'axb'));
  t.notOk(globMatch('[abc', 'a'), 'a malformed pattern matches nothing');
  t.ok(familiarMatch('busybox', normalizeImageRef('busybox:1.36')), 'name without tag matches any tag');
  t.ok(familiarMatch('busybox:1.*', normalizeImageRef('busybox:1.36')));
  t.notOk(familiarMatch('busybox:2*', normalizeImageRef('busybox:1.36')));
  t.ok(familiarMatch('localhost:5000/*', normalizeImageRef('localhost:5000/app:v')));
});

// The simple reference: a reference assembled from independently generated
// valid parts must parse back into exactly those parts.
const alnum = fc.stringMatching(/^[a-z0-9]{1,6}$/);
const sep = fc.constantFrom('.', '_', '__', '-', '--', '---');
const component = fc.tuple(alnum, fc.array(fc.tuple(sep, alnum), { maxLength: 2 }))
  .map(([a, rest]) => a + rest.map(([s, b]) => s + b).join(''));
const pathGen = fc.array(component, { minLength: 1, maxLength: 3 }).map((cs) => cs.join('/'));
const domainGen = fc.option(fc.tuple(
  fc.array(fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,4}[a-z0-9])?$/), { minLength: 2, maxLength: 3 }).map((xs) => xs.join('.')),
  fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }),
).map(([h, p]) => (p === undefined ? h : `${h}:${p}`)), { nil: undefined });
const tagGen = fc.option(fc.stringMatching(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,20}$/), { nil: undefined });
const digestGen = fc.option(fc.stringMatching(/^[a-f0-9]{64}$/).map((h) => `sha256:${h}`), { nil: undefined });

t.test('property: valid references round-trip', async (t) => {
  fc.assert(fc.property(domainGen, pathGen, tagGen, digestGen, (domain, path, tag, digest) => {
    const input = `${domain === undefined ? '' : `${domain}/`}${path}${tag === undefined ? '' : `:${tag}`}${digest === undefined ? '' : `@${digest}`}`;
    const ref = parseImageRef(input);
    // Docker's rule: without an explicit domain, a first component with a
    // '.' (and a '/' after it) is the domain.
    const first = path.split('/')[0] ?? '';
    const implicit = domain === undefined && path.includes('/') && first.includes('.');
    const wantDomain = domain ?? (implicit ? first : 'docker.io');
    const rest = implicit ? path.slice(first.length + 1) : path;
    const wantPath = wantDomain === 'docker.io' && !rest.includes('/') ? `library/${rest}` : rest;
    if (ref.domain !== wantDomain || ref.path !== wantPath || ref.tag !== tag || ref.digest !== digest) return false;
    // format and familiar forms parse back to the same reference
    const again = parseImageRef(formatImageRef(ref));
    const fam = parseImageRef(familiarString(ref));
    return JSON.stringify(again) === JSON.stringify(ref) && JSON.stringify(fam) === JSON.stringify(ref);
  }), { numRuns: 500 });
  t.pass('500 generated references round-tripped');
});

t.test('property: invalid references are rejected', async (t) => {
  const bad = fc.oneof(
    // an uppercase letter in the repository path
    fc.tuple(pathGen, fc.stringMatching(/^[A-Z]$/)).map(([p, u]) => `x/${p}${u}`),
    // a tag that starts with a separator or is too long
    fc.tuple(pathGen, fc.constantFrom('.', '-')).map(([p, s]) => `${p}:${s}x`),
    pathGen.map((p) => `${p}:${'t'.repeat(129)}`),
    // a separator at the edge of a component, or an empty component
    fc.tuple(pathGen, sep).map(([p, s]) => `${p}${s}`),
    fc.tuple(pathGen, sep).map(([p, s]) => `${s}${p}`),
    pathGen.map((p) => `${p}//x`),
    // a digest with a wrong length
    fc.tuple(pathGen, fc.integer({ min: 32, max: 63 })).map(([p, n]) => `${p}@sha256:${'a'.repeat(n)}`),
  );
  fc.assert(fc.property(bad, (input) => {
    try {
      parseImageRef(input);
      return false;
    } catch (e) {
      return hasCode(e, CODE);
    }
  }), { numRuns: 500 });
  t.pass('500 generated invalid references rejected');
});
