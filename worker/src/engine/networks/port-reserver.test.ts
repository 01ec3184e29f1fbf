import t from 'tap';
import { createServer, type Server } from 'node:net';
import { createSocket } from 'node:dgram';
import { reservePort } from './port-reserver.js';

function listen(port: number, host = '127.0.0.1'): Promise<Server> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen({ port, host }, () => resolve(s));
  });
}

function close(s: Server): Promise<void> {
  return new Promise((r) => s.close(() => r()));
}

function portOf(s: Server): number {
  const a = s.address();
  return typeof a === 'object' && a !== null ? a.port : 0;
}

t.test('ephemeral tcp and udp ports are held until released', async (t) => {
  const tcp = await reservePort('tcp', '127.0.0.1', 0, 0);
  t.ok(tcp.hostPort >= 1024, `got ${tcp.hostPort}`);
  await t.rejects(listen(tcp.hostPort), { code: 'EADDRINUSE' }, 'nobody else can take it');
  await tcp.release();
  await tcp.release();
  await close(await listen(tcp.hostPort));
  t.pass('free again after release (idempotent)');

  const udp = await reservePort('udp', '127.0.0.1', 0, 0);
  const other = createSocket('udp4');
  await t.rejects(new Promise<void>((resolve, reject) => {
    other.once('error', reject);
    other.bind(udp.hostPort, '127.0.0.1', () => resolve());
  }), { code: 'EADDRINUSE' });
  other.close();
  await udp.release();
});

t.test('a port held by someone else: ENGINE_NETWORK_PORT_IN_USE with Docker wording', async (t) => {
  const s = await listen(0, '0.0.0.0');
  t.teardown(() => close(s));
  const p = portOf(s);
  await t.rejects(reservePort('tcp', '0.0.0.0', p, p), {
    code: 'ENGINE_NETWORK_PORT_IN_USE',
    status: 500,
    message: `Bind for 0.0.0.0:${p} failed: port is already allocated`,
  });
  await t.rejects(reservePort('tcp', '127.0.0.1', p, p), { code: 'ENGINE_NETWORK_PORT_IN_USE' }, 'a wildcard listener blocks specific addresses');
});

t.test('a host port range takes the first free port', async (t) => {
  // Find p with p free after holding p-1... hold p, expect p+1 (retry a few times if p+1 is busy).
  for (let attempt = 0; attempt < 10; attempt++) {
    const s = await listen(0, '0.0.0.0');
    const p = portOf(s);
    if (p >= 65535) {
      await close(s);
      continue;
    }
    try {
      const h = await reservePort('tcp', '0.0.0.0', p, p + 1);
      t.equal(h.hostPort, p + 1);
      await h.release();
      await close(s);
      return;
    } catch {
      await close(s); // p+1 was busy too: try another p
    }
  }
  t.fail('no two consecutive free ports found');
});

t.test('an address that is not ours: NETWORK_SETUP_FAILED', async (t) => {
  await t.rejects(reservePort('tcp', '192.0.2.254', 0, 0), { code: 'ENGINE_NETWORK_SETUP_FAILED' });
});
