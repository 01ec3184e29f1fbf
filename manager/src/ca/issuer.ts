/**
 * The CA's service to joining nodes: the root certificate (for the digest
 * check the node makes against its token), and a node certificate for a
 * CSR presented with a valid join token. The token's secret says the role;
 * the node gets a new id, and its node object enters the store in the same
 * step (state `unknown` until its dispatcher session starts; a manager
 * then asks to be added to Raft).
 */
import type { Clock, SwarmNode } from '@shoal/common';
import type { Store } from '../store/index.js';
import { caErrors } from './errors.js';
import { newNodeId, parseJoinToken } from './identity.js';
import { signNodeCSR, type NodeRole } from './root-ca.js';

/** What a joining node asks. */
export interface IssueRequest {
  csrPem: string;
  token: string;
  description: SwarmNode['Description'];
  /** The address the node is reached at: host:port (the port is its cluster port, which matters for a manager). */
  addr: string;
  availability: string;
}

/** What it gets. */
export interface Issued {
  nodeId: string;
  role: NodeRole;
  certificate: string;
  rootCa: string;
  clusterId: string;
}

/** Docker's sentence for a token that is not one of the swarm's. */
export const INVALID_JOIN_TOKEN = 'A valid join token is necessary to join this cluster';

interface ClusterCA {
  JoinTokens: { Worker: string; Manager: string };
  RootCA: { CACert: string; CAKey: string };
  Spec: { CAConfig?: { NodeCertExpiry?: number } };
}

/** Issues node certificates from the root CA kept in the store. */
export class NodeIssuer {
  readonly #o: { store: Store; clusterId: string; clock: Clock; random: (n: number) => Uint8Array };

  constructor(o: { store: Store; clusterId: string; clock: Clock; random: (n: number) => Uint8Array }) {
    this.#o = o;
  }

  #cluster(): ClusterCA {
    const c = this.#o.store.view((tx) => tx.get('clusters', this.#o.clusterId));
    if (c === undefined) throw new Error('the swarm\'s cluster object is missing');
    return c as unknown as ClusterCA;
  }

  /** The root CA certificate, PEM. */
  rootCertificate(): string {
    return this.#cluster().RootCA.CACert;
  }

  /** A certificate for a joining node, a worker or a manager as its token says; CA_WRONG_TOKEN, CA_INVALID_TOKEN, CA_INVALID_CSR. */
  async issue(req: IssueRequest): Promise<Issued> {
    const token = parseJoinToken(req.token);
    const cluster = this.#cluster();
    const role: NodeRole | undefined = req.token.trim() === cluster.JoinTokens.Worker ? 'worker' : req.token.trim() === cluster.JoinTokens.Manager ? 'manager' : undefined;
    if (role === undefined || token.secret === '') throw caErrors.make('WRONG_TOKEN', INVALID_JOIN_TOKEN);
    if (!['active', 'pause', 'drain', ''].includes(req.availability)) throw caErrors.make('INVALID_REQUEST', `invalid availability: ${req.availability}`);
    const nodeId = newNodeId(this.#o.random(16));
    const now = this.#o.clock.now();
    const expiryNs = cluster.Spec.CAConfig?.NodeCertExpiry;
    const certificate = await signNodeCSR({ certPem: cluster.RootCA.CACert, keyPem: cluster.RootCA.CAKey }, req.csrPem, {
      nodeId, role, organization: this.#o.clusterId, now, serial: this.#o.random(16), ...(expiryNs !== undefined ? { expiryMs: expiryNs / 1e6 } : {}),
    });
    await this.#o.store.update((tx) => {
      tx.create('nodes', {
        ID: nodeId,
        Spec: { Labels: {}, Role: role, Availability: req.availability === '' ? 'active' : req.availability },
        Description: { ...req.description, TLSInfo: { TrustRoot: cluster.RootCA.CACert } },
        Status: { State: 'unknown', Addr: req.addr.replace(/:\d+$/, '') },
        // A manager is reachable once it is in Raft (the leader adds it when it asks to join).
        ...(role === 'manager' ? { ManagerStatus: { Reachability: 'unknown', Addr: /:\d+$/.test(req.addr) ? req.addr : `${req.addr}:2377` } } : {}),
        Certificate: certificate,
      });
    });
    return { nodeId, role, certificate, rootCa: cluster.RootCA.CACert, clusterId: this.#o.clusterId };
  }
}
