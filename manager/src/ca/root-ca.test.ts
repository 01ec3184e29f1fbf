import t from 'tap';
import { X509Certificate } from 'node:crypto';
import { caDigest, createRootCA, newNodeKey, signNodeCSR, verifyNodeCert } from './root-ca.js';
import { checkRemoteCA, makeJoinToken, newNodeId, parseJoinToken } from './identity.js';

const NOW = Date.parse('2026-12-07T12:00:00Z');
const DAY = 24 * 3600 * 1000;
const serial = (v: number): Uint8Array => new Uint8Array(16).fill(v);

t.test('a joining node: token pins the CA, CSR signed with its id and role, verified by peers', async (t) => {
  const ca = await createRootCA({ now: NOW, serial: serial(1) });
  const root = new X509Certificate(ca.certPem);
  t.equal(root.subject, 'CN=swarm-ca');
  t.ok(root.ca, 'a CA certificate');
  t.ok(root.verify(root.publicKey), 'self-signed');

  // The worker token names the CA's digest; a node checks the manager's CA against it.
  const token = parseJoinToken(makeJoinToken(caDigest(ca.certPem), serial(2)));
  t.doesNotThrow(() => checkRemoteCA(token, caDigest(ca.certPem)));
  const other = await createRootCA({ now: NOW, serial: serial(3) });
  t.throws(() => checkRemoteCA(token, caDigest(other.certPem)), { code: 'CA_FINGERPRINT_MISMATCH' });

  // The node sends a CSR; the CA gives it an id and the worker role.
  const node = await newNodeKey();
  const nodeId = newNodeId(serial(4));
  const certPem = await signNodeCSR(ca, node.csrPem, { nodeId, role: 'worker', organization: 'cluster1', now: NOW, serial: serial(5) });
  const cert = new X509Certificate(certPem);
  t.equal(cert.subject.split('\n').sort().join(','), `CN=${nodeId},O=cluster1,OU=swarm-worker`);
  t.equal(cert.subjectAltName, `DNS:swarm-worker, DNS:${nodeId}`);
  t.ok(cert.verify(root.publicKey), 'signed by the root');
  t.ok(cert.checkPrivateKey(await import('node:crypto').then((c) => c.createPrivateKey(node.keyPem))), 'for the node\'s own key');
  t.match(cert.keyUsage, ['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2'], 'server and client TLS');
  t.equal(Date.parse(cert.validTo) - NOW > 89 * DAY, true, '90 days by default');

  const id = await verifyNodeCert(certPem, ca.certPem, NOW);
  t.match(id, { nodeId, role: 'worker', organization: 'cluster1' });
  const manager = await signNodeCSR(ca, node.csrPem, { nodeId, role: 'manager', organization: 'cluster1', now: NOW, serial: serial(6) });
  t.equal((await verifyNodeCert(manager, ca.certPem, NOW)).role, 'manager');
});

t.test('refusals: a certificate of another CA, an expired one, a forged CSR, garbage', async (t) => {
  const ca = await createRootCA({ now: NOW, serial: serial(1) });
  const other = await createRootCA({ now: NOW, serial: serial(2) });
  const node = await newNodeKey();
  const opts = { nodeId: newNodeId(serial(3)), role: 'worker' as const, organization: 'c', now: NOW, serial: serial(4) };
  const foreign = await signNodeCSR(other, node.csrPem, opts);
  await t.rejects(verifyNodeCert(foreign, ca.certPem, NOW), { code: 'CA_INVALID_CERTIFICATE' });
  const short = await signNodeCSR(ca, node.csrPem, { ...opts, expiryMs: DAY });
  await t.rejects(verifyNodeCert(short, ca.certPem, NOW + 2 * DAY), { code: 'CA_INVALID_CERTIFICATE' }, 'expired');
  await t.rejects(verifyNodeCert('not a certificate', ca.certPem, NOW), { code: 'CA_INVALID_CERTIFICATE' });
  await t.rejects(signNodeCSR(ca, 'nonsense', opts), { code: 'CA_INVALID_CSR' });
  // A CSR whose signed body was changed after signing.
  const b64 = node.csrPem.split('\n').filter((l) => !l.startsWith('-----')).join('');
  const der = Buffer.from(b64, 'base64');
  der[der.length - 80] = (der[der.length - 80] ?? 0) ^ 0xff;
  const forged = `-----BEGIN CERTIFICATE REQUEST-----\n${der.toString('base64').replace(/(.{64})/g, '$1\n')}\n-----END CERTIFICATE REQUEST-----\n`;
  await t.rejects(signNodeCSR(ca, forged, opts), { code: 'CA_INVALID_CSR' });
});
