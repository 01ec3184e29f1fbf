import t from 'tap';
import type { Test } from 'tap';
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { connect, createServer } from 'node:net';
import type { AddressInfo, Socket } from 'node:net';
import { promisify } from 'node:util';
import * as grpc from '@grpc/grpc-js';
import type { Message } from '../core/types.js';
import { commonNameIdentity, GrpcTransport, grpcServerOptions } from './grpc-transport.js';

const run = promisify(execFile);

function append(from: string, to: string, index: number): Message {
  return {
    type: 'append',
    from,
    to,
    term: 1,
    prevIndex: index - 1,
    prevTerm: 1,
    commit: 0,
    entries: [{ index, term: 1, type: 'normal', data: new TextEncoder().encode(`e${index}`) }],
  };
}

/** Resolves with the first `n` messages the transport receives. */
function collect(tr: GrpcTransport, n: number): Promise<Message[]> {
  const got: Message[] = [];
  return new Promise((resolve) => {
    tr.onMessage((m) => {
      got.push(m);
      if (got.length === n) resolve(got);
    });
  });
}

t.test('messages flow both ways over loopback, in order, batched per send', async (t) => {
  const a = await GrpcTransport.listen({ id: 'a' });
  const b = await GrpcTransport.listen({ id: 'b' });
  t.teardown(() => Promise.all([a.close(), b.close()]));
  a.addPeer('b', `127.0.0.1:${b.port}`);
  b.addPeer('a', `127.0.0.1:${a.port}`);

  const atB = collect(b, 100);
  for (let i = 1; i <= 100; i += 10) {
    a.send(Array.from({ length: 10 }, (_, k) => append('a', 'b', i + k)));
  }
  const received = await atB;
  t.same(received.map((m) => (m.type === 'append' ? m.entries[0]?.index : -1)), Array.from({ length: 100 }, (_, i) => i + 1));
  t.same(received[0], append('a', 'b', 1));

  const atA = collect(a, 1);
  b.send([{ type: 'append-resp', from: 'b', to: 'a', term: 1, reject: false, index: 100, hintIndex: 0, hintTerm: 0 }]);
  t.match(await atA, [{ type: 'append-resp', index: 100, from: 'b' }]);
  t.same(a.stats().b, { sent: 100, dropped: 0, failures: 0 });
});

t.test('a message for another node id is dropped by the receiver', async (t) => {
  const a = await GrpcTransport.listen({ id: 'a' });
  const b = await GrpcTransport.listen({ id: 'b' });
  t.teardown(() => Promise.all([a.close(), b.close()]));
  a.addPeer('b', `127.0.0.1:${b.port}`);
  a.addPeer('c', `127.0.0.1:${b.port}`); // wrong address for c: lands at b
  const atB = collect(b, 1);
  a.send([append('a', 'c', 1)]);
  a.send([append('a', 'b', 2)]);
  const [only] = await atB;
  t.match(only, { to: 'b', entries: [{ index: 2 }] });
});

t.test('a down peer is reported unreachable; the stream comes back when it does', async (t) => {
  const a = await GrpcTransport.listen({ id: 'a', backoffInitialMs: 20, backoffMaxMs: 100 });
  const b1 = await GrpcTransport.listen({ id: 'b' });
  const port = b1.port;
  const later: GrpcTransport[] = [];
  t.teardown(async () => {
    await a.close();
    for (const tr of later) await tr.close();
  });
  a.addPeer('b', `127.0.0.1:${port}`);
  const first = collect(b1, 1);
  a.send([append('a', 'b', 1)]);
  await first;
  await b1.close();

  const unreachable = new Promise<string>((resolve) => a.onUnreachable(resolve));
  // Send until the transport notices (the closed stream's failure is asynchronous).
  let n = 2;
  const sender = setInterval(() => a.send([append('a', 'b', n++)]), 10);
  t.equal(await unreachable, 'b');
  t.ok((a.stats().b?.failures ?? 0) >= 1);

  const b2 = await GrpcTransport.listen({ id: 'b', listen: `127.0.0.1:${port}` });
  later.push(b2);
  const back = collect(b2, 1);
  const [m] = await back;
  clearInterval(sender);
  t.match(m, { type: 'append', from: 'a' });
});

