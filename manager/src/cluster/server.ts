/**
 * The cluster port (2377 by default): one gRPC server over TLS with the
 * manager's node certificate, serving the CA (to anyone: a joining node
 * has no certificate yet, its token is the secret), the dispatcher (to
 * nodes: every call must present a node certificate of this swarm; the
 * certificate's CN is the node it speaks for; only the leader serves
 * sessions), the manager service (to managers only: Raft joins, and the
 * swarm calls followers forward to the leader) and Raft itself (raft-ts's
 * transport, added by the caller before binding). Client certificates are
 * requested but not required by TLS, so that joins work on the same port;
 * each call checks its own against the root CA.
 */
import * as grpc from '@grpc/grpc-js';
import { cluster, type Clock, type Logger, type ShoalError, type SwarmNode } from '@shoal/common';
import { caErrors } from '../ca/errors.js';
import type { NodeIssuer } from '../ca/issuer.js';
import { peerChecker, type Peer } from '../ca/peer-identity.js';
import type { Dispatcher } from '../dispatcher/dispatcher.js';
import type { NodeLiveness } from '../dispatcher/liveness.js';

/** An Engine API swarm call, as the control router takes it. */
export interface ControlCall {
  route: string;
  params: Record<string, string>;
  query: Record<string, string | undefined>;
  body: unknown;
}

/** What the cluster server serves. */
export interface ClusterServerOptions {
  rootCaPem: string;
  certPem: string;
  keyPem: string;
  issuer: NodeIssuer;
  dispatcher: Dispatcher;
  liveness: NodeLiveness;
  /** Heartbeat period in ms (the cluster's Dispatcher.HeartbeatPeriod). */
  heartbeatMs: () => number;
  /** Cluster addresses of the managers (host:port), for agents to fail over to. */
  managers: () => string[];
  /** Whether this manager leads now (only the leader holds node sessions). */
  isLeader: () => boolean;
  /** Adds the calling manager to Raft (the leader does it; a follower forwards); resolves with the index it joined at. */
  joinRaft: (peer: Peer, addr: string) => Promise<number>;
  /** Runs a forwarded swarm call (on the leader). */
  control: (call: ControlCall) => Promise<{ status: number; body: unknown }>;
  clock: Clock;
  log: Logger;
}

/**
 * Hands grpc-js the same certificates for good (rotation comes with `swarm
 * ca --rotate`). Listeners are called on a later tick, as grpc-js's own
 * providers do: the server registers its watcher only after adding them.
 */
function staticProvider(caPem: string, certPem: string, keyPem: string): grpc.experimental.CertificateProvider {
  return {
    addCaCertificateListener: (l) => { setImmediate(() => l({ caCertificate: Buffer.from(caPem) })); },
    removeCaCertificateListener: () => undefined,
    addIdentityCertificateListener: (l) => { setImmediate(() => l({ certificate: Buffer.from(certPem), privateKey: Buffer.from(keyPem) })); },
    removeIdentityCertificateListener: () => undefined,
  };
}

