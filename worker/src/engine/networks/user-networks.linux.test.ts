// User-defined bridge networks through the real docker CLI against a real
// shoald: create/ls/inspect/rm/prune, run --network, several networks per
// container, connect/disconnect while running and while stopped, isolation
// between networks, internal networks, and the errors users meet.
import t from 'tap';
import { randomInt } from 'node:crypto';
import { runTool } from '@shoal/common';
import { startTestDaemon } from '@shoal/testkit';

t.test('docker CLI: user-defined bridge networks', async (t) => {
  const d = await startTestDaemon();
  t.teardown(() => d.cleanup());
  const docker = async (args: string[], ok: number[] = [0]) => d.docker(args, { okCodes: ok, timeoutMs: 60_000 });
  const inspect = async (what: string, fmt: string) => (await docker(['inspect', what, '--format', fmt])).stdout.trim();
  // busybox wget -T crashes (Debian's busybox-static); `timeout` bounds a connection that is dropped
  // (exit 143). Not as PID 1: busybox timeout execs its command, which as PID 1 would ignore the TERM
  // (and sh would exec a lone last command, hence the `exit`).
  const fetchFrom = async (network: string, url: string) =>
    docker(['run', '--rm', '--network', network, 'busybox', 'sh', '-c', `timeout 3 wget -q -O - ${url}; exit $?`], [0, 1, 143]);
  // Three /24s of 10.215.0.0/16 no other test uses; random so that two runs at once do not collide.
  const o = randomInt(0, 83) * 3;
  const backNet = `10.215.${o}`;
  const frontNet = `10.215.${o + 1}`;
  const privNet = `10.215.${o + 2}`;
  await docker(['import', await d.busyboxTar(), 'busybox:latest']);
  const since = String(Math.floor(Date.now() / 1000) - 1);

  // create, ls, inspect
  const backId = (await docker(['network', 'create', '--subnet', `${backNet}.0/24`, '--label', 'team=a', 'backend'])).stdout.trim();
  t.match(backId, /^[0-9a-f]{64}$/);
  await docker(['network', 'create', '--subnet', `${frontNet}.0/24`, 'frontend']);
  const dup = await docker(['network', 'create', 'backend'], [1]);
  t.match(dup.stderr, 'network with name backend already exists');
  const pre = await docker(['network', 'create', 'host'], [1]);
  t.match(pre.stderr, 'operation is not permitted on predefined host network');
  const overlap = await docker(['network', 'create', '--subnet', `${backNet}.128/25`, 'overlapping'], [1]);
  t.match(overlap.stderr, 'Pool overlaps with other one on this address space');
  const ls = (await docker(['network', 'ls', '--format', '{{.Name}} {{.Driver}} {{.Scope}}'])).stdout.trim().split('\n').sort();
  t.same(ls, ['backend bridge local', 'bridge bridge local', 'frontend bridge local', 'host host local', 'none null local']);
  t.same((await docker(['network', 'ls', '-q', '--filter', 'label=team=a'])).stdout.trim(), backId.slice(0, 12));
  t.equal((await docker(['network', 'inspect', 'backend', '--format', '{{range .IPAM.Config}}{{.Subnet}} {{.Gateway}}{{end}} {{.Labels.team}}'])).stdout.trim(),
    `${backNet}.0/24 ${backNet}.1 a`);
  const bridgeName = `br-${backId.slice(0, 12)}`;
  t.match((await runTool(['ip', '-o', '-4', 'addr', 'show', 'dev', bridgeName])).stdout, `${backNet}.1/24`, 'the bridge exists with the gateway address');

  // run --network: address of the network, reachable from the same network only
  await docker(['run', '-d', '--name', 'db', '--network', 'backend', '--network-alias', 'database', 'busybox', 'httpd', '-f', '-p', '80', '-h', '/var/www']);
  const dbIp = await inspect('db', '{{.NetworkSettings.Networks.backend.IPAddress}}');
  t.match(dbIp, new RegExp(`^${backNet.replaceAll('.', '\\.')}\\.\\d+$`));
  t.equal(await inspect('db', '{{.NetworkSettings.IPAddress}}|{{.NetworkSettings.Networks.backend.Aliases}}'), '|[database]',
    'top-level address empty on a user-defined network, as Docker; the alias is kept');
  t.equal((await fetchFrom('backend', `http://${dbIp}/`)).stdout, 'hello from shoal\n');
  const fromFront = await fetchFrom('frontend', `http://${dbIp}/`);
  t.equal(fromFront.code, 143, 'another network cannot reach it');
  const fromBridge = await fetchFrom('bridge', `http://${dbIp}/`);
  t.equal(fromBridge.code, 143, 'nor can the default bridge');

  // connect a running container: a second interface, reachable from the other network
  await docker(['network', 'connect', 'frontend', 'db']);
  const frontIp = await inspect('db', '{{.NetworkSettings.Networks.frontend.IPAddress}}');
  t.match(frontIp, new RegExp(`^${frontNet.replaceAll('.', '\\.')}\\.\\d+$`));
  t.match((await docker(['exec', 'db', 'ip', '-o', '-4', 'addr', 'show', 'dev', 'eth1'])).stdout, `${frontIp}/24`, 'eth1 is in the container');
  t.equal((await fetchFrom('frontend', `http://${frontIp}/`)).stdout, 'hello from shoal\n');
  const again = await docker(['network', 'connect', 'frontend', 'db'], [1]);
  t.match(again.stderr, 'endpoint with name db already exists in network frontend');
  t.equal((await docker(['network', 'inspect', 'frontend', '--format', '{{range .Containers}}{{.Name}} {{.IPv4Address}}{{end}}'])).stdout.trim(), `db ${frontIp}/24`);

  const inUse = await docker(['network', 'rm', 'backend'], [1]);
  t.match(inUse.stderr, `error while removing network: network backend id ${backId} has active endpoints`);

  await docker(['network', 'disconnect', 'frontend', 'db']);
  const gone = await docker(['exec', 'db', 'ip', 'link', 'show', 'dev', 'eth1'], [0, 1, 2]);
  t.match(gone.stderr, "can't find device 'eth1'", 'eth1 left the container');
  t.equal(await inspect('db', '{{len .NetworkSettings.Networks}}'), '1');
  const notOn = await docker(['network', 'disconnect', 'frontend', 'db'], [1]);
  t.match(notOn.stderr, 'is not connected to network frontend');

  // several networks at run, and connect while stopped
  const both = await docker(['run', '--rm', '--network', 'backend', '--network', 'frontend', 'busybox', 'ip', '-o', '-4', 'addr']);
  t.match(both.stdout, new RegExp(`eth0\\s+inet ${backNet.replaceAll('.', '\\.')}\\.`));
  t.match(both.stdout, new RegExp(`eth1\\s+inet ${frontNet.replaceAll('.', '\\.')}\\.`));
  await docker(['create', '--name', 'later', '--network', 'backend', 'busybox', 'ip', '-o', '-4', 'addr']);
  await docker(['network', 'connect', 'frontend', 'later']);
  t.equal(await inspect('later', '{{range $k, $v := .NetworkSettings.Networks}}{{$k}} {{end}}'), 'backend frontend', 'a stopped container shows its networks');
  const later = await docker(['start', '-a', 'later']);
  t.match(later.stdout, `inet ${frontNet}.`, 'and joins them at start');
  await docker(['network', 'disconnect', 'frontend', 'later']);
  t.notMatch((await docker(['start', '-a', 'later'])).stdout, `inet ${frontNet}.`);

  // internal networks: no way out
  await docker(['network', 'create', '--internal', '--subnet', `${privNet}.0/24`, 'priv']);
  const routes = await docker(['run', '--rm', '--network', 'priv', 'busybox', 'ip', 'route']);
  t.notMatch(routes.stdout, 'default', 'no default route');
  t.match(routes.stdout, `${privNet}.0/24`);

  // errors at create and start
  // As Docker: create accepts a network that may exist later; start fails without it.
  const noNet = await docker(['run', '--network', 'nosuch', 'busybox', 'true'], [125, 127]);
  t.match(noNet.stderr, 'network nosuch not found');
  t.notMatch(noNet.stderr, 'Unable to find image', 'not mistaken for a missing image');
  const hostPlus = await docker(['network', 'connect', 'backend', (await docker(['create', '--network', 'host', 'busybox', 'true'])).stdout.trim()], [1]);
  t.match(hostPlus.stderr, 'container cannot be disconnected from host network or connected to host network');

  // a subnet from the pools when none is given, never over a host route
  const autoId = (await docker(['network', 'create', 'auto'])).stdout.trim();
  const autoSubnet = (await docker(['network', 'inspect', 'auto', '--format', '{{range .IPAM.Config}}{{.Subnet}}{{end}}'])).stdout.trim();
  t.match(autoSubnet, /^(172\.(1[7-9]|2\d|3[01])\.0\.0\/16|192\.168\.\d+\.0\/20)$/, `picked ${autoSubnet}`);
  const hostRoutes = (await runTool(['ip', '-4', 'route', 'show', 'table', 'main'])).stdout;
  t.equal(hostRoutes.split('\n').filter((l) => l.startsWith(`${autoSubnet} `)).length, 1, 'only its own bridge routes it');

  // rm and prune leave nothing
  await docker(['rm', '-f', 'db', 'later']);
  await docker(['network', 'rm', 'backend']);
  t.equal((await runTool(['ip', 'link', 'show', 'dev', bridgeName], { okCodes: [0, 1] })).code, 1, 'the bridge is gone');
  const pruned = await docker(['network', 'prune', '-f']);
  t.match(pruned.stdout, 'frontend');
  t.match(pruned.stdout, 'priv');
  t.match(pruned.stdout, 'auto');
  t.equal((await runTool(['ip', 'link', 'show', 'dev', `br-${autoId.slice(0, 12)}`], { okCodes: [0, 1] })).code, 1);
  t.same((await docker(['network', 'ls', '--format', '{{.Name}}'])).stdout.trim().split('\n').sort(), ['bridge', 'host', 'none']);
  const bridgeRm = await docker(['network', 'rm', 'bridge'], [1]);
  t.match(bridgeRm.stderr, 'bridge is a pre-defined network and cannot be removed');

  // Docker's network events, as `docker events` shows them
  const events = (await docker(['events', '--since', since, '--until', String(Math.floor(Date.now() / 1000) + 1), '--filter', 'type=network',
    '--format', '{{.Action}} {{.Actor.Attributes.name}} {{.Actor.Attributes.type}}'])).stdout.split('\n');
  for (const e of ['create backend bridge', 'connect backend bridge', 'connect frontend bridge', 'disconnect frontend bridge', 'destroy backend bridge', 'destroy priv bridge']) {
    t.ok(events.includes(e), `event: ${e}`);
  }
});
