/**
 * `swarm join` on the joining node: fetch the manager's root CA over TLS
 * without trusting it, check it against the digest in the join token
 * (swarmkit's "remote CA does not match fingerprint"), then, trusting only
 * that root, send a CSR with the token and get the node's certificate (and
 * id) back. The key never leaves the node.
 */
import { cluster, type SwarmNode } from '@shoal/common';
import { callUnary, caDigest, checkRemoteCA, newNodeKey, parseJoinToken, pinnedCAClient, unverifiedCAClient } from '@shoal/manager';
import { swarmErrors } from './errors.js';

/** What a node has after joining. */
export interface Joined {
  nodeId: string;
  clusterId: string;
  role: 'worker' | 'manager';
  rootCaPem: string;
  certPem: string;
  keyPem: string;
}

/** The gRPC error's text as the other side put it (`details`), else its message. */
function reason(e: unknown): string {
  const g = e as { details?: string; message?: string };
  return g.details !== undefined && g.details !== '' ? g.details : g.message ?? String(e);
}

/** Joins the swarm of the manager at `remote` (host:port) with `token`. */
export async function joinSwarm(o: { remote: string; token: string; addr: string; availability: string; description: SwarmNode['Description'] }): Promise<Joined> {
  const token = parseJoinToken(o.token);
  const probe = unverifiedCAClient(o.remote);
  let rootCaPem: string;
  try {
    rootCaPem = (await callUnary<cluster.GetRootCACertificateResponse>(probe, 'getRootCACertificate', cluster.create(cluster.GetRootCACertificateRequestSchema, {}))).certificate;
  } catch (e) {
    throw swarmErrors.make('JOIN_UNREACHABLE', `could not reach a swarm manager at ${o.remote}: ${reason(e)}`, { cause: e });
  } finally {
    probe.close();
  }
  checkRemoteCA(token, caDigest(rootCaPem));
  const key = await newNodeKey();
  const ca = pinnedCAClient(o.remote, rootCaPem);
  try {
    const d = o.description;
    const r = await callUnary<cluster.IssueNodeCertificateResponse>(ca, 'issueNodeCertificate', cluster.create(cluster.IssueNodeCertificateRequestSchema, {
      csr: key.csrPem, token: o.token.trim(), addr: o.addr, availability: o.availability,
      description: {
        hostname: d.Hostname, os: d.Platform.OS, architecture: d.Platform.Architecture, nanoCpus: BigInt(d.Resources.NanoCPUs),
        memoryBytes: BigInt(d.Resources.MemoryBytes), engineVersion: d.Engine.EngineVersion, engineLabels: d.Engine.Labels ?? {},
      },
    }), 30_000);
    return { nodeId: r.nodeId, clusterId: r.clusterId, role: r.role === cluster.NodeRole.MANAGER ? 'manager' : 'worker', rootCaPem: r.rootCa, certPem: r.certificate, keyPem: key.keyPem };
  } catch (e) {
    const code = (e as { code?: number }).code;
    // The manager's refusal (wrong token, manager join) keeps its sentence and its kind.
    if (code === 3) throw swarmErrors.make('JOIN_REFUSED', reason(e), { cause: e });
    if (code === 12) throw swarmErrors.make('JOIN_UNSUPPORTED', reason(e), { cause: e });
    throw swarmErrors.make('JOIN_UNREACHABLE', `could not join through ${o.remote}: ${reason(e)}`, { cause: e });
  } finally {
    ca.close();
  }
}
