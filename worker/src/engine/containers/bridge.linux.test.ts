import t from 'tap';
import { randomBytes, randomInt } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { get } from 'node:http';
import { join } from 'node:path';
import { runTool } from '@shoal/common';
import { NetworkManager } from '../networks/index.js';
import { setup, logText, run } from '../../testing/container-env.js';

// Unique kernel names so parallel test files never collide.
const suffix = randomBytes(3).toString('hex');
const BRIDGE = `shc${suffix}`;
const TABLE = `shoalc${suffix}`;
const BIP = `10.${randomInt(100, 200)}.${randomInt(0, 255)}.1/24`;

function httpGet(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port, path: '/index.html' }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => { body += c.toString(); });
      res.on('end', () => resolve(body));
    }).on('error', reject);
  });
}

t.test('bridge network: a published busybox httpd answers through the real NetworkManager', async (t) => {
  let net: NetworkManager | null = null;
  let execRootNet = '';
  t.teardown(async () => {
    await net?.close();
    const netnsDir = join(execRootNet, 'netns');
    if (execRootNet !== '' && existsSync(netnsDir)) {
      for (const f of readdirSync(netnsDir)) await runTool(['umount', join(netnsDir, f)], { okCodes: [0, 32] });
      await runTool(['umount', netnsDir], { okCodes: [0, 32] });
    }
    await runTool(['ip', 'link', 'del', BRIDGE], { okCodes: [0, 1, 2] });
    await runTool(['nft', 'delete', 'table', 'ip', TABLE], { okCodes: [0, 1] });
    await rm(dir, { recursive: true, force: true });
  });
  // Not t.testdir(): setup() owns that one for this test.
  const dir = await mkdtemp(join(tmpdir(), 'shoal-ctr-net-'));
  execRootNet = join(dir, 'netexec');
  net = await NetworkManager.open({ dataRoot: join(dir, 'netdata'), execRoot: execRootNet, bridgeName: BRIDGE, bip: BIP, nftTable: TABLE });
  const env = await setup(t, { network: net });
  const { Id } = await env.mgr.create('web', {
    Image: 'busybox', Cmd: ['httpd', '-f', '-p', '80', '-h', '/var/www'], ExposedPorts: { '80/tcp': {} },
    HostConfig: { NetworkMode: 'bridge', PortBindings: { '80/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }] } },
  });
  await env.mgr.start(Id);
  const ins = await env.mgr.inspect(Id);
  const hostPort = Number(ins.NetworkSettings.Ports['80/tcp']?.[0]?.HostPort);
  t.ok(hostPort > 0, `published on ${hostPort}`);
  t.match(ins.NetworkSettings.IPAddress, /^10\./);
  t.equal(await httpGet(hostPort), 'hello from shoal\n');
  const listed = await env.mgr.list({ filters: { publish: [`${hostPort}/tcp`] } });
  t.same(listed.map((c) => c.Id), [Id]);
  t.same(listed[0]?.Ports, [{ IP: '127.0.0.1', PrivatePort: 80, PublicPort: hostPort, Type: 'tcp' }]);
  // A second container reaches the first by IP over the bridge; /etc/hosts names itself.
  const peer = await run(env, { Cmd: ['sh', '-c', `wget -q -O - http://${ins.NetworkSettings.IPAddress}/index.html; grep -c "$(hostname)" /etc/hosts`], HostConfig: { NetworkMode: 'bridge' } });
  t.equal(peer.code, 0);
  t.equal(await logText(env, peer.id), 'hello from shoal\n1\n');
  await env.mgr.remove(Id, { force: true });
  await t.rejects(httpGet(hostPort), 'port released after remove');
});
