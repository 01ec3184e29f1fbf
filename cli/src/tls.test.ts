import t from 'tap';
import https from 'node:https';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { runTool } from '@shoal/common';
import { runCli } from './program.js';
import { testIo } from './testing/fake-daemon.js';

/** A CA, a server certificate for 127.0.0.1 and a client certificate, made with openssl. */
async function makeCerts(dir: string, name = 'ca'): Promise<void> {
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  await runTool(['openssl', 'req', '-x509', ...ec, '-keyout', join(dir, `${name}-key.pem`), '-out', join(dir, `${name}.pem`), '-days', '1', '-subj', `/CN=${name}`]);
  for (const [who, ext] of [['server', 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n'], ['client', 'extendedKeyUsage=clientAuth\n']] as const) {
    writeFileSync(join(dir, `${who}.ext`), ext);
    await runTool(['openssl', 'req', ...ec, '-keyout', join(dir, `${who}-key.pem`), '-out', join(dir, `${who}.csr`), '-subj', `/CN=${who}`]);
    await runTool(['openssl', 'x509', '-req', '-in', join(dir, `${who}.csr`), '-CA', join(dir, `${name}.pem`), '-CAkey', join(dir, `${name}-key.pem`),
      '-CAcreateserial', '-out', join(dir, `${who}-cert.pem`), '-days', '1', '-extfile', join(dir, `${who}.ext`)]);
  }
}

t.test('tcp with mutual TLS: --tlsverify and the certificate flags, or the cert path env', async (t) => {
  const base = t.testdir();
  const dir = join(base, 'ca');
  const other = join(base, 'other');
  const certDir = join(base, 'certs');
  for (const d of [dir, other, certDir]) mkdirSync(d);
  await makeCerts(dir);
  await makeCerts(other, 'otherca');
  const seen: string[] = [];
  const server = https.createServer({
    ca: readFileSync(join(dir, 'ca.pem')), cert: readFileSync(join(dir, 'server-cert.pem')), key: readFileSync(join(dir, 'server-key.pem')),
    requestCert: true, rejectUnauthorized: true,
  }, (req, res) => {
    seen.push(`${req.method} ${req.url}`);
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end('[]');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }));
  const port = (server.address() as AddressInfo).port;
  const host = `tcp://127.0.0.1:${port}`;

  let io = testIo({});
  t.equal(await runCli(['-H', host, '--tlsverify', '--tlscacert', join(dir, 'ca.pem'), '--tlscert', join(dir, 'client-cert.pem'),
    '--tlskey', join(dir, 'client-key.pem'), 'ps', '-q'], io.io), 0, io.stderr());
  t.equal(io.stdout(), '');
  t.same(seen, ['GET /v1.44/containers/json']);

  // the docker env way: DOCKER_TLS_VERIFY + a cert dir with ca.pem, cert.pem, key.pem
  writeFileSync(join(certDir, 'ca.pem'), readFileSync(join(dir, 'ca.pem')));
  writeFileSync(join(certDir, 'cert.pem'), readFileSync(join(dir, 'client-cert.pem')));
  writeFileSync(join(certDir, 'key.pem'), readFileSync(join(dir, 'client-key.pem')));
  io = testIo({ DOCKER_HOST: host, DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: certDir });
  t.equal(await runCli(['ps'], io.io), 0, io.stderr());
  t.equal(seen.length, 2);

  // a daemon certificate from another CA is refused
  io = testIo({ DOCKER_HOST: host });
  t.equal(await runCli(['--tlsverify', '--tlscacert', join(other, 'otherca.pem'), '--tlscert', join(dir, 'client-cert.pem'), '--tlskey', join(dir, 'client-key.pem'), 'ps'], io.io), 1);
  t.match(io.stderr(), /^error during connect: /);
  t.equal(seen.length, 2, 'no request reached the daemon');

  // no client certificate: the daemon refuses the handshake
  io = testIo({ DOCKER_HOST: host });
  t.equal(await runCli(['--tlsverify', '--tlscacert', join(dir, 'ca.pem'), 'ps'], io.io), 1);
  t.match(io.stderr(), /^(error during connect|Cannot connect)/);
  t.equal(seen.length, 2);

  // a missing file named on the command line is a flag error
  io = testIo({ DOCKER_HOST: host });
  t.equal(await runCli(['--tlsverify', '--tlscacert', join(dir, 'nope.pem'), 'ps'], io.io), 125);
  t.match(io.stderr(), /could not read TLS file/);
});
