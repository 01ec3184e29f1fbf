import t from 'tap';
import { buildRecord, mergeConfig, validateResources } from './create-config.js';
import { matchesFilters, validateFilters } from './list-filters.js';
import { DetachScanner, parseDetachKeys, stdFrame } from './attach-stream.js';
import { parseStat, formatTop, type ProcInfo } from './top.js';
import { humanDuration, summaryOf } from './views.js';
import { normalizeSignal } from './signals.js';

const image = { id: 'sha256:' + 'b'.repeat(64), config: { Cmd: ['sh'], Entrypoint: null, Env: ['PATH=/bin', 'A=1'], WorkingDir: '/w', User: 'app', ExposedPorts: { '80/tcp': {} }, Labels: { a: '1' }, StopSignal: 'SIGQUIT' } };

t.test('image config merges under the body', async (t) => {
  const c = mergeConfig({ Image: 'img', Env: ['A=2', 'B=3'], Labels: { b: '2' }, Cmd: ['echo', 'x'] }, image);
  t.same(c.Env, ['PATH=/bin', 'A=2', 'B=3']);
  t.same(c.Labels, { a: '1', b: '2' });
  t.equal(c.WorkingDir, '/w');
  t.equal(c.User, 'app');
  t.equal(c.StopSignal, 'SIGQUIT');
  t.same(c.Cmd, ['echo', 'x']);
  t.same(Object.keys(c.ExposedPorts ?? {}), ['80/tcp']);
});

t.test('buildRecord: defaults and validation', async (t) => {
  const id = 'c'.repeat(64);
  const { rec } = buildRecord({ id, name: '/n', created: '2026-01-01T00:00:00.000000000Z', body: { Image: 'img' }, image });
  t.equal(rec.Path, 'sh');
  t.same(rec.Args, []);
  t.equal(rec.Config.Hostname, id.slice(0, 12));
  t.equal(rec.HostConfig.NetworkMode, 'bridge');
  t.same(rec.HostConfig.RestartPolicy, { Name: 'no', MaximumRetryCount: 0 });
  t.equal(rec.State.Status, 'created');
  const bad = (body: object, msg: RegExp | string): void => {
    t.throws(() => buildRecord({ id, name: '/n', created: 'x', body: { Image: 'img', ...body }, image }), { message: msg });
  };
  bad({ HostConfig: { Memory: 4 << 20 } }, 'Minimum memory limit allowed is 6MB');
  bad({ HostConfig: { Memory: 8 << 20, MemorySwap: 7 << 20 } }, /memoryswap limit should be larger/);
  bad({ HostConfig: { NanoCpus: 1e9, CpuQuota: 50000 } }, /Conflicting options/);
  bad({ HostConfig: { RestartPolicy: { Name: 'sometimes' } } }, "invalid restart policy 'sometimes'");
  bad({ HostConfig: { RestartPolicy: { Name: 'always', MaximumRetryCount: 3 } } }, /maximum retry count can only be used with 'on-failure'/);
  bad({ HostConfig: { AutoRemove: true, RestartPolicy: { Name: 'always' } } }, /AutoRemove/);
  bad({ HostConfig: { CapAdd: ['NOPE'] } }, /unknown capability/);
  bad({ HostConfig: { Ulimits: [{ Name: 'nofiles', Soft: 1, Hard: 1 }] } }, /invalid ulimit type/);
  bad({ ExposedPorts: { '99999/tcp': {} } }, /invalid port specification/);
  bad({ HostConfig: { PortBindings: { '80/tcp': [{ HostPort: 'x' }] } } }, /invalid port specification/);
  bad({ Entrypoint: [''], Cmd: null }, 'no command specified');
  t.doesNotThrow(() => validateResources({ Memory: 6 << 20 }));
});