/** A gRPC status for one of our errors (the message is what the other side prints; the code and HTTP status travel in metadata). */
export function grpcError(e: unknown): grpc.ServiceError {
  const se = e as Partial<ShoalError> & Error;
  const status = se.status ?? 500;
  const code = status === 400 ? grpc.status.INVALID_ARGUMENT : status === 401 ? grpc.status.UNAUTHENTICATED : status === 403 ? grpc.status.PERMISSION_DENIED
    : status === 404 ? grpc.status.NOT_FOUND : status === 409 ? grpc.status.ALREADY_EXISTS : status === 501 ? grpc.status.UNIMPLEMENTED
      : status === 503 ? grpc.status.UNAVAILABLE : grpc.status.UNKNOWN;
  const metadata = new grpc.Metadata();
  if (se.code !== undefined) metadata.set('shoal-code', se.code);
  metadata.set('http-status', String(status));
  return Object.assign(new Error(se.message), { code, details: se.message, metadata }) as grpc.ServiceError;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const json = (b: Uint8Array): unknown => (b.length === 0 ? undefined : JSON.parse(decoder.decode(b)));

/** The gRPC server of the cluster port. Raft's service is added by the caller (raft-ts's GrpcTransport.serve) before {@link bind}. */
export class ClusterServer {
  readonly server = new grpc.Server({ 'grpc.max_receive_message_length': 64 * 1024 * 1024, 'grpc.keepalive_time_ms': 1000, 'grpc.keepalive_timeout_ms': 1000, 'grpc.keepalive_permit_without_calls': 1 });
  readonly #o: ClusterServerOptions;
  readonly #peer: (raw: Buffer | undefined) => Peer | undefined;

  constructor(o: ClusterServerOptions) {
    this.#o = o;
    this.#peer = peerChecker(o.rootCaPem, () => o.clock.now());
    this.#addCA();
    this.#addDispatcher();
    this.#addManager();
  }

  /** The checked certificate of a call's peer; `role` limits it (manager-only calls). */
  peerOf(call: { getAuthContext(): { sslPeerCertificate?: { raw?: Buffer } } }, role?: 'manager'): Peer {
    const peer = this.#peer(call.getAuthContext().sslPeerCertificate?.raw);
    if (peer === undefined) throw caErrors.make('UNAUTHENTICATED', 'this call needs a node certificate of the swarm');
    if (role !== undefined && peer.role !== role) throw caErrors.make('UNAUTHENTICATED', 'this call is for managers: a worker\'s certificate is refused');
    return peer;
  }

  /** Binds `listen` (host:port; port 0 picks one) with TLS; resolves with the port. */
  bind(listen: string): Promise<number> {
    const provider = staticProvider(this.#o.rootCaPem, this.#o.certPem, this.#o.keyPem);
    const credentials = grpc.experimental.createCertificateProviderServerCredentials(provider, provider, false);
    return new Promise((resolve, reject) => {
      this.server.bindAsync(listen, credentials, (err, port) => (err !== null ? reject(err) : resolve(port)));
    });
  }

  stop(): Promise<void> {
    return new Promise<void>((resolve) => {
      this.server.tryShutdown(() => resolve());
      // Streams (sessions, assignments, Raft) never end on their own: cut them after a moment.
      setTimeout(() => this.server.forceShutdown(), 300).unref();
    });
  }

  #unary<I, O>(fn: (call: grpc.ServerUnaryCall<I, O>) => Promise<O>) {
    return (call: grpc.ServerUnaryCall<I, O>, cb: grpc.sendUnaryData<O>): void => {
      fn(call).then((r) => cb(null, r), (e: unknown) => cb(grpcError(e)));
    };
  }

  #notLeader(): Error {
    return caErrors.make('NOT_LEADER', 'this manager is not the leader: node sessions go to the leader');
  }

  #addCA(): void {
    const o = this.#o;
    this.server.addService(cluster.grpcDefinition(cluster.CAService) as unknown as grpc.ServiceDefinition, {
      getRootCACertificate: this.#unary(async () => cluster.create(cluster.GetRootCACertificateResponseSchema, { certificate: o.issuer.rootCertificate() })),
      issueNodeCertificate: this.#unary(async (call: grpc.ServerUnaryCall<cluster.IssueNodeCertificateRequest, unknown>) => {
        const r = call.request;
        const d = r.description;
        const issued = await o.issuer.issue({
          csrPem: r.csr, token: r.token, addr: r.addr, availability: r.availability,
          description: {
            Hostname: d?.hostname ?? '', Platform: { OS: d?.os ?? 'linux', Architecture: d?.architecture ?? '' },
            Resources: { NanoCPUs: Number(d?.nanoCpus ?? 0n), MemoryBytes: Number(d?.memoryBytes ?? 0n) },
            Engine: { EngineVersion: d?.engineVersion ?? '', Labels: { ...(d?.engineLabels ?? {}) } },
          } satisfies SwarmNode['Description'],
        });
        o.log.info({ node: issued.nodeId, role: issued.role, addr: r.addr }, 'node joined');
        return cluster.create(cluster.IssueNodeCertificateResponseSchema, {
          nodeId: issued.nodeId, role: issued.role === 'manager' ? cluster.NodeRole.MANAGER : cluster.NodeRole.WORKER,
          certificate: issued.certificate, rootCa: issued.rootCa, clusterId: issued.clusterId,
        });
      }),
    });
  }

  #addDispatcher(): void {
    const o = this.#o;
    this.server.addService(cluster.grpcDefinition(cluster.DispatcherService) as unknown as grpc.ServiceDefinition, {
      session: (call: grpc.ServerWritableStream<cluster.SessionRequest, cluster.SessionResponse>) => {
        void (async () => {
          const { nodeId } = this.peerOf(call);
          if (!o.isLeader()) throw this.#notLeader();
          await o.liveness.beat(nodeId);
          call.write(cluster.create(cluster.SessionResponseSchema, { sessionId: nodeId, managers: o.managers(), heartbeatPeriodMs: o.heartbeatMs() }));
          o.log.info({ node: nodeId }, 'node session started');
        })().catch((e: unknown) => { call.emit('error', grpcError(e)); });
      },
      heartbeat: this.#unary(async (call: grpc.ServerUnaryCall<cluster.HeartbeatRequest, unknown>) => {
        const { nodeId } = this.peerOf(call);
        if (!o.isLeader()) throw this.#notLeader();
        await o.liveness.beat(nodeId);
        return cluster.create(cluster.HeartbeatResponseSchema, { periodMs: o.heartbeatMs() });
      }),
      assignments: (call: grpc.ServerWritableStream<cluster.AssignmentsRequest, cluster.AssignmentsResponse>) => {
        const abort = new AbortController();
        call.on('cancelled', () => abort.abort());
        call.on('close', () => abort.abort());
        void (async () => {
          const { nodeId } = this.peerOf(call);
          if (!o.isLeader()) throw this.#notLeader();
          for await (const a of o.dispatcher.assignments(nodeId, abort.signal)) {
            call.write(cluster.create(cluster.AssignmentsResponseSchema, { full: a.full, tasks: a.tasks.map((t) => cluster.taskToProto(t)), removed: a.removed }));
          }
        })().catch((e: unknown) => { call.emit('error', grpcError(e)); });
      },
      updateTaskStatus: this.#unary(async (call: grpc.ServerUnaryCall<cluster.UpdateTaskStatusRequest, unknown>) => {
        const { nodeId } = this.peerOf(call);
        if (!o.isLeader()) throw this.#notLeader();
        await o.dispatcher.updateTaskStatus(nodeId, call.request.updates.map((u) => ({ taskId: u.taskId, status: cluster.statusFromProto(u.status) })));
        return cluster.create(cluster.UpdateTaskStatusResponseSchema, {});
      }),
    });
  }

  #addManager(): void {
    const o = this.#o;
    this.server.addService(cluster.grpcDefinition(cluster.ManagerService) as unknown as grpc.ServiceDefinition, {
      joinRaft: this.#unary(async (call: grpc.ServerUnaryCall<cluster.JoinRaftRequest, unknown>) => {
        const peer = this.peerOf(call, 'manager');
        const index = await o.joinRaft(peer, call.request.addr);
        return cluster.create(cluster.JoinRaftResponseSchema, { index: BigInt(index) });
      }),
      control: this.#unary(async (call: grpc.ServerUnaryCall<cluster.ControlRequest, unknown>) => {
        this.peerOf(call, 'manager');
        const r = call.request;
        const out = await o.control({
          route: r.route, params: (json(r.paramsJson) ?? {}) as Record<string, string>,
          query: (json(r.queryJson) ?? {}) as Record<string, string | undefined>, body: json(r.bodyJson),
        });
        return cluster.create(cluster.ControlResponseSchema, { status: out.status, bodyJson: out.body === undefined ? new Uint8Array() : encoder.encode(JSON.stringify(out.body)) });
      }),
    });
  }
}