t.test('unknown peers are reported unreachable at once', async (t) => {
  const a = await GrpcTransport.listen({ id: 'a' });
  t.teardown(() => a.close());
  const reported: string[] = [];
  a.onUnreachable((p) => reported.push(p));
  a.send([append('a', 'nobody', 1)]);
  t.same(reported, ['nobody']);
  a.addPeer('x', '127.0.0.1:1');
  a.removePeer('x');
  a.send([append('a', 'x', 1)]);
  t.same(reported, ['nobody', 'x']);
});

/** A test CA and, for each name, a key and certificate whose subject CN is that name (openssl). */
async function testPki(dir: string, names: readonly string[]): Promise<{ ca: Buffer; creds(name: string): Promise<{ server: grpc.ServerCredentials; channel: grpc.ChannelCredentials }> }> {
  const p = (f: string): string => join(dir, f);
  const subj = (cn: string): string[] => ['-subj', `/CN=${cn}`];
  await run('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1', '-keyout', p('ca.key'), '-out', p('ca.crt'), ...subj('raft-test-ca')]);
  await writeFile(p('ext.cnf'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth\n');
  for (const name of names) {
    await run('openssl', ['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', p(`${name}.key`), '-out', p(`${name}.csr`), ...subj(name)]);
    await run('openssl', ['x509', '-req', '-in', p(`${name}.csr`), '-CA', p('ca.crt'), '-CAkey', p('ca.key'), '-CAcreateserial', '-days', '1', '-extfile', p('ext.cnf'), '-out', p(`${name}.crt`)]);
  }
  const ca = await readFile(p('ca.crt'));
  return {
    ca,
    creds: async (name) => {
      const key = await readFile(p(`${name}.key`));
      const cert = await readFile(p(`${name}.crt`));
      return {
        server: grpc.ServerCredentials.createSsl(ca, [{ private_key: key, cert_chain: cert }], true),
        channel: grpc.credentials.createSsl(ca, key, cert),
      };
    },
  };
}

t.test('mutual TLS with certificates made by openssl', async (t) => {
  const { ca, creds } = await testPki(t.testdir(), ['a', 'b']);
  const ca_ = await creds('a');
  const cb = await creds('b');
  const a = await GrpcTransport.listen({ id: 'a', serverCredentials: ca_.server, channelCredentials: ca_.channel });
  const b = await GrpcTransport.listen({ id: 'b', serverCredentials: cb.server, channelCredentials: cb.channel });
  // A client without a certificate is refused by b's server.
  const anon = await GrpcTransport.listen({ id: 'anon', channelCredentials: grpc.credentials.createSsl(ca), backoffInitialMs: 10_000 });
  t.teardown(() => Promise.all([a.close(), b.close(), anon.close()]));
  a.addPeer('b', `127.0.0.1:${b.port}`);
  b.addPeer('a', `127.0.0.1:${a.port}`);
  anon.addPeer('b', `127.0.0.1:${b.port}`);

  let anonDelivered = 0;
  const atB = new Promise<Message>((resolve) =>
    b.onMessage((m) => {
      if (m.from === 'anon') anonDelivered++;
      else resolve(m);
    }),
  );
  const anonRefused = new Promise<string>((resolve) => anon.onUnreachable(resolve));
  anon.send([append('anon', 'b', 1)]);
  t.equal(await anonRefused, 'b', 'the stream of a client without a certificate fails');
  a.send([append('a', 'b', 7)]);
  t.match(await atB, { from: 'a', entries: [{ index: 7 }] });
  t.equal(anonDelivered, 0);
});

t.test('a node learns the address of a peer that announces itself; removed peers are not re-learned', async (t) => {
  const a = await GrpcTransport.listen({ id: 'a' });
  const b = await GrpcTransport.listen({ id: 'b' });
  t.teardown(() => Promise.all([a.close(), b.close()]));
  a.addPeer('b', `127.0.0.1:${b.port}`);
  // b knows no one: it answers whoever wrote to it.
  b.onMessage((m) => b.send([{ type: 'heartbeat-resp', from: 'b', to: m.from, term: m.term }]));
  const reply = collect(a, 1);
  a.send([{ type: 'heartbeat', from: 'a', to: 'b', term: 3, commit: 0 }]);
  t.match(await reply, [{ type: 'heartbeat-resp', from: 'b', term: 3 }]);

  const unreachable: string[] = [];
  b.onUnreachable((p) => unreachable.push(p));
  b.removePeer('a');
  const delivered = collect(b, 1);
  a.send([{ type: 'heartbeat', from: 'a', to: 'b', term: 4, commit: 0 }]);
  await delivered;
  b.send([{ type: 'heartbeat-resp', from: 'b', to: 'a', term: 4 }]);
  t.same(unreachable, ['a'], 'a removed peer stays unknown');
});

t.test('a backpressured peer queue is bounded in bytes: overflow is dropped and counted', async (t) => {
  // Two 256 KiB chunks fit, a third does not.
  const a = await GrpcTransport.listen({ id: 'a', queueLimitBytes: 600 * 1024 });
  const b = await GrpcTransport.listen({ id: 'b' });
  t.teardown(() => Promise.all([a.close(), b.close()]));
  a.addPeer('b', `127.0.0.1:${b.port}`);
  const chunk = new Uint8Array(256 * 1024);
  const snapshotChunk = (offset: number): Message => ({
    type: 'snapshot',
    from: 'a',
    to: 'b',
    term: 1,
    meta: { index: 10, term: 1, confState: { voters: ['a', 'b'], learners: [] } },
    offset,
    totalBytes: 64 * chunk.length,
    data: chunk,
  });
  // 64 separate sends in one tick: the first frame fills the stream's buffer, two more (512 KiB)
  // wait in the queue, the rest are dropped.
  for (let i = 0; i < 64; i++) a.send([snapshotChunk(i * chunk.length)]);
  const stats = a.stats().b;
  t.ok(stats !== undefined && stats.dropped > 0, `dropped ${stats?.dropped}`);
  const expected = 64 - (stats?.dropped ?? 0);
  const got = await collect(b, expected);
  t.equal(got.length, expected, 'everything that was not dropped arrives');
  t.same(
    got.map((m) => (m.type === 'snapshot' ? m.offset / chunk.length : -1)),
    [...got.map((m) => (m.type === 'snapshot' ? m.offset / chunk.length : -1))].sort((x, y) => x - y),
    'in order',
  );
});

/**
 * A TCP relay to `port` that can be frozen: it stops moving bytes but keeps
 * every connection open, as a peer that lost power or a partition that
 * drops packets (no reset reaches the sender).
 */
async function freezableRelay(t: Test, port: number): Promise<{ port: number; freeze(): void }> {
  const sockets: Socket[] = [];
  const server = createServer((client) => {
    const up = connect(port, '127.0.0.1');
    sockets.push(client, up);
    client.pipe(up);
    up.pipe(client);
    client.on('error', () => undefined);
    up.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => {
    for (const s of sockets) s.destroy();
    server.close();
  });
  return {
    port: (server.address() as AddressInfo).port,
    freeze: () => {
      for (const s of sockets) {
        s.unpipe();
        s.pause();
      }
    },
  };
}

/** Resolves with the first peer reported unreachable, or rejects after `ms` (a deadline, not a wait). */
function firstUnreachable(tr: GrpcTransport, ms: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const deadline = setTimeout(() => reject(new Error(`no peer reported unreachable within ${ms} ms`)), ms);
    tr.onUnreachable((p) => {
      clearTimeout(deadline);
      resolve(p);
    });
  });
}

