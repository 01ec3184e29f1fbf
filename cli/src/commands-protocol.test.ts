import t from 'tap';
import { readFileSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { runCli } from './program.js';
import { encodeFrame, STREAM_STDERR, STREAM_STDOUT } from './demux.js';
import { startFakeDaemon, testIo } from './testing/fake-daemon.js';
import type { FakeDaemon, Handler } from './testing/fake-daemon.js';

const daemon = (t: { teardown: (fn: () => unknown) => void }): Promise<FakeDaemon> => startFakeDaemon(t);
const NOW = Date.UTC(2024, 0, 2, 12, 0, 0);
const ID1 = 'a1b2c3d4e5f6'.padEnd(64, '1');
const ID2 = 'f6e5d4c3b2a1'.padEnd(64, '2');

const summaries = [
  {
    Id: ID1, Names: ['/web'], Image: 'busybox:latest', ImageID: 'sha256:x', Command: 'sh -c \'while true; do echo hi; done\'',
    Created: NOW / 1000 - 3, Ports: [{ IP: '0.0.0.0', PrivatePort: 80, PublicPort: 8080, Type: 'tcp' }, { IP: '::', PrivatePort: 80, PublicPort: 8080, Type: 'tcp' }, { PrivatePort: 53, Type: 'udp' }],
    Labels: { tier: 'web' }, State: 'running', Status: 'Up 3 seconds', HostConfig: { NetworkMode: 'default' },
    NetworkSettings: { Networks: { bridge: {} } }, Mounts: [],
  },
  {
    Id: ID2, Names: ['/db'], Image: 'sha256:0123456789abcdef0123', ImageID: 'sha256:y', Command: 'true',
    Created: NOW / 1000 - 150, Ports: [], Labels: {}, State: 'exited', Status: 'Exited (0) 2 minutes ago',
    HostConfig: { NetworkMode: 'default' }, NetworkSettings: { Networks: {} }, Mounts: [],
  },
];

t.test('ps prints docker\'s table', async (t) => {
  const d = await daemon(t);
  d.json('GET /containers/json', 200, summaries);
  const io = testIo({ SHOAL_HOST: `unix://${d.socketPath}` }, NOW);
  t.equal(await runCli(['ps', '-a'], io.io), 0);
  t.equal(io.stdout(), [
    'CONTAINER ID   IMAGE            COMMAND                  CREATED         STATUS                     PORTS                                             NAMES',
    'a1b2c3d4e5f6   busybox:latest   "sh -c \'while true; …"   3 seconds ago   Up 3 seconds               53/udp, 0.0.0.0:8080->80/tcp, [::]:8080->80/tcp   web',
    'f6e5d4c3b2a1   0123456789ab     "true"                   2 minutes ago   Exited (0) 2 minutes ago                                                     db',
    '',
  ].join('\n'));
  t.equal(d.calls[0]?.query.get('all'), '1');
});

t.test('ps -q, --no-trunc, --format, filters, -n', async (t) => {
  const d = await daemon(t);
  d.json('GET /containers/json', 200, summaries);
  const host = { SHOAL_HOST: `unix://${d.socketPath}` };
  let io = testIo(host, NOW);
  await runCli(['container', 'ls', '-q', '-f', 'status=running', '--filter', 'label=tier=web'], io.io);
  t.equal(io.stdout(), 'a1b2c3d4e5f6\nf6e5d4c3b2a1\n');
  t.same(JSON.parse(d.calls[0]?.query.get('filters') ?? ''), { status: { running: true }, label: { 'tier=web': true } });
  io = testIo(host, NOW);
  await runCli(['container', 'ps', '-q', '--no-trunc'], io.io);
  t.equal(io.stdout(), `${ID1}\n${ID2}\n`);
  io = testIo(host, NOW);
  await runCli(['ps', '--format', '{{.Names}}: {{.Status}} {{.Labels}}'], io.io);
  t.equal(io.stdout(), 'web: Up 3 seconds tier=web\ndb: Exited (0) 2 minutes ago \n');
  io = testIo(host, NOW);
  await runCli(['ps', '--format', 'table {{.ID}}\\t{{.Names}}'], io.io);
  t.equal(io.stdout(), 'CONTAINER ID   NAMES\na1b2c3d4e5f6   web\nf6e5d4c3b2a1   db\n');
  io = testIo(host, NOW);
  await runCli(['ps', '--format', 'json'], io.io);
  const lines = io.stdout().trim().split('\n').map((l) => JSON.parse(l) as Record<string, string>);
  t.equal(lines.length, 2);
  t.match(lines[0], { ID: 'a1b2c3d4e5f6', Names: 'web', State: 'running', RunningFor: '3 seconds ago', Networks: 'bridge' });
  io = testIo(host, NOW);
  await runCli(['ps', '-n', '5', '-s'], io.io);
  const last = d.calls[d.calls.length - 1];
  t.equal(last?.query.get('limit'), '5');
  t.equal(last?.query.get('all'), '1');
  t.equal(last?.query.get('size'), '1');
  t.match(io.stdout(), /NAMES +SIZE\n/);
  io = testIo(host, NOW);
  t.equal(await runCli(['ps', '--format', '{{.ID'], io.io), 1);
  t.match(io.stderr(), /template: unclosed action/);
});

const inspectBody = {
  Id: ID1, Name: '/web', State: { Status: 'running', Running: true, ExitCode: 0, Pid: 99 },
  Config: { Env: ['A=1', 'B=2'], Labels: { tier: 'web' }, Tty: false }, HostConfig: { Memory: 536870912 },
};

t.test('inspect: JSON array, --format, fallbacks to images, not found', async (t) => {
  const d = await daemon(t);
  d.json('GET /containers/web/json', 200, inspectBody)
    .json('GET /containers/*/json', 404, { message: 'No such container' })
    .json('GET /images/busybox/json', 200, { Id: 'sha256:bb', RepoTags: ['busybox:latest'] })
    .json('GET /images/*/json', 404, { message: 'No such image' })
    .json('GET /networks/*', 404, { message: 'No such network' });
  const host = { SHOAL_HOST: `unix://${d.socketPath}` };
  let io = testIo(host);
  t.equal(await runCli(['inspect', 'web'], io.io), 0);
  t.equal(io.stdout(), `${JSON.stringify([inspectBody], null, 4)}\n`);
  t.match(io.stdout(), /^\[\n {4}\{\n {8}"Id"/);
  io = testIo(host);
  t.equal(await runCli(['inspect', '-f', '{{.State.Status}} {{.Config.Env}} {{json .Config.Labels}} {{.HostConfig.Memory}}', 'web'], io.io), 0);
  t.equal(io.stdout(), 'running [A=1 B=2] {"tier":"web"} 536870912\n');
  io = testIo(host);
  t.equal(await runCli(['inspect', '--format', '{{index .RepoTags 0}}', 'web', 'busybox'], io.io), 1, 'web has no RepoTags');
  t.match(io.stderr(), /index of untyped nil|index/);
  io = testIo(host);
  t.equal(await runCli(['inspect', '-f', '{{.Id}}', 'busybox', 'ghost', 'web'], io.io), 1);
  t.equal(io.stdout(), `sha256:bb\n${ID1}\n`);
  t.equal(io.stderr(), 'Error: No such object: ghost\n');
  io = testIo(host);
  t.equal(await runCli(['container', 'inspect', 'ghost'], io.io), 1);
  t.equal(io.stderr(), 'Error: No such container: ghost\n');
  t.equal(io.stdout(), '[]\n');
  io = testIo(host);
  t.equal(await runCli(['image', 'inspect', '--format', 'json', 'busybox'], io.io), 0);
  t.equal(io.stdout(), '{"Id":"sha256:bb","RepoTags":["busybox:latest"]}\n');
  io = testIo(host);
  t.equal(await runCli(['inspect', '--type', 'bogus', 'x'], io.io), 125);
});

t.test('logs -f streams frames as they come and stops when the daemon ends the stream', async (t) => {
  const d = await daemon(t);
  let finish: () => void = () => undefined;
  const canFinish = new Promise<void>((r) => { finish = r; });
  d.json('GET /containers/*/json', 200, { Id: ID1, Config: { Tty: false } })
    .on('GET /containers/*/logs', async (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/vnd.docker.multiplexed-stream' });
      res.write(encodeFrame(STREAM_STDOUT, 'line 1\n'));
      res.write(encodeFrame(STREAM_STDERR, 'err 1\n'));
      await canFinish;
      res.end(encodeFrame(STREAM_STDOUT, 'line 2\n'));
    });
  const io = testIo({ SHOAL_HOST: `unix://${d.socketPath}` }, NOW);
  const running = runCli(['logs', '-f', '-t', '--tail', '10', '--since', '10m', 'web'], io.io);
  await io.waitForStdout(/line 1\n/);
  t.equal(io.stdout(), 'line 1\n', 'the first line arrives while the stream is still open');
  finish();
  t.equal(await running, 0);
  t.equal(io.stdout(), 'line 1\nline 2\n');
  t.equal(io.stderr(), 'err 1\n');
  const q = d.calls[1]?.query;
  t.equal(q?.get('follow'), '1');
  t.equal(q?.get('timestamps'), '1');
  t.equal(q?.get('tail'), '10');
  t.equal(q?.get('since'), String(NOW / 1000 - 600));
  t.equal(q?.get('stdout'), '1');
});

t.test('logs of a tty container are copied raw', async (t) => {
  const d = await daemon(t);
  d.json('GET /containers/*/json', 200, { Id: ID1, Config: { Tty: true } })
    .on('GET /containers/*/logs', (_req, res) => { res.writeHead(200); res.end('\u0001\u0000raw\r\n'); });
  const io = testIo({ SHOAL_HOST: `unix://${d.socketPath}` });
  t.equal(await runCli(['logs', 'web'], io.io), 0);
  t.equal(io.stdout(), '\u0001\u0000raw\r\n');
});

t.test('daemon errors print like docker and exit 1; other names go on', async (t) => {
  const d = await daemon(t);
  d.on('DELETE /containers/*', (req, res) => {
    const name = (req.url ?? '').split('/').pop()?.split('?')[0];
    if (name === 'busy') { res.writeHead(409, { 'Content-Type': 'application/json' }); res.end('{"message":"cannot remove container \\"/busy\\": container is running: stop the container before removing or force remove"}'); return; }
    res.writeHead(204); res.end();
  });
  const io = testIo({ SHOAL_HOST: `unix://${d.socketPath}` });
  t.equal(await runCli(['rm', 'busy', 'idle'], io.io), 1);
  t.equal(io.stdout(), 'idle\n');
  t.equal(io.stderr(), 'Error response from daemon: cannot remove container "/busy": container is running: stop the container before removing or force remove\n');
  const io2 = testIo({ SHOAL_HOST: `unix://${d.socketPath}` });
  t.equal(await runCli(['rm', '-f', '-v', 'idle'], io2.io), 0);
  t.equal(d.calls[2]?.query.get('force'), '1');
  t.equal(d.calls[2]?.query.get('v'), '1');
});

t.test('no daemon: a clear message and exit 1', async (t) => {
  const dir = t.testdir();
  const io = testIo({});
  t.equal(await runCli(['-H', `unix://${join(dir, 'none.sock')}`, 'ps'], io.io), 1);
  t.match(io.stderr(), /^Cannot connect to the shoal daemon at unix:\/\/.*none\.sock\. Is the shoal daemon running\?\n$/);
});

t.test('lifecycle verbs send docker\'s queries', async (t) => {
  const d = await daemon(t);
  for (const r of ['stop', 'restart', 'kill', 'pause', 'unpause', 'rename', 'start']) d.on(`POST /containers/*/${r}`, (_q, res) => { res.writeHead(204); res.end(); });
  d.json('POST /containers/*/wait', 200, { StatusCode: 5 })
    .json('POST /containers/*/update', 200, { Warnings: [] });
  const host = { SHOAL_HOST: `unix://${d.socketPath}` };
  const cases: Array<[string[], string, Record<string, string>, string]> = [
    [['stop', '-t', '3', 'a'], '/containers/a/stop', { t: '3' }, 'a\n'],
    [['container', 'restart', '-s', 'SIGINT', 'a'], '/containers/a/restart', { signal: 'SIGINT' }, 'a\n'],
    [['kill', '-s', 'HUP', 'a', 'b'], '/containers/b/kill', { signal: 'HUP' }, 'a\nb\n'],
    [['pause', 'a'], '/containers/a/pause', {}, 'a\n'],
    [['unpause', 'a'], '/containers/a/unpause', {}, 'a\n'],
    [['rename', 'a', 'z'], '/containers/a/rename', { name: 'z' }, ''],
    [['wait', 'a'], '/containers/a/wait', {}, '5\n'],
    [['start', 'a'], '/containers/a/start', {}, 'a\n'],
  ];
  for (const [argv, path, query, out] of cases) {
    const io = testIo(host);
    t.equal(await runCli(argv, io.io), 0, argv.join(' '));
    const last = d.calls[d.calls.length - 1];
    t.equal(last?.path, path);
    for (const [k, v] of Object.entries(query)) t.equal(last?.query.get(k), v, `${argv.join(' ')} ${k}`);
    t.equal(io.stdout(), out);
  }
  const io = testIo(host);
  t.equal(await runCli(['update', '-m', '256m', '--cpus', '0.5', '--restart', 'on-failure:2', 'a'], io.io), 0);
  t.same(JSON.parse(d.calls[d.calls.length - 1]?.body ?? ''), { NanoCpus: 500000000, Memory: 268435456, RestartPolicy: { Name: 'on-failure', MaximumRetryCount: 2 } });
  const io2 = testIo(host);
  t.equal(await runCli(['update', 'a'], io2.io), 125);
  t.match(io2.stderr(), /you must provide one or more flags/);
});

t.test('top, stats --no-stream, events, container prune', async (t) => {
  const d = await daemon(t);
  d.json('GET /containers/*/top', 200, { Titles: ['PID', 'USER', 'CMD'], Processes: [['1', 'root', 'sleep 1d'], ['12', 'root', 'sh']] })
    .json('GET /containers/*/stats', 200, {
      id: ID1, name: '/web', pids_stats: { current: 2 },
      cpu_stats: { cpu_usage: { total_usage: 2_000_000 }, system_cpu_usage: 20_000_000, online_cpus: 2 },
      precpu_stats: { cpu_usage: { total_usage: 1_000_000 }, system_cpu_usage: 10_000_000 },
      memory_stats: { usage: 2 * 1024 * 1024, limit: 1024 * 1024 * 1024, stats: { inactive_file: 512 * 1024 } },
      networks: { eth0: { rx_bytes: 1500, tx_bytes: 500 } },
      blkio_stats: { io_service_bytes_recursive: [{ op: 'read', value: 4096 }, { op: 'write', value: 1_000_000 }] },
    })
    .on('GET /events', (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.write('{"Type":"container","Action":"start","Actor":{"ID":"abc","Attributes":{"name":"web","image":"busybox"}},"scope":"local","time":1704196800,"timeNano":1704196800123456789}\n');
      res.end('{"Type":"network","Action":"connect","Actor":{"ID":"n1","Attributes":{}},"scope":"local","time":1704196801,"timeNano":1704196801000000000}\n');
    })
    .json('POST /containers/prune', 200, { ContainersDeleted: [ID1], SpaceReclaimed: 12345 });
  const host = { SHOAL_HOST: `unix://${d.socketPath}` };
  let io = testIo(host);
  t.equal(await runCli(['top', 'web', '-o', 'pid'], io.io), 0);
  t.equal(io.stdout(), 'PID                 USER                CMD\n1                   root                sleep 1d\n12                  root                sh\n');
  t.equal(d.calls[0]?.query.get('ps_args'), '-o pid');
  io = testIo(host);
  t.equal(await runCli(['stats', '--no-stream', 'web'], io.io), 0);
  t.equal(io.stdout(), [
    'CONTAINER ID   NAME      CPU %     MEM USAGE / LIMIT   MEM %     NET I/O        BLOCK I/O     PIDS',
    'a1b2c3d4e5f6   web       20.00%    1.5MiB / 1GiB       0.15%     1.5kB / 500B   4.1kB / 1MB   2',
    '',
  ].join('\n'));
  t.equal(d.calls[1]?.query.get('stream'), '0');
  io = testIo(host);
  t.equal(await runCli(['events', '--since', '1704196800', '--filter', 'type=container'], io.io), 0);
  t.equal(io.stdout(), '2024-01-02T12:00:00.123456789Z container start abc (image=busybox, name=web)\n2024-01-02T12:00:01.000000000Z network connect n1\n');
  t.equal(d.calls[2]?.query.get('since'), '1704196800');
  io = testIo(host);
  t.equal(await runCli(['system', 'events', '--format', '{{.Type}}/{{.Action}}'], io.io), 0);
  t.equal(io.stdout(), 'container/start\nnetwork/connect\n');
  io = testIo(host);
  t.equal(await runCli(['container', 'prune', '-f'], io.io), 0);
  t.equal(io.stdout(), `Deleted Containers:\n${ID1}\n\nTotal reclaimed space: 12.3kB\n`);
  io = testIo(host);
  io.stdin.end('n\n');
  t.equal(await runCli(['container', 'prune'], io.io), 0);
  t.equal(io.stdout(), 'WARNING! This will remove all stopped containers.\nAre you sure you want to continue? [y/N] ');
  t.equal(d.calls.filter((c) => c.path === '/containers/prune').length, 1, 'no prune without a yes');
});

t.test('images, history, tag, rmi, image prune', async (t) => {
  const d = await daemon(t);
  d.json('GET /images/json', 200, [
    { Id: `sha256:${'ab'.repeat(32)}`, ParentId: '', RepoTags: ['busybox:latest', 'localhost:5000/bb:1.36'], RepoDigests: [], Created: NOW / 1000 - 7200, Size: 4_261_000, SharedSize: -1, Labels: {}, Containers: -1 },
    { Id: `sha256:${'cd'.repeat(32)}`, ParentId: '', RepoTags: [], RepoDigests: [], Created: NOW / 1000 - 86400 * 3, Size: 999, SharedSize: -1, Labels: {}, Containers: -1 },
  ])
    .json('GET /images/*/history', 200, [
      { Id: `sha256:${'ab'.repeat(32)}`, Created: NOW / 1000 - 60, CreatedBy: '/bin/sh -c #(nop)  CMD ["sh"]\tand a long tail of text here', Tags: ['busybox:latest'], Size: 0, Comment: '' },
      { Id: '<missing>', Created: NOW / 1000 - 120, CreatedBy: 'ADD file:abc in /', Tags: null, Size: 4_261_000, Comment: 'imported' },
    ])
    .on('POST /images/*/tag', (_q, res) => { res.writeHead(201); res.end(); })
    .json('DELETE /images/*', 200, [{ Untagged: 'busybox:latest' }, { Deleted: `sha256:${'ab'.repeat(32)}` }])
    .json('POST /images/prune', 200, { ImagesDeleted: [{ Deleted: 'sha256:dd' }], SpaceReclaimed: 2_000_000 });
  const host = { SHOAL_HOST: `unix://${d.socketPath}` };
  let io = testIo(host, NOW);
  t.equal(await runCli(['images'], io.io), 0);
  t.equal(io.stdout(), [
    'REPOSITORY          TAG       IMAGE ID       CREATED       SIZE',
    'busybox             latest    abababababab   2 hours ago   4.26MB',
    'localhost:5000/bb   1.36      abababababab   2 hours ago   4.26MB',
    '<none>              <none>    cdcdcdcdcdcd   3 days ago    999B',
    '',
  ].join('\n'));
  io = testIo(host, NOW);
  await runCli(['image', 'ls', '-q', 'busybox'], io.io);
  t.equal(io.stdout(), 'abababababab\nabababababab\ncdcdcdcdcdcd\n');
  t.same(JSON.parse(d.calls[1]?.query.get('filters') ?? ''), { reference: { busybox: true } });
  io = testIo(host, NOW);
  await runCli(['history', 'busybox'], io.io);
  t.equal(io.stdout(), [
    'IMAGE          CREATED              CREATED BY                                      SIZE      COMMENT',
    'abababababab   About a minute ago   /bin/sh -c #(nop)  CMD ["sh"] and a long tai…   0B        ',
    '<missing>      2 minutes ago        ADD file:abc in /                               4.26MB    imported',
    '',
  ].join('\n'));
  io = testIo(host, NOW);
  await runCli(['history', '--human=false', '--format', '{{.Size}} {{.CreatedSince}}', 'busybox'], io.io);
  t.equal(io.stdout(), '0 2024-01-02T11:59:00Z\n4261000 2024-01-02T11:58:00Z\n');
  io = testIo(host);
  t.equal(await runCli(['tag', 'busybox', 'registry:5000/team/bb:v1'], io.io), 0);
  const tag = d.calls[d.calls.length - 1];
  t.equal(tag?.path, '/images/busybox/tag');
  t.equal(tag?.query.get('repo'), 'registry:5000/team/bb');
  t.equal(tag?.query.get('tag'), 'v1');
  io = testIo(host);
  t.equal(await runCli(['rmi', '-f', '--no-prune', 'busybox'], io.io), 0);
  t.equal(io.stdout(), `Untagged: busybox:latest\nDeleted: sha256:${'ab'.repeat(32)}\n`);
  t.equal(d.calls[d.calls.length - 1]?.query.get('noprune'), '1');
  io = testIo(host);
  t.equal(await runCli(['image', 'prune', '-a', '-f'], io.io), 0);
  t.equal(io.stdout(), 'Deleted Images:\nDeleted: sha256:dd\n\nTotal reclaimed space: 2MB\n');
  t.same(JSON.parse(d.calls[d.calls.length - 1]?.query.get('filters') ?? ''), { dangling: { false: true } });
});

t.test('load, import and save stream files', async (t) => {
  const d = await daemon(t);
  const got: Record<string, Buffer> = {};
  const collect = (key: string, reply: string) => async (req: IncomingMessage, res: ServerResponse) => {
    const parts: Buffer[] = [];
    for await (const c of req) parts.push(c as Buffer);
    got[key] = Buffer.concat(parts);
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(reply);
  };
  d.on('POST /images/load', collect('load', '{"stream":"Loaded image: busybox:latest\\n"}\n'))
    .on('POST /images/create', collect('import', '{"status":"sha256:feed"}\n'))
    .on('GET /images/get', (_req, res) => { res.writeHead(200, { 'Content-Type': 'application/x-tar' }); res.end(Buffer.from('TARBYTES')); });
  const dir = t.testdir();
  const tar = join(dir, 'in.tar');
  writeFileSync(tar, Buffer.alloc(70_000, 7));
  const host = { SHOAL_HOST: `unix://${d.socketPath}` };
  let io = testIo(host);
  t.equal(await runCli(['load', '-i', tar], io.io), 0);
  t.equal(io.stdout(), 'Loaded image: busybox:latest\n');
  t.equal(got.load?.length, 70_000);
  io = testIo(host);
  io.stdin.end(Buffer.from('from-stdin'));
  t.equal(await runCli(['image', 'import', '-c', 'CMD ["sh"]', '-c', 'ENV A=1', '-m', 'hello', '-', 'mine:v2'], io.io), 0);
  t.equal(io.stdout(), 'sha256:feed\n');
  t.equal(got.import?.toString(), 'from-stdin');
  const imp = d.calls.find((c) => c.path === '/images/create');
  t.equal(imp?.query.get('fromSrc'), '-');
  t.equal(imp?.query.get('repo'), 'mine');
  t.equal(imp?.query.get('tag'), 'v2');
  t.equal(imp?.query.get('message'), 'hello');
  t.same(imp?.query.getAll('changes'), ['CMD ["sh"]', 'ENV A=1']);
  io = testIo(host);
  const out = join(dir, 'out.tar');
  t.equal(await runCli(['save', '-o', out, 'busybox', 'alpine'], io.io), 0);
  t.equal(readFileSync(out, 'utf8'), 'TARBYTES');
  t.same(d.calls[d.calls.length - 1]?.query.getAll('names'), ['busybox', 'alpine']);
  io = testIo(host);
  (io.io.stdout as { isTTY?: boolean }).isTTY = true;
  t.equal(await runCli(['save', 'busybox'], io.io), 125);
  t.match(io.stderr(), /cowardly refusing to save to a terminal/);
  d.json('POST /images/load', 200, { error: 'unexpected EOF', errorDetail: { message: 'unexpected EOF' } });
  io = testIo(host);
  t.equal(await runCli(['load', '-i', tar], io.io), 1);
  t.equal(io.stderr(), 'Error response from daemon: unexpected EOF\n');
});

t.test('network ls and version', async (t) => {
  const d = await daemon(t);
  d.json('GET /networks', 200, [
    { Name: 'none', Id: 'c'.repeat(64), Driver: 'null', Scope: 'local', EnableIPv6: false, Internal: false, Labels: {}, Created: '' },
    { Name: 'bridge', Id: 'a'.repeat(64), Driver: 'bridge', Scope: 'local', EnableIPv6: false, Internal: false, Labels: {}, Created: '' },
  ])
    .json('GET /version', 200, { Version: '0.1.0', ApiVersion: '1.44', MinAPIVersion: '1.24', Os: 'linux', Arch: 'amd64' });
  const host = { SHOAL_HOST: `unix://${d.socketPath}` };
  let io = testIo(host);
  t.equal(await runCli(['network', 'ls'], io.io), 0);
  t.equal(io.stdout(), `NETWORK ID     NAME      DRIVER    SCOPE\n${'a'.repeat(12)}   bridge    bridge    local\n${'c'.repeat(12)}   none      null      local\n`);
  io = testIo(host);
  t.equal(await runCli(['version', '--format', '{{.Server.ApiVersion}} {{.Client.ApiVersion}}'], io.io), 0);
  t.equal(io.stdout(), '1.44 1.44\n');
});

t.test('network create, connect, disconnect, rm, prune: the requests Docker sends', async (t) => {
  const d = await daemon(t);
  const id = 'f'.repeat(64);
  const ok: Handler = (_req, res) => { res.writeHead(200); res.end(); };
  d.json('POST /networks/create', 201, { Id: id, Warning: '' })
    .on('POST /networks/*/connect', ok)
    .on('POST /networks/*/disconnect', ok)
    .on('DELETE /networks/*', (_req, res, call) => {
      const missing = call.path.endsWith('/nosuch');
      res.writeHead(missing ? 404 : 204, { 'Content-Type': 'application/json' });
      res.end(missing ? '{"message":"network nosuch not found"}' : undefined);
    })
    .json('POST /networks/prune', 200, { NetworksDeleted: ['backend'] });
  const host = { SHOAL_HOST: `unix://${d.socketPath}` };
  let io = testIo(host);
  t.equal(await runCli(['network', 'create', '--subnet', '10.9.0.0/24', '--gateway', '10.9.0.254', '--internal', '--label', 'a=b', '-o', 'com.docker.network.bridge.name=br9', 'backend'], io.io), 0);
  t.equal(io.stdout(), `${id}\n`);
  t.same(JSON.parse(d.calls[0]?.body ?? '{}'), {
    Name: 'backend', Driver: 'bridge', Internal: true, Attachable: false,
    IPAM: { Driver: 'default', Config: [{ Subnet: '10.9.0.0/24', Gateway: '10.9.0.254' }] },
    Options: { 'com.docker.network.bridge.name': 'br9' }, Labels: { a: 'b' },
  });
  io = testIo(host);
  t.equal(await runCli(['network', 'connect', '--alias', 'db', '--ip', '10.9.0.7', 'backend', 'web'], io.io), 0);
  t.equal(d.calls[1]?.path, '/networks/backend/connect');
  t.same(JSON.parse(d.calls[1]?.body ?? '{}'), { Container: 'web', EndpointConfig: { Aliases: ['db'], IPAMConfig: { IPv4Address: '10.9.0.7' } } });
  io = testIo(host);
  t.equal(await runCli(['network', 'disconnect', 'backend', 'web'], io.io), 0);
  t.same(JSON.parse(d.calls[2]?.body ?? '{}'), { Container: 'web', Force: false });
  io = testIo(host);
  t.equal(await runCli(['network', 'rm', 'backend', 'nosuch'], io.io), 1, 'one failure makes the status 1');
  t.equal(io.stdout(), 'backend\n');
  t.equal(io.stderr(), 'Error response from daemon: network nosuch not found\n');
  io = testIo(host);
  t.equal(await runCli(['network', 'rm', '-f', 'nosuch'], io.io), 0, '-f ignores a missing network');
  io = testIo(host);
  t.equal(await runCli(['network', 'prune', '-f'], io.io), 0);
  t.equal(io.stdout(), 'Deleted Networks:\nbackend\n');
});

t.test('management forms parse like the short ones (options after the image belong to the command)', async (t) => {
  const d = await daemon(t);
  d.json('POST /containers/create', 201, { Id: ID1, Warnings: [] })
    .on('POST /containers/*/start', (_q, res) => { res.writeHead(204); res.end(); });
  const io = testIo({ SHOAL_HOST: `unix://${d.socketPath}` });
  t.equal(await runCli(['container', 'run', '-d', '--name', 'x', 'busybox', 'ls', '-l', '-d', '/'], io.io), 0);
  t.same((JSON.parse(d.calls[0]?.body ?? '{}') as { Cmd: string[] }).Cmd, ['ls', '-l', '-d', '/']);
  t.equal(io.stdout(), `${ID1}\n`);
  const io2 = testIo({ SHOAL_HOST: `unix://${d.socketPath}` });
  t.equal(await runCli(['container', 'create', '--rm=true', '--sig-proxy=false', 'busybox'], io2.io), 125, 'create has no --sig-proxy');
  t.match(io2.stderr(), /unknown option '--no-sig-proxy'|unknown option/);
});

t.test('stats streams samples until the daemon ends the streams', async (t) => {
  const d = await daemon(t);
  const sample = (total: number) => JSON.stringify({
    id: ID1, name: '/web', pids_stats: { current: 3 },
    cpu_stats: { cpu_usage: { total_usage: total }, system_cpu_usage: total * 10, online_cpus: 1 },
    precpu_stats: { cpu_usage: { total_usage: 0 }, system_cpu_usage: 0 },
    memory_stats: { usage: 1024 * 1024, limit: 2 * 1024 * 1024 },
  });
  d.json('GET /containers/json', 200, [summaries[0]])
    .on('GET /containers/*/stats', (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.write(`${sample(100)}\n`);
      res.end(`${sample(300)}\n`);
    });
  let now = NOW;
  const io = testIo({ SHOAL_HOST: `unix://${d.socketPath}` }, NOW);
  io.io.now = () => (now += 1000);
  t.equal(await runCli(['stats', '--format', '{{.Name}} {{.CPUPerc}} {{.MemPerc}} {{.PIDs}}'], io.io), 0);
  t.equal(io.stdout(), 'web 10.00% 50.00% 3\nweb 10.00% 50.00% 3\nweb 10.00% 50.00% 3\n', 'one render per sample, then the final one');
  t.equal(d.calls[1]?.path, `/containers/${ID1}/stats`);
  t.equal(d.calls[1]?.query.get('stream'), '1');
});

t.test('pull shows progress and the canonical name', async (t) => {
  const d = await daemon(t);
  d.on('POST /images/create', (_req, res) => {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.write('{"status":"Pulling from library/busybox","id":"1.36"}\n');
    res.write('{"status":"Downloading","progressDetail":{"current":5,"total":10},"id":"aaa"}\n');
    res.end('{"status":"Status: Downloaded newer image for busybox:1.36"}\n');
  });
  const host = { SHOAL_HOST: `unix://${d.socketPath}` };
  let io = testIo(host);
  t.equal(await runCli(['pull', 'busybox:1.36'], io.io), 0);
  t.equal(io.stdout(), '1.36: Pulling from library/busybox\nStatus: Downloaded newer image for busybox:1.36\ndocker.io/library/busybox:1.36\n');
  t.equal(d.calls[0]?.query.get('fromImage'), 'busybox');
  t.equal(d.calls[0]?.query.get('tag'), '1.36');
  io = testIo(host);
  t.equal(await runCli(['image', 'pull', '-q', 'localhost:5000/team/app'], io.io), 0);
  t.equal(io.stdout(), 'localhost:5000/team/app:latest\n');
  t.equal(d.calls[1]?.query.get('fromImage'), 'localhost:5000/team/app');
  t.equal(d.calls[1]?.query.get('tag'), 'latest');
  d.on('POST /images/create', (_req, res) => { res.writeHead(200); res.end('{"errorDetail":{"message":"manifest unknown"},"error":"manifest unknown"}\n'); });
  io = testIo(host);
  t.equal(await runCli(['pull', 'busybox:nope'], io.io), 1);
  t.equal(io.stderr(), 'Error response from daemon: manifest unknown\n');
});

t.test('ps: {{.Label "k"}} and .Size in a format asks for sizes', async (t) => {
  const d = await daemon(t);
  d.json('GET /containers/json', 200, summaries);
  const io = testIo({ SHOAL_HOST: `unix://${d.socketPath}` }, NOW);
  t.equal(await runCli(['ps', '--format', '{{.Names}} tier={{.Label "tier"}} {{.Size}}'], io.io), 0);
  t.equal(io.stdout(), 'web tier=web 0B\ndb tier= 0B\n');
  t.equal(d.calls[0]?.query.get('size'), '1');
  const io2 = testIo({ SHOAL_HOST: `unix://${d.socketPath}` }, NOW);
  await runCli(['ps', '--format', 'json'], io2.io);
  t.notMatch(io2.stdout(), /"Label"/);
});

t.test('attach refuses a stopped container like docker (exit 1)', async (t) => {
  const d = await daemon(t);
  d.json('GET /containers/*/json', 200, { Id: ID1, Config: { Tty: false, OpenStdin: false }, State: { Running: false, Paused: false } });
  const io = testIo({ SHOAL_HOST: `unix://${d.socketPath}` });
  t.equal(await runCli(['attach', 'web'], io.io), 1);
  t.equal(io.stderr(), 'You cannot attach to a stopped container, start it first\n');
  const io2 = testIo({ SHOAL_HOST: `unix://${d.socketPath}` });
  t.equal(await runCli(['start', '-a', 'a', 'b'], io2.io), 1);
  t.equal(io2.stderr(), 'you cannot start and attach multiple containers at once\n');
});

t.test('attach: output and exit code of a running container', async (t) => {
  const d = await daemon(t);
  let attached: () => void = () => undefined;
  const isAttached = new Promise<void>((r) => { attached = r; });
  let running = true;
  d.on('GET /containers/*/json', (_req, res) => {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ Id: ID1, Config: { Tty: false, OpenStdin: true }, State: { Running: running, Paused: false } }));
  })
    .on('POST /containers/*/wait', async (_req, res) => { res.writeHead(200); res.flushHeaders(); await isAttached; res.end('{"StatusCode":9}'); })
    .onHijack('POST /containers/*/attach', async (sock) => {
      const got: Buffer[] = [];
      sock.on('data', (c: Buffer) => got.push(c));
      await once(sock, 'end');
      running = false;
      sock.end(encodeFrame(STREAM_STDOUT, `echo:${Buffer.concat(got).toString()}`));
      attached();
    });
  const io = testIo({ SHOAL_HOST: `unix://${d.socketPath}` });
  io.stdin.end('typed');
  t.equal(await runCli(['attach', 'web'], io.io), 9);
  t.equal(io.stdout(), 'echo:typed');
  t.same(d.order, ['GET /containers/web/json', `POST /containers/${ID1}/wait`, `POST /containers/${ID1}/attach`, `GET /containers/${ID1}/json`]);
  t.equal(d.calls[1]?.query.get('condition'), 'not-running');
  t.equal(d.calls[2]?.query.get('stdin'), '1');
});
