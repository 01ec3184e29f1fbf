import t from 'tap';
import { randomBytes, X509Certificate } from 'node:crypto';
import { createRootCA, newNodeKey, signNodeCSR } from './root-ca.js';
import { peerChecker } from './peer-identity.js';

const der = (pem: string): Buffer => new X509Certificate(pem).raw;
const serial = (): Uint8Array => new Uint8Array(randomBytes(16));

t.test('a certificate of the swarm names its node and role; others, expired ones and none are refused', async (t) => {
  const now = Date.now();
  const ca = await createRootCA({ now, serial: serial() });
  const other = await createRootCA({ now, serial: serial() });
  const { csrPem } = await newNodeKey();
  const sign = (root: typeof ca, role: 'manager' | 'worker', at = now) => signNodeCSR(root, csrPem, { nodeId: 'abc', role, organization: 'c1', now: at, serial: serial(), expiryMs: 3_600_000 });
  const check = peerChecker(ca.certPem, () => now);
  t.same(check(der(await sign(ca, 'manager'))), { nodeId: 'abc', role: 'manager' });
  t.same(check(der(await sign(ca, 'worker'))), { nodeId: 'abc', role: 'worker' });
  t.equal(check(der(await sign(other, 'manager'))), undefined, 'another swarm\'s CA');
  t.equal(check(der(await sign(ca, 'manager', now - 7_200_000))), undefined, 'expired');
  t.equal(check(undefined), undefined, 'no certificate');
  t.equal(check(Buffer.from('junk')), undefined, 'not a certificate');
});