// A stream whose peer vanished without a reset used to stay blocked until the
// next TCP retransmission after the network healed (backing off to 120 s),
// and the peer was never reported unreachable.
t.test('a peer that stops reading mid-stream: the watchdog cancels the stream and reports it', async (t) => {
  const b = await GrpcTransport.listen({ id: 'b' });
  const relay = await freezableRelay(t, b.port);
  // Keepalive out of the way: this test is about the watchdog.
  const a = await GrpcTransport.listen({ id: 'a', watchdogMs: 300, keepaliveMs: 600_000, keepaliveTimeoutMs: 600_000 });
  t.teardown(() => Promise.all([a.close(), b.close()]));
  a.addPeer('b', `127.0.0.1:${relay.port}`);
  const first = collect(b, 1);
  a.send([append('a', 'b', 1)]);
  await first;
  relay.freeze();
  const reported = firstUnreachable(a, 10_000);
  const big = new Uint8Array(1024 * 1024);
  for (let i = 0; i < 64; i++) {
    a.send([{ type: 'append', from: 'a', to: 'b', term: 1, prevIndex: i, prevTerm: 1, commit: 0, entries: [{ index: i + 1, term: 1, type: 'normal', data: big }] }]);
  }
  t.equal(await reported, 'b', 'reported unreachable within the deadline');
  t.ok((a.stats().b?.failures ?? 0) >= 1, 'the stream was cancelled');
});

