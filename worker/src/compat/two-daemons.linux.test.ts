import t from 'tap';
import { makeNetns } from '@shoal/testkit';
import { runTool } from '@shoal/common';
import { daemonWithImage, IMAGE } from '../testing/compat-fixture.js';

// Two shoald on one machine, each in its own network namespace with its own
// data-root, exec-root, cgroup parent and socket: the way cluster tests and
// the one-machine lab run several nodes. Both publish the same host port.
const ns1 = await makeNetns('shoal2d');
const ns2 = await makeNetns('shoal2d');
t.teardown(async () => {
  await ns1.remove();
  await ns2.remove();
});
const a = await daemonWithImage({ netns: ns1.name });
t.teardown(() => a.cleanup());
const b = await daemonWithImage({ netns: ns2.name });
t.teardown(() => b.cleanup());

async function fetchIn(netns: string, url: string): Promise<string> {
  for (let i = 0; i < 50; i++) {
    const r = await runTool(['nsenter', `--net=/run/netns/${netns}`, 'curl', '-fsS', '-m', '2', url], { okCodes: [0, 7, 22, 28, 52, 56] });
    if (r.code === 0) return r.stdout;
    await new Promise((res) => setTimeout(res, 100));
  }
  return '';
}

t.test('both daemons publish port 8080, each in its own netns, without touching each other', async (t) => {
  const pageCmd = (who: string) => ['sh', '-c', `mkdir -p /srv && echo ${who} > /srv/index.html && exec httpd -f -p 80 -h /srv`];
  const ida = (await a.docker(['run', '-d', '--name', 'web', '-p', '8080:80', IMAGE, ...pageCmd('from-a')])).stdout.trim();
  const idb = (await b.docker(['run', '-d', '--name', 'web', '-p', '8080:80', IMAGE, ...pageCmd('from-b')])).stdout.trim();
  t.not(ida, idb);
  t.equal(await fetchIn(ns1.name, 'http://127.0.0.1:8080/'), 'from-a\n');
  t.equal(await fetchIn(ns2.name, 'http://127.0.0.1:8080/'), 'from-b\n');
  const psA = (await a.docker(['ps', '-q', '--no-trunc'])).stdout.trim().split('\n');
  t.same(psA, [ida], 'daemon A lists only its own container');
  const host = await runTool(['ip', 'link', 'show', a.bridge], { okCodes: [0, 1] });
  t.equal(host.code, 1, "A's bridge is not in the host's network namespace");
  await a.docker(['rm', '-f', 'web']);
  t.equal(await fetchIn(ns2.name, 'http://127.0.0.1:8080/'), 'from-b\n', "removing A's container leaves B's serving");
  await b.docker(['rm', '-f', 'web']);
});
