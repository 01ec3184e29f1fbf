/**
 * End to end with the real runtime: a busybox httpd container run by crun
 * in the netns that attach made, reached through its published port from
 * the host and from inside (hairpin), with the outside world (the bridge
 * gateway) reachable. Subnet 10.213.42.0/24.
 */
import t from 'tap';
import { randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import { get } from 'node:http';
import { readFile, writeFile } from 'node:fs/promises';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { runTool } from '@shoal/common';
import { makeBusyboxRootfs } from '@shoal/testkit';
import { NetworkManager } from './index.js';

const SUFFIX = randomBytes(3).toString('hex');
const BRIDGE = `shcr${SUFFIX}`;
const TABLE = `shcr_${SUFFIX}`;
const CID = `shoaltest${randomBytes(8).toString('hex')}`;
let mgr: NetworkManager | null = null;
let netnsDir = '';

t.teardown(async () => {
  const steps: Array<() => Promise<unknown>> = [
    () => runTool(['crun', 'kill', CID, 'KILL'], { okCodes: [0, 1] }),
    () => runTool(['crun', 'delete', '-f', CID], { okCodes: [0, 1] }),
    async () => mgr?.detach(CID),
    async () => mgr?.close(),
    async () => {
      if (netnsDir === '' || !existsSync(netnsDir)) return;
      for (const f of readdirSync(netnsDir)) await runTool(['umount', join(netnsDir, f)], { okCodes: [0, 32] });
      await runTool(['umount', netnsDir], { okCodes: [0, 32] });
    },
    () => runTool(['ip', 'link', 'del', BRIDGE], { okCodes: [0, 1, 2] }),
    () => runTool(['nft', 'delete', 'table', 'ip', TABLE], { okCodes: [0, 1] }),
  ];
  for (const s of steps) await s().catch((e: unknown) => t.comment(`cleanup: ${String(e)}`));
});

const root = t.testdir({ data: {}, exec: {}, bundle: {} });
netnsDir = join(root, 'exec', 'netns');

function httpGet(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const r = get({ host: '127.0.0.1', port, path: '/', agent: false, timeout: 3000 }, (res) => {
      let b = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (b += c));
      res.on('end', () => resolve(b));
    });
    r.on('timeout', () => r.destroy(new Error('timeout')));
    r.on('error', reject);
  });
}

t.test('a crun container in the attached netns serves on its published port', async (t) => {
  mgr = await NetworkManager.open({ dataRoot: join(root, 'data'), execRoot: join(root, 'exec'), bridgeName: BRIDGE, bip: '10.213.42.1/24', nftTable: TABLE });
  const res = await mgr.attach({
    containerId: CID, name: 'web', hostname: 'web', networkMode: 'bridge',
    portBindings: { '80/tcp': [{ HostPort: '' }] }, publishAllPorts: false, exposedPorts: ['80/tcp'],
  });
  const bundle = join(root, 'bundle');
  await makeBusyboxRootfs(join(bundle, 'rootfs'));
  await runTool(['crun', 'spec'], { cwd: bundle });
  const spec = JSON.parse(await readFile(join(bundle, 'config.json'), 'utf8')) as {
    process: { terminal: boolean; args: string[] };
    root: { readonly: boolean };
    linux: { namespaces: Array<{ type: string; path?: string }> };
  };
  spec.process.terminal = false;
  spec.process.args = ['/bin/busybox', 'httpd', '-f', '-p', '80', '-h', '/var/www'];
  spec.root.readonly = false;
  spec.linux.namespaces = spec.linux.namespaces.map((n) => (n.type === 'network' ? { type: 'network', path: res.netnsPath ?? '' } : n));
  await writeFile(join(bundle, 'config.json'), JSON.stringify(spec));
  // stdio ignored: a detached container would otherwise hold our pipes open.
  await new Promise<void>((resolve, reject) => {
    const c = spawn('crun', ['run', '-d', '--bundle', bundle, CID], { stdio: 'ignore' });
    c.once('error', reject);
    c.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`crun run exited ${code}`))));
  });
  const port = Number(res.settings.Ports['80/tcp']?.[0]?.HostPort);
  const deadline = Date.now() + 5000;
  let body = '';
  for (;;) {
    try {
      body = await httpGet(port);
      break;
    } catch (e) {
      if (Date.now() > deadline) throw e;
    }
  }
  t.equal(body, 'hello from shoal\n', 'host -> 127.0.0.1:published -> container');
  const inside = await runTool(['crun', 'exec', CID, '/bin/busybox', 'ip', '-o', 'addr', 'show', 'dev', 'eth0']);
  t.match(inside.stdout, `inet ${res.settings.IPAddress}/24`, 'the container sees the address attach chose');
  const hair = await runTool(['crun', 'exec', CID, '/bin/busybox', 'wget', '-q', '-O', '-', `http://10.213.42.1:${port}/`], { timeoutMs: 5000 });
  t.equal(hair.stdout, 'hello from shoal\n', 'container -> gateway:published -> itself');
});
