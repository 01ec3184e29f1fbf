// The cluster port of a real manager (initSwarm on loopback): the CA for
// joining nodes (root certificate, a certificate for a CSR with the worker
// token, Docker's refusal of a wrong token, no manager joins yet) and the
// dispatcher, which answers only nodes with a certificate of this swarm.
import t from 'tap';
import * as grpc from '@grpc/grpc-js';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cluster, systemClock } from '@shoal/common';
import { initSwarm } from '../bootstrap.js';
import { createRootCA, newNodeKey, signNodeCSR, verifyNodeCert } from '../ca/root-ca.js';

type Client = grpc.Client & Record<string, (...a: unknown[]) => unknown>;
const opts = { 'grpc.ssl_target_name_override': 'swarm-manager' };
function make(service: Parameters<typeof cluster.grpcDefinition>[0], addr: string, creds: grpc.ChannelCredentials): Client {
  const Ctor = grpc.makeGenericClientConstructor(cluster.grpcDefinition(service) as unknown as grpc.ServiceDefinition, service.name);
  return new Ctor(addr, creds, opts) as unknown as Client;
}
function call<O>(c: Client, method: string, req: unknown): Promise<O> {
  return new Promise((resolve, reject) => {
    (c[method] as (r: unknown, m: grpc.Metadata, o: grpc.CallOptions, cb: (e: grpc.ServiceError | null, r: O) => void) => void)
      .call(c, req, new grpc.Metadata(), { deadline: Date.now() + 10_000 }, (e, r) => (e !== null ? reject(e) : resolve(r)));
  });
}
const random = (n: number): Uint8Array => new Uint8Array(randomBytes(n));

t.test('CA and dispatcher on the cluster port', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'cluster-server-'));
  const m = await initSwarm({
    dir, clock: systemClock, random, advertiseAddr: '127.0.0.1:2377', listenAddr: '127.0.0.1:0', filters: () => ({}),
    description: { Hostname: 'mgr', Platform: { Architecture: 'x86_64', OS: 'linux' }, Resources: { NanoCPUs: 1e9, MemoryBytes: 2 ** 30 }, Engine: { EngineVersion: '0.1.0' } },
  });
  t.teardown(async () => { await m.stop(); await rm(dir, { recursive: true, force: true }); });
  const addr = `127.0.0.1:${m.clusterPort}`;
  const clusterObj = m.store.view((tx) => tx.get('clusters', m.clusterId)) as unknown as { RootCA: { CACert: string }; JoinTokens: { Worker: string; Manager: string } };
  const rootPem = clusterObj.RootCA.CACert;

  const anyone = make(cluster.CAService, addr, grpc.credentials.createSsl(null, null, null, { rejectUnauthorized: false }));
  t.teardown(() => anyone.close());
  const root = await call<cluster.GetRootCACertificateResponse>(anyone, 'getRootCACertificate', cluster.create(cluster.GetRootCACertificateRequestSchema, {}));
  t.equal(root.certificate, rootPem, 'anyone gets the root certificate (the token pins it)');

  const ca = make(cluster.CAService, addr, grpc.credentials.createSsl(Buffer.from(rootPem)));
  t.teardown(() => ca.close());
  const key = await newNodeKey();
  const ask = (token: string) => call<cluster.IssueNodeCertificateResponse>(ca, 'issueNodeCertificate', cluster.create(cluster.IssueNodeCertificateRequestSchema, {
    csr: key.csrPem, token, addr: '127.0.0.2:2377', availability: 'active', description: { hostname: 'wrk', os: 'linux', architecture: 'x86_64', nanoCpus: 2_000_000_000n, memoryBytes: 1n << 30n },
  }));
  const wrong = `${clusterObj.JoinTokens.Worker.slice(0, -5)}aaaaa`;
  await t.rejects(ask(wrong), { code: grpc.status.INVALID_ARGUMENT, details: 'A valid join token is necessary to join this cluster' });
  t.equal(m.store.view((tx) => tx.list('nodes').length), 1, 'refused joins leave no node behind');
  const issued = await ask(clusterObj.JoinTokens.Worker);
  t.equal(issued.role, cluster.NodeRole.WORKER);
  const identity = await verifyNodeCert(issued.certificate, rootPem, Date.now());
  t.same([identity.nodeId, identity.role, identity.organization], [issued.nodeId, 'worker', m.clusterId], 'the certificate names the node, its role and the cluster');
  t.match(m.store.view((tx) => tx.get('nodes', issued.nodeId)), { Spec: { Role: 'worker', Availability: 'active' }, Status: { State: 'unknown', Addr: '127.0.0.2' }, Description: { Hostname: 'wrk' } });

  const beat = (c: Client) => call<cluster.HeartbeatResponse>(c, 'heartbeat', cluster.create(cluster.HeartbeatRequestSchema, {}));
  const noCert = make(cluster.DispatcherService, addr, grpc.credentials.createSsl(Buffer.from(rootPem)));
  t.teardown(() => noCert.close());
  await t.rejects(beat(noCert), { code: grpc.status.UNAUTHENTICATED, details: 'this call needs a node certificate of the swarm' });
  // A certificate of another CA, for the same node id: refused (TLS may not even send it: the server asks for its own CA's).
  const other = await createRootCA({ now: Date.now(), serial: random(16) });
  const forged = await signNodeCSR(other, key.csrPem, { nodeId: issued.nodeId, role: 'worker', organization: m.clusterId, now: Date.now(), serial: random(16) });
  const impostor = make(cluster.DispatcherService, addr, grpc.credentials.createSsl(Buffer.from(rootPem), Buffer.from(key.keyPem), Buffer.from(forged)));
  t.teardown(() => impostor.close());
  await t.rejects(beat(impostor), { code: grpc.status.UNAUTHENTICATED, details: /this call needs a node certificate of the swarm|node certificate refused/ });
  const node = make(cluster.DispatcherService, addr, grpc.credentials.createSsl(Buffer.from(rootPem), Buffer.from(key.keyPem), Buffer.from(issued.certificate)));
  t.teardown(() => node.close());
  t.equal((await beat(node)).periodMs, 1000, 'shoal\'s default heartbeat period');
  t.match(m.store.view((tx) => tx.get('nodes', issued.nodeId)), { Status: { State: 'ready' } }, 'a heartbeat makes the node ready');
});