t.test('list filters', async (t) => {
  const { rec } = buildRecord({ id: 'd'.repeat(64), name: '/web', created: '2026-01-01T00:00:00.000000000Z', body: { Image: 'img', Labels: { env: 'prod' } }, image });
  rec.State = { ...rec.State, Status: 'exited', ExitCode: 3 };
  rec.NetworkSettings.Ports = { '80/tcp': [{ HostIp: '0.0.0.0', HostPort: '8080' }] };
  const ctx = { lookup: () => undefined, imageIdsFor: (r: string) => (r === 'img' ? [image.id] : []) };
  const yes = (f: Record<string, string[]>): boolean => matchesFilters(rec, f, ctx);
  t.ok(yes({ label: ['env=prod'] }));
  t.ok(yes({ label: ['env'] }));
  t.notOk(yes({ label: ['env=dev'] }));
  t.ok(yes({ status: ['exited', 'running'] }));
  t.ok(yes({ exited: ['3'] }));
  t.notOk(yes({ exited: ['0'] }));
  t.ok(yes({ ancestor: ['img'] }));
  t.ok(yes({ publish: ['8080'] }));
  t.ok(yes({ publish: ['8000-8100/tcp'] }));
  t.ok(yes({ expose: ['80'] }));
  t.notOk(yes({ expose: ['81/tcp'] }));
  t.ok(yes({ id: ['ddd'] }));
  t.ok(yes({ 'is-task': ['false'] }));
  t.throws(() => validateFilters({ status: ['zombie'] }), { status: 400, message: "invalid filter 'status=zombie'" });
  const s = summaryOf(rec, Date.parse('2026-01-01T00:00:00Z'));
  t.same(s.Ports, [{ IP: '0.0.0.0', PrivatePort: 80, PublicPort: 8080, Type: 'tcp' }]);
  t.equal(s.Command, 'sh');
});

t.test('detach keys, frames, signals, top, durations', async (t) => {
  t.same([...parseDetachKeys(undefined)], [16, 17]);
  t.same([...parseDetachKeys('ctrl-a,x')], [1, 120]);
  t.throws(() => parseDetachKeys('ctrl-1'), { status: 400, message: 'Invalid detach keys (ctrl-1) provided' });
  const sc = new DetachScanner(Buffer.from([16, 17]));
  t.same(sc.push(Buffer.from([65, 16])), { forward: Buffer.from([65]), detached: false });
  t.same(sc.push(Buffer.from([66])), { forward: Buffer.from([16, 66]), detached: false });
  t.same(sc.push(Buffer.from([16, 17, 67])).detached, true);
  t.same([...stdFrame('stderr', Buffer.from('ab'))], [2, 0, 0, 0, 0, 0, 0, 2, 97, 98]);
  t.equal(normalizeSignal('term'), 'SIGTERM');
  t.equal(normalizeSignal('9'), 'SIGKILL');
  t.throws(() => normalizeSignal('SIGFOO'), { status: 400, message: 'Invalid signal: SIGFOO' });
  const st = parseStat('42 (my (odd) proc) S 1 42 42 0 -1 4194560 100 0 0 0 7 3 0 0 20 0 1 0 500 1048576 25 18446744073709551615');
  t.same([st.comm, st.state, st.ppid, st.utime, st.stime, st.start, st.vsize, st.rss], ['my (odd) proc', 'S', 1, 7, 3, 500, 1048576, 25]);
  const p: ProcInfo = { pid: 42, ppid: 1, uid: 0, user: 'root', state: 'S', utime: 100, stime: 0, startTicks: 0, vszKb: 1024, rssKb: 100, tty: 0, cmd: 'sleep 1d', comm: 'sleep' };
  t.same(formatTop([p], undefined, 1000, 1010, 1000).Processes, [['root', '42', '1', '0', '00:16', '?', '00:00:01', 'sleep 1d']]);
  t.same(formatTop([p], 'aux', 1000, 1010, 1000).Processes[0]?.slice(0, 6), ['root', '42', '10.0', '10.0', '1024', '100']);
  t.equal(humanDuration(500), 'Less than a second');
  t.equal(humanDuration(90_000), 'About a minute');
  t.equal(humanDuration(150_000), '2 minutes');
  t.equal(humanDuration(3_600_000), 'About an hour');
});
