/**
 * Clients of the cluster port, over TLS: of the CA (a node joining), of the
 * dispatcher (every node's agent) and of the manager service (a manager
 * forwarding to the leader). Before it has a
 * certificate a node trusts a manager only through the root CA digest in
 * its join token; afterwards it trusts only that root and presents its own
 * certificate (mutual TLS). Managers' certificates name them
 * `swarm-manager` (a SAN), which is what the client checks.
 */
import * as grpc from '@grpc/grpc-js';
import { cluster } from '@shoal/common';
import type { NodeTls } from '../ca/node-tls.js';

/** The name every manager certificate carries (SAN), checked instead of the address. */
export const MANAGER_NAME = 'swarm-manager';

/** A client of one cluster service: its methods by lowerCamelCase name. */
export type ClusterClient = grpc.Client & Record<string, (...args: unknown[]) => unknown>;
type Client = ClusterClient;

function client(service: Parameters<typeof cluster.grpcDefinition>[0], addr: string, creds: grpc.ChannelCredentials, options: grpc.ChannelOptions = {}): Client {
  const Ctor = grpc.makeGenericClientConstructor(cluster.grpcDefinition(service) as unknown as grpc.ServiceDefinition, service.name);
  return new Ctor(addr, creds, { 'grpc.keepalive_time_ms': 5000, 'grpc.keepalive_timeout_ms': 5000, ...options }) as unknown as Client;
}

/** Calls a unary method with a deadline; rejects with the server's message. */
export function callUnary<O>(c: Client, method: string, request: unknown, timeoutMs = 10_000): Promise<O> {
  return new Promise((resolve, reject) => {
    const fn = c[method] as (req: unknown, md: grpc.Metadata, opts: grpc.CallOptions, cb: (e: grpc.ServiceError | null, r: O) => void) => void;
    fn.call(c, request, new grpc.Metadata(), { deadline: Date.now() + timeoutMs }, (e, r) => (e !== null ? reject(e) : resolve(r)));
  });
}

/** A CA client that trusts any certificate: only for fetching the root CA, which the caller then checks against its token. */
export function unverifiedCAClient(addr: string): Client {
  return client(cluster.CAService, addr, grpc.credentials.createSsl(null, null, null, { rejectUnauthorized: false, checkServerIdentity: () => undefined }), { 'grpc.ssl_target_name_override': MANAGER_NAME });
}

/** A CA client that trusts only `rootCaPem`. */
export function pinnedCAClient(addr: string, rootCaPem: string): Client {
  return client(cluster.CAService, addr, grpc.credentials.createSsl(Buffer.from(rootCaPem)), { 'grpc.ssl_target_name_override': MANAGER_NAME });
}

/** A client of `service` at a manager, with the node's certificate (mutual TLS). */
export function nodeClient(service: Parameters<typeof cluster.grpcDefinition>[0], addr: string, tls: NodeTls): Client {
  const creds = grpc.credentials.createSsl(Buffer.from(tls.rootCaPem), Buffer.from(tls.keyPem), Buffer.from(tls.certPem));
  return client(service, addr, creds, { 'grpc.ssl_target_name_override': MANAGER_NAME });
}

/** A dispatcher client with the node's certificate (mutual TLS). */
export function dispatcherClient(addr: string, tls: NodeTls): Client {
  return nodeClient(cluster.DispatcherService, addr, tls);
}
