/**
 * The swarm's root CA and node certificates, in swarmkit's layout: an ECDSA
 * P-256 root `CN=swarm-ca`; a node certificate's subject is `CN=<node id>,
 * OU=swarm-manager|swarm-worker, O=<cluster id>`, with those names as DNS
 * SANs too, for client and server TLS. X.509 through @peculiar/x509 on
 * Node's WebCrypto (see the package README for why that library).
 */
import 'reflect-metadata';
import { createHash, webcrypto } from 'node:crypto';
type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;
import * as x509 from '@peculiar/x509';
import { caErrors } from './errors.js';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const EC = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGN = { name: 'ECDSA', hash: 'SHA-256' } as const;
const DAY = 24 * 3600 * 1000;

/** The two roles a certificate can carry (its OU). */
export type NodeRole = 'manager' | 'worker';

/** A root CA: its certificate and private key (PKCS#8), both PEM. */
export interface RootCA {
  certPem: string;
  keyPem: string;
}

/** What a node certificate says. */
export interface NodeIdentity {
  nodeId: string;
  role: NodeRole;
  /** The cluster id (O). */
  organization: string;
  notBefore: Date;
  notAfter: Date;
}

function pem(label: string, der: ArrayBuffer): string {
  return x509.PemConverter.encode(der, label);
}

async function importKey(keyPem: string): Promise<CryptoKey> {
  return webcrypto.subtle.importKey('pkcs8', x509.PemConverter.decodeFirst(keyPem), EC, false, ['sign']) as Promise<CryptoKey>;
}

function serialHex(serial: Uint8Array): string {
  // Positive, as X.509 wants: clear the top bit.
  const b = Uint8Array.from(serial);
  if (b.length > 0) b[0] = (b[0] ?? 0) & 0x7f;
  return Buffer.from(b).toString('hex');
}

/** A new root CA valid from `now` for `expiryMs` (default 20 years, as swarmkit). */
export async function createRootCA(o: { now: number; serial: Uint8Array; expiryMs?: number }): Promise<RootCA> {
  const keys = await webcrypto.subtle.generateKey(EC, true, ['sign', 'verify']) as CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serialHex(o.serial),
    name: 'CN=swarm-ca',
    notBefore: new Date(o.now - 60_000),
    notAfter: new Date(o.now + (o.expiryMs ?? 20 * 365 * DAY)),
    keys,
    signingAlgorithm: SIGN,
    extensions: [
      new x509.BasicConstraintsExtension(true, 1, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { certPem: cert.toString('pem'), keyPem: pem('PRIVATE KEY', await webcrypto.subtle.exportKey('pkcs8', keys.privateKey) as ArrayBuffer) };
}

/** SHA-256 of the root CA certificate as PEM text (what a join token pins). */
export function caDigest(certPem: string): Uint8Array {
  return new Uint8Array(createHash('sha256').update(certPem).digest());
}

/** A node's new key pair and the CSR it sends to join (the CA sets the subject itself). */
export async function newNodeKey(): Promise<{ keyPem: string; csrPem: string }> {
  const keys = await webcrypto.subtle.generateKey(EC, true, ['sign', 'verify']) as CryptoKeyPair;
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({ name: 'CN=swarm-node', keys, signingAlgorithm: SIGN });
  return { keyPem: pem('PRIVATE KEY', await webcrypto.subtle.exportKey('pkcs8', keys.privateKey) as ArrayBuffer), csrPem: csr.toString('pem') };
}

/**
 * Sign a node's CSR (its signature checked) as node `nodeId` with `role` in
 * cluster `organization`, valid from `now` for `expiryMs` (default 90 days,
 * Docker's --cert-expiry). Throws CA_INVALID_CSR.
 */
export async function signNodeCSR(ca: RootCA, csrPem: string, o: {
  nodeId: string; role: NodeRole; organization: string; now: number; serial: Uint8Array; expiryMs?: number;
}): Promise<string> {
  let csr: x509.Pkcs10CertificateRequest;
  try {
    csr = new x509.Pkcs10CertificateRequest(csrPem);
  } catch (e) {
    throw caErrors.make('INVALID_CSR', `certificate request does not parse: ${(e as Error).message}`, { cause: e });
  }
  if (!(await csr.verify().catch(() => false))) throw caErrors.make('INVALID_CSR', 'certificate request signature does not verify');
  const caCert = new x509.X509Certificate(ca.certPem);
  const ou = `swarm-${o.role}`;
  const publicKey = await csr.publicKey.export(EC, ['verify']).catch((e: unknown) => {
    throw caErrors.make('INVALID_CSR', 'certificate request must carry an ECDSA P-256 key', { cause: e });
  });
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serialHex(o.serial),
    subject: `CN=${o.nodeId}, OU=${ou}, O=${o.organization}`,
    issuer: caCert.subject,
    notBefore: new Date(o.now - 60_000),
    notAfter: new Date(o.now + (o.expiryMs ?? 90 * DAY)),
    publicKey,
    signingKey: await importKey(ca.keyPem),
    signingAlgorithm: SIGN,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth]),
      new x509.SubjectAlternativeNameExtension([{ type: 'dns', value: ou }, { type: 'dns', value: o.nodeId }]),
      await x509.AuthorityKeyIdentifierExtension.create(caCert),
    ],
  });
  return cert.toString('pem');
}

function subjectField(cert: x509.X509Certificate, type: string): string | undefined {
  return cert.subjectName.getField(type)[0];
}

/**
 * The identity in a node certificate, once checked: signed by `caPem`,
 * valid at `now`, CN a node id, OU a role. Throws CA_INVALID_CERTIFICATE
 * (what a manager does with a peer's certificate before it trusts its id).
 */
export async function verifyNodeCert(certPem: string, caPem: string, now: number): Promise<NodeIdentity> {
  let cert: x509.X509Certificate;
  try {
    cert = new x509.X509Certificate(certPem);
  } catch (e) {
    throw caErrors.make('INVALID_CERTIFICATE', `node certificate does not parse: ${(e as Error).message}`, { cause: e });
  }
  const ca = new x509.X509Certificate(caPem);
  const signed = await cert.verify({ publicKey: ca.publicKey, date: new Date(now) }).catch(() => false);
  if (!signed) throw caErrors.make('INVALID_CERTIFICATE', 'node certificate is not signed by this swarm\'s root CA or is not valid now');
  const nodeId = subjectField(cert, 'CN');
  const ou = subjectField(cert, 'OU');
  const organization = subjectField(cert, 'O') ?? '';
  const role = ou === 'swarm-manager' ? 'manager' : ou === 'swarm-worker' ? 'worker' : undefined;
  if (nodeId === undefined || role === undefined) throw caErrors.make('INVALID_CERTIFICATE', 'node certificate lacks a node id (CN) or a swarm role (OU)');
  return { nodeId, role, organization, notBefore: cert.notBefore, notAfter: cert.notAfter };
}
