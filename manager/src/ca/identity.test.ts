import t from 'tap';
import fc from 'fast-check';
import { fromBase36, toBase36 } from './base36.js';
import { checkRemoteCA, isNodeId, makeJoinToken, newNodeId, parseJoinToken } from './identity.js';

const bytes = (n: number, v: number): Uint8Array => new Uint8Array(n).fill(v);

t.test('node ids: 25 base-36 characters, as Docker\'s', async (t) => {
  t.equal(newNodeId(bytes(16, 0)), '0'.repeat(25));
  t.equal(newNodeId(bytes(16, 255)), 'f5lxx1zz5pnorynqglhzmsp33', '2^128 - 1 fits in 25 characters');
  t.ok(isNodeId(newNodeId(bytes(16, 7))));
  t.notOk(isNodeId('abc'));
  t.throws(() => newNodeId(bytes(8, 1)));
});

t.test('base 36 round-trips', async (t) => {
  fc.assert(fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (b) => Buffer.from(fromBase36(toBase36(b, 50), 32) ?? []).equals(Buffer.from(b))));
  t.equal(fromBase36('zz', 1), undefined, 'too big for one byte');
  t.equal(fromBase36('A1', 4), undefined, 'not lower-case base 36');
});

t.test('join tokens: Docker\'s shape, parsed back; bad ones refused with "invalid join token"', async (t) => {
  const digest = Uint8Array.from({ length: 32 }, (_, i) => i * 7);
  const token = makeJoinToken(digest, bytes(16, 9));
  t.match(token, /^SWMTKN-1-[0-9a-z]{50}-[0-9a-z]{25}$/);
  const parsed = parseJoinToken(`  ${token}\n`);
  t.same([...parsed.caDigest], [...digest]);
  t.equal(parsed.secret, token.slice(-25));
  for (const bad of ['', 'SWMTKN-1-abc-def', token.replace('SWMTKN-1', 'SWMTKN-3'), `${token}-x`, token.replace(/.$/, 'Z'), `SWMTKN-1-${'z'.repeat(50)}-${'0'.repeat(25)}`]) {
    t.throws(() => parseJoinToken(bad), { code: 'CA_INVALID_TOKEN', status: 400, message: 'invalid join token' }, JSON.stringify(bad));
  }
});

t.test('a manager whose root CA is not the token\'s is refused', async (t) => {
  const digest = bytes(32, 1);
  const token = parseJoinToken(makeJoinToken(digest, bytes(16, 2)));
  t.doesNotThrow(() => checkRemoteCA(token, bytes(32, 1)));
  t.throws(() => checkRemoteCA(token, bytes(32, 3)), {
    code: 'CA_FINGERPRINT_MISMATCH', message: `remote CA does not match fingerprint. Expected: ${'01'.repeat(32)}`,
  });
});
