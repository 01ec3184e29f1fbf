/**
 * Who is at the other end of a call on the cluster port, from the client
 * certificate TLS received: checked against the swarm's root CA (issuer,
 * signature, validity) synchronously with Node's X509Certificate, since
 * TLS itself only requests client certificates (a joining node has none).
 */
import { X509Certificate } from 'node:crypto';
import type { NodeRole } from './root-ca.js';

/** A checked peer: the node id (CN) and role (OU) of its certificate. */
export interface Peer {
  nodeId: string;
  role: NodeRole;
}

/** A checker of raw (DER) client certificates against `caPem`; undefined for none or a refused one. */
export function peerChecker(caPem: string, now: () => number): (raw: Buffer | undefined) => Peer | undefined {
  const ca = new X509Certificate(caPem);
  return (raw) => {
    if (raw === undefined || raw.length === 0) return undefined;
    let cert: X509Certificate;
    try {
      cert = new X509Certificate(raw);
    } catch {
      return undefined;
    }
    if (!cert.checkIssued(ca) || !cert.verify(ca.publicKey)) return undefined;
    const t = now();
    if (t < Date.parse(cert.validFrom) || t > Date.parse(cert.validTo)) return undefined;
    const fields = new Map(cert.subject.split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)] as const));
    const nodeId = fields.get('CN');
    const ou = fields.get('OU');
    const role: NodeRole | undefined = ou === 'swarm-manager' ? 'manager' : ou === 'swarm-worker' ? 'worker' : undefined;
    if (nodeId === undefined || nodeId === '' || role === undefined) return undefined;
    return { nodeId, role };
  };
}
