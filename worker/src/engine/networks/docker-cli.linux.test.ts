// The real docker CLI against a real shoald: the network commands and
// port publishing as users type them.
import t from 'tap';
import { join } from 'node:path';
import { get } from 'node:http';
import { runTool } from '@shoal/common';
import { startTestDaemon } from '@shoal/testkit';

function httpGet(host: string, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const r = get({ host, port, path: '/', agent: false, timeout: 3000 }, (res) => {
      let b = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (b += c));
      res.on('end', () => resolve(b));
    });
    r.on('timeout', () => r.destroy(new Error('timeout')));
    r.on('error', reject);
  });
}

t.test('docker CLI: network ls/inspect, run -p/-P, port, port in use, container-to-container, container: mode', async (t) => {
  const d = await startTestDaemon();
  t.teardown(() => d.cleanup());
  const env = { ...process.env, DOCKER_HOST: `unix://${d.socketPath}`, DOCKER_CONFIG: join(d.dir, 'docker-config') };
  const docker = async (args: string[], ok: number[] = [0]) => runTool(['docker', ...args], { env, okCodes: ok, timeoutMs: 60_000 });
  const bip = String(d.bip);
  const subnet = `${bip.split('.').slice(0, 3).join('.')}.0/24`;

  const ls = await docker(['network', 'ls', '--format', '{{.Name}} {{.Driver}} {{.Scope}}']);
  t.same(ls.stdout.trim().split('\n').sort(), ['bridge bridge local', 'host host local', 'none null local']);
  const ipam = await docker(['network', 'inspect', 'bridge', '--format', '{{range .IPAM.Config}}{{.Subnet}} {{.Gateway}}{{end}}']);
  t.equal(ipam.stdout.trim(), `${subnet} ${bip.split('/')[0]}`);
  const missing = await docker(['network', 'inspect', 'nope'], [1]);
  t.match(missing.stderr, /network nope not found/);

  await docker(['import', await d.busyboxTar(), 'busybox:latest']);
  const web = (await docker(['run', '-d', '--name', 'web', '-p', '127.0.0.1::80', 'busybox', 'httpd', '-f', '-p', '80', '-h', '/var/www'])).stdout.trim();
  const port = (await docker(['port', web, '80'])).stdout.trim();
  t.match(port, /^127\.0\.0\.1:\d+$/, `docker port: ${port}`);
  const hostPort = Number(port.split(':')[1]);
  const deadline = Date.now() + 5000;
  let body = '';
  for (;;) {
    try {
      body = await httpGet('127.0.0.1', hostPort);
      break;
    } catch (e) {
      if (Date.now() > deadline) throw e;
    }
  }
  t.equal(body, 'hello from shoal\n', 'published port answers');
  const members = await docker(['network', 'inspect', 'bridge', '--format', '{{range .Containers}}{{.Name}} {{.IPv4Address}}{{end}}']);
  const ip = (await docker(['inspect', web, '--format', '{{.NetworkSettings.IPAddress}}'])).stdout.trim();
  t.equal(members.stdout.trim(), `web ${ip}/24`);

  const clash = await docker(['run', '-d', '-p', `127.0.0.1:${hostPort}:80`, 'busybox', 'true'], [125]);
  t.match(clash.stderr, new RegExp(`driver failed programming external connectivity on endpoint .*: Bind for 127\\.0\\.0\\.1:${hostPort} failed: port is already allocated`));

  const peer = await docker(['run', '--rm', 'busybox', 'wget', '-q', '-O', '-', `http://${ip}/`]);
  t.equal(peer.stdout, 'hello from shoal\n', 'container to container over the bridge');
  const joined = await docker(['run', '--rm', '--network', 'container:web', 'busybox', 'wget', '-q', '-O', '-', 'http://127.0.0.1/']);
  t.equal(joined.stdout, 'hello from shoal\n', 'container:web shares its namespace');

  const all = (await docker(['run', '-d', '-P', '--expose', '80', '--expose', '53/udp', 'busybox', 'httpd', '-f', '-p', '80', '-h', '/var/www'])).stdout.trim();
  const published = (await docker(['port', all])).stdout.trim().split('\n').sort();
  t.match(published, [/^53\/udp -> 0\.0\.0\.0:\d+$/, /^80\/tcp -> 0\.0\.0\.0:\d+$/], `-P publishes every exposed port: ${published.join(', ')}`);
  await docker(['rm', '-f', all]);

  await docker(['rm', '-f', web]);
  await t.rejects(httpGet('127.0.0.1', hostPort), 'unpublished after rm');
  const after = await docker(['network', 'inspect', 'bridge', '--format', '{{len .Containers}}']);
  t.equal(after.stdout.trim(), '0');
});