t.test('an idle peer that vanishes: keepalive pings find it', async (t) => {
  const b = await GrpcTransport.listen({ id: 'b' });
  const relay = await freezableRelay(t, b.port);
  const a = await GrpcTransport.listen({ id: 'a', keepaliveMs: 200, keepaliveTimeoutMs: 200 });
  t.teardown(() => Promise.all([a.close(), b.close()]));
  a.addPeer('b', `127.0.0.1:${relay.port}`);
  const first = collect(b, 1);
  a.send([append('a', 'b', 1)]);
  await first;
  const reported = firstUnreachable(a, 10_000);
  relay.freeze();
  // Nothing more is sent: only the pings notice.
  t.equal(await reported, 'b', 'reported unreachable within the deadline');
});

// Anyone who could reach the Raft port could send messages in any node's name
// (a forged append-resp commits entries that were never replicated).
t.test('mutual TLS with a peer identity: forged senders and mismatched raft-ids are refused', async (t) => {
  const { creds } = await testPki(t.testdir(), ['a', 'b', 'm']);
  const bCreds = await creds('b');
  const channel = async (name: string): Promise<grpc.ChannelCredentials> => (await creds(name)).channel;
  const b = await GrpcTransport.listen({ id: 'b', serverCredentials: bCreds.server, channelCredentials: bCreds.channel, peerIdentity: commonNameIdentity });
  const a = await GrpcTransport.listen({ id: 'a', channelCredentials: await channel('a') });
  // m holds a valid certificate of the cluster, but for node m: it claims to be a.
  const m = await GrpcTransport.listen({ id: 'a', channelCredentials: await channel('m'), backoffInitialMs: 10_000 });
  t.teardown(() => Promise.all([a.close(), b.close(), m.close()]));
  a.addPeer('b', `127.0.0.1:${b.port}`);
  m.addPeer('b', `127.0.0.1:${b.port}`);
  const got: Message[] = [];
  const fromA = new Promise<void>((resolve) => b.onMessage((msg) => {
    got.push(msg);
    if (msg.type === 'append' && msg.entries[0]?.index === 7) resolve();
  }));
  const mRefused = new Promise<string>((resolve) => m.onUnreachable(resolve));
  m.send([append('a', 'b', 99)]);
  t.equal(await mRefused, 'b', 'a stream whose raft-id is not its certificate\'s CN is refused');
  // a's own stream, carrying one message in its own name and one forged in m's name.
  a.send([append('a', 'b', 7), { ...append('a', 'b', 8), from: 'm' }]);
  await fromA;
  t.same(got.map((x) => `${x.from}:${x.type === 'append' ? x.entries[0]?.index : ''}`), ['a:7'], 'only a\'s own message is delivered');
  t.ok(b.refused >= 2, `refused ${b.refused}: m's stream and the forged message`);
});

t.test('serve(): the Raft service on a server the caller owns, next to its other services', async (t) => {
  const server = new grpc.Server(grpcServerOptions());
  // Another service of the caller's on the same port.
  const echo: grpc.ServiceDefinition = {
    echo: { path: '/test.Echo/Echo', requestStream: false, responseStream: false, requestSerialize: (b: Buffer) => b, requestDeserialize: (b: Buffer) => b, responseSerialize: (b: Buffer) => b, responseDeserialize: (b: Buffer) => b },
  };
  server.addService(echo, { echo: (call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => cb(null, call.request) });
  const port = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e === null ? resolve(p) : reject(e))));
  t.teardown(() => server.forceShutdown());
  const b = GrpcTransport.serve(server, { id: 'b', advertise: `127.0.0.1:${port}` });
  const a = await GrpcTransport.listen({ id: 'a' });
  t.teardown(() => a.close());
  a.addPeer('b', `127.0.0.1:${port}`);
  const delivered = collect(b, 1);
  a.send([append('a', 'b', 3)]);
  t.match(await delivered, [{ from: 'a', entries: [{ index: 3 }] }]);
  await b.close();
  const client = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  t.teardown(() => client.close());
  const answer = await new Promise<Buffer>((resolve, reject) => client.makeUnaryRequest('/test.Echo/Echo', (x: Buffer) => x, (x: Buffer) => x, Buffer.from('still here'), (e, r) => (e === null && r !== undefined ? resolve(r) : reject(e))));
  t.equal(answer.toString(), 'still here', 'close() left the caller\'s server and its other services running');
});
