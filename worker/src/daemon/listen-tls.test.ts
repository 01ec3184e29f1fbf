// The tcp:// listener with --tlsverify: mutual TLS on port 0 with a CA,
// server and client certificates made by openssl for this test.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { mergeDaemonConfig, runTool, silentLogger } from '@shoal/common';
import { buildApp } from '../engine/api/index.js';
import { fakeDeps } from '../testing/fake-engines.js';
import { listenTls } from './listeners.js';

async function makeCerts(dir: string): Promise<Record<'ca' | 'caKey' | 'cert' | 'key' | 'clientCert' | 'clientKey', string>> {
  const p = (n: string): string => join(dir, n);
  const ssl = (args: string[]) => runTool(['openssl', ...args], { timeoutMs: 30_000 });
  await ssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1', '-subj', '/CN=test-ca', '-keyout', p('ca-key.pem'), '-out', p('ca.pem')]);
  for (const [name, cn, ext] of [['server', 'localhost', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth'], ['client', 'client', 'extendedKeyUsage=clientAuth']] as const) {
    await ssl(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', `/CN=${cn}`, '-keyout', p(`${name}-key.pem`), '-out', p(`${name}.csr`)]);
    await runTool(['sh', '-c', `printf '%s\\n' "$1" > "$2"`, 'sh', ext, p(`${name}.ext`)]);
    await ssl(['x509', '-req', '-in', p(`${name}.csr`), '-CA', p('ca.pem'), '-CAkey', p('ca-key.pem'), '-CAcreateserial', '-days', '1', '-extfile', p(`${name}.ext`), '-out', p(`${name}.pem`)]);
  }
  return { ca: p('ca.pem'), caKey: p('ca-key.pem'), cert: p('server.pem'), key: p('server-key.pem'), clientCert: p('client.pem'), clientKey: p('client-key.pem') };
}

function get(port: number, opts: { cert?: Buffer; key?: Buffer; ca: Buffer }): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/v1.44/_ping', ...opts }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => { body += c.toString(); });
      res.on('end', () => { resolve({ status: res.statusCode ?? 0, body }); });
    });
    req.on('error', reject);
    req.end();
  });
}

t.test('mutual TLS: a client certificate from the CA is required', async (t) => {
  const dir = t.testdir();
  const c = await makeCerts(dir);
  const config = mergeDaemonConfig({ hosts: ['tcp://127.0.0.1:0'], tlsverify: true, tlscacert: c.ca, tlscert: c.cert, tlskey: c.key }, {});
  const app = await buildApp({ ...fakeDeps(), log: silentLogger() });
  await app.ready();
  const l = await listenTls(app, 'tcp://127.0.0.1:0', config, silentLogger());
  t.teardown(async () => { await l.close(); await app.close(); });
  const port = Number(/:(\d+)$/.exec(l.address)?.[1]);
  t.ok(port > 0, `listening on ${l.address}`);
  const ca = readFileSync(c.ca);
  const ok = await get(port, { ca, cert: readFileSync(c.clientCert), key: readFileSync(c.clientKey) });
  t.same(ok, { status: 200, body: 'OK' });
  await t.rejects(get(port, { ca }), 'no client certificate: the handshake fails');
  const bad = mergeDaemonConfig({ hosts: ['tcp://127.0.0.1:0'], tlsverify: true, tlscacert: join(dir, 'nope.pem'), tlscert: c.cert, tlskey: c.key }, {});
  await t.rejects(listenTls(app, 'tcp://127.0.0.1:0', bad, silentLogger()), { code: 'DAEMON_TLS_FILES', message: /nope\.pem/ });
});
