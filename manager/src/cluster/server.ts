/**
 * The cluster port (2377 by default): one gRPC server over TLS with the
 * manager's node certificate, serving the CA (to anyone: a joining node
 * has no certificate yet, its token is the secret) and the dispatcher (to
 * nodes only: every call must present a node certificate that this
 * swarm's root CA signed; the certificate's CN is the node it speaks for).
 * Client certificates are requested but not required by TLS, so that
 * joins work on the same port; each dispatcher call checks its own.
 */
import * as grpc from '@grpc/grpc-js';
import type { PeerCertificate } from 'node:tls';
import { cluster, type Clock, type Logger, type ShoalError, type SwarmNode } from '@shoal/common';
import { caErrors } from '../ca/errors.js';
import type { NodeIssuer } from '../ca/issuer.js';
import { verifyNodeCert } from '../ca/root-ca.js';
import type { Dispatcher } from '../dispatcher/dispatcher.js';
import type { NodeLiveness } from '../dispatcher/liveness.js';

/** What the cluster server serves. */
export interface ClusterServerOptions {
  /** host:port; port 0 picks one. */
  listen: string;
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
  clock: Clock;
  log: Logger;
}

/** A running cluster server. */
export interface ClusterServer {
  port: number;
  stop(): Promise<void>;
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

function pemOf(cert: PeerCertificate): string {
  const b64 = cert.raw.toString('base64').replace(/(.{64})/g, '$1\n').trimEnd();
  return `-----BEGIN CERTIFICATE-----\n${b64}\n-----END CERTIFICATE-----\n`;
}

/** A gRPC status for one of our errors (the message is what the other side prints). */
export function grpcError(e: unknown): grpc.ServiceError {
  const se = e as Partial<ShoalError> & Error;
  const status = se.status ?? 500;
  const code = status === 400 ? grpc.status.INVALID_ARGUMENT : status === 401 ? grpc.status.UNAUTHENTICATED : status === 403 ? grpc.status.PERMISSION_DENIED
    : status === 404 ? grpc.status.NOT_FOUND : status === 501 ? grpc.status.UNIMPLEMENTED : status === 503 ? grpc.status.UNAVAILABLE : grpc.status.UNKNOWN;
  const metadata = new grpc.Metadata();
  if (se.code !== undefined) metadata.set('shoal-code', se.code);
  return Object.assign(new Error(se.message), { code, details: se.message, metadata }) as grpc.ServiceError;
}

/** Starts the cluster server. */
export async function startClusterServer(o: ClusterServerOptions): Promise<ClusterServer> {
  const server = new grpc.Server({ 'grpc.keepalive_time_ms': 5000, 'grpc.keepalive_timeout_ms': 5000, 'grpc.keepalive_permit_without_calls': 1 });
  const provider = staticProvider(o.rootCaPem, o.certPem, o.keyPem);
  const credentials = grpc.experimental.createCertificateProviderServerCredentials(provider, provider, false);

  /** The node a call speaks for, from its client certificate. */
  const nodeOf = async (call: { getAuthContext(): { sslPeerCertificate?: PeerCertificate } }): Promise<string> => {
    const cert = call.getAuthContext().sslPeerCertificate;
    if (cert === undefined || cert.raw === undefined) throw caErrors.make('UNAUTHENTICATED', 'this call needs a node certificate of the swarm');
    const id = await verifyNodeCert(pemOf(cert), o.rootCaPem, o.clock.now()).catch((e: unknown) => {
      throw caErrors.make('UNAUTHENTICATED', `node certificate refused: ${(e as Error).message}`);
    });
    return id.nodeId;
  };
  const unary = <I, O>(fn: (call: grpc.ServerUnaryCall<I, O>) => Promise<O>) => (call: grpc.ServerUnaryCall<I, O>, cb: grpc.sendUnaryData<O>): void => {
    fn(call).then((r) => cb(null, r), (e: unknown) => cb(grpcError(e)));
  };

  server.addService(cluster.grpcDefinition(cluster.CAService) as unknown as grpc.ServiceDefinition, {
    getRootCACertificate: unary(async () => cluster.create(cluster.GetRootCACertificateResponseSchema, { certificate: o.issuer.rootCertificate() })),
    issueNodeCertificate: unary(async (call: grpc.ServerUnaryCall<cluster.IssueNodeCertificateRequest, unknown>) => {
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

  server.addService(cluster.grpcDefinition(cluster.DispatcherService) as unknown as grpc.ServiceDefinition, {
    session: (call: grpc.ServerWritableStream<cluster.SessionRequest, cluster.SessionResponse>) => {
      void (async () => {
        const nodeId = await nodeOf(call);
        await o.liveness.beat(nodeId);
        call.write(cluster.create(cluster.SessionResponseSchema, { sessionId: nodeId, managers: o.managers(), heartbeatPeriodMs: o.heartbeatMs() }));
        o.log.info({ node: nodeId }, 'node session started');
      })().catch((e: unknown) => call.destroy(grpcError(e)));
    },
    heartbeat: unary(async (call: grpc.ServerUnaryCall<cluster.HeartbeatRequest, unknown>) => {
      await o.liveness.beat(await nodeOf(call));
      return cluster.create(cluster.HeartbeatResponseSchema, { periodMs: o.heartbeatMs() });
    }),
    assignments: (call: grpc.ServerWritableStream<cluster.AssignmentsRequest, cluster.AssignmentsResponse>) => {
      const abort = new AbortController();
      call.on('cancelled', () => abort.abort());
      call.on('close', () => abort.abort());
      void (async () => {
        const nodeId = await nodeOf(call);
        for await (const a of o.dispatcher.assignments(nodeId, abort.signal)) {
          call.write(cluster.create(cluster.AssignmentsResponseSchema, { full: a.full, tasks: a.tasks.map((t) => cluster.taskToProto(t)), removed: a.removed }));
        }
      })().catch((e: unknown) => call.destroy(grpcError(e)));
    },
    updateTaskStatus: unary(async (call: grpc.ServerUnaryCall<cluster.UpdateTaskStatusRequest, unknown>) => {
      const nodeId = await nodeOf(call);
      await o.dispatcher.updateTaskStatus(nodeId, call.request.updates.map((u) => ({ taskId: u.taskId, status: cluster.statusFromProto(u.status) })));
      return cluster.create(cluster.UpdateTaskStatusResponseSchema, {});
    }),
  });

  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(o.listen, credentials, (err, p) => (err !== null ? reject(err) : resolve(p)));
  });
  return {
    port,
    stop: () => new Promise<void>((resolve) => {
      server.tryShutdown(() => resolve());
      // Streams (sessions, assignments) never end on their own: cut them after a moment.
      setTimeout(() => server.forceShutdown(), 500).unref();
    }),
  };
}
