import t from 'tap';
import fc from 'fast-check';
import { Readable } from 'node:stream';
import { parseHost, errorMessage } from './client.js';
import { FrameDecoder, encodeFrame } from './demux.js';
import { EscapeProxy, parseDetachKeys } from './detach-keys.js';
import { jsonLines, splitConcatenated } from './json-lines.js';
import { newCommand, rewriteBooleanFlags } from './flags.js';
import { startErrorExitCode } from './run.js';
import { updateBody } from './lifecycle.js';
import { execCreateBody } from './exec.js';
import { statsContext } from './stats.js';
import { formatEvent } from './events.js';
import { displayablePorts } from './format/index.js';
import { portLines } from './port.js';
import type { ContainerStats, EngineEvent } from '@shoal/common';
import { hasCode } from '@shoal/common';

t.test('daemon addresses', async (t) => {
  t.same(parseHost('unix:///run/shoal/shoal.sock'), { socketPath: '/run/shoal/shoal.sock', display: 'unix:///run/shoal/shoal.sock' });
  t.same(parseHost('/tmp/x.sock'), { socketPath: '/tmp/x.sock', display: 'unix:///tmp/x.sock' });
  t.same(parseHost('tcp://10.0.0.1:2375'), { host: '10.0.0.1', port: 2375, display: 'tcp://10.0.0.1:2375' });
  t.same(parseHost('tcp://[::1]:2376'), { host: '::1', port: 2376, display: 'tcp://[::1]:2376' });
  t.same(parseHost('localhost'), { host: 'localhost', port: 2375, display: 'localhost' });
  t.ok(hasCode((() => { try { parseHost('ssh://a b'); } catch (e) { return e; } })(), 'CLI_INVALID_FLAG'));
  t.equal(errorMessage(Buffer.from('{"message":"No such container: x"}\n')), 'No such container: x');
  t.equal(errorMessage(Buffer.from('plain text\n')), 'plain text');
});

t.test('frames decode the same however the bytes are chunked', async () => {
  const frame = fc.record({ stream: fc.constantFrom(0, 1, 2, 3), payload: fc.uint8Array({ maxLength: 300 }) });
  fc.assert(fc.property(fc.array(frame, { maxLength: 8 }), fc.array(fc.integer({ min: 1, max: 50 }), { minLength: 1 }), (frames, cuts) => {
    const wire = Buffer.concat(frames.map((f) => encodeFrame(f.stream, Buffer.from(f.payload))));
    const got: Array<{ stream: number; payload: number[] }> = [];
    const dec = new FrameDecoder((stream, payload) => got.push({ stream, payload: [...payload] }));
    let i = 0;
    let k = 0;
    while (i < wire.length) {
      const n = cuts[k++ % cuts.length] ?? 1;
      dec.push(wire.subarray(i, i + n));
      i += n;
    }
    return dec.pending === 0 && JSON.stringify(got) === JSON.stringify(frames.map((f) => ({ stream: f.stream, payload: [...f.payload] })));
  }));
});

t.test('detach keys', async (t) => {
  t.same(parseDetachKeys('ctrl-p,ctrl-q'), [0x10, 0x11]);
  t.same(parseDetachKeys('ctrl-@,ctrl-[,a,ctrl-_'), [0, 27, 97, 31]);
  t.throws(() => parseDetachKeys('ctrl-1'), /Unknown character/);
  t.throws(() => parseDetachKeys('ab'), /Unknown character/);
  const p = new EscapeProxy([0x10, 0x11]);
  t.same(p.push(Buffer.from('ab\u0010')), { forward: Buffer.from('ab'), detached: false }, 'a possible start is held back');
  t.same(p.push(Buffer.from('c')), { forward: Buffer.from('\u0010c'), detached: false }, 'and released when it is not the sequence');
  t.same(p.push(Buffer.from('\u0010\u0010')), { forward: Buffer.from('\u0010'), detached: false });
  t.same(p.push(Buffer.from('\u0011rest')), { forward: Buffer.alloc(0), detached: true });
  fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }).filter((a) => !Buffer.from(a).includes(Buffer.from([0x10, 0x11]))), (a) => {
    const q = new EscapeProxy([0x10, 0x11]);
    const r = q.push(Buffer.from(a));
    const tail = q.push(Buffer.from('x'));
    return !r.detached && Buffer.concat([r.forward, tail.forward]).equals(Buffer.concat([Buffer.from(a), Buffer.from('x')]));
  }));
});

t.test('json lines', async (t) => {
  const lines: string[] = [];
  for await (const l of jsonLines(Readable.from([Buffer.from('{"a":1}\n{"b"'), Buffer.from(':2}\n\n{"c":3}{"d":"}{"}')]))) lines.push(l);
  t.same(lines, ['{"a":1}', '{"b":2}', '{"c":3}', '{"d":"}{"}']);
  t.same(splitConcatenated('{"x":[1,{"y":2}]} {"z":"\\""}'), ['{"x":[1,{"y":2}]}', '{"z":"\\""}']);
});

t.test('--flag=true|false for boolean flags', async (t) => {
  const p = newCommand('p');
  p.command('run').option('--rm').option('--sig-proxy').option('--no-sig-proxy').option('--name <n>');
  t.same(rewriteBooleanFlags(p, ['run', '--rm=true', '--sig-proxy=false', '--name=x', '--rm=false', 'img', '--', '--rm=true']),
    ['run', '--rm', '--no-sig-proxy', '--name=x', 'img', '--', '--rm=true']);
});

t.test('start errors map to docker exit codes', async (t) => {
  t.equal(startErrorExitCode('exec: "nope": executable file not found in $PATH'), 127);
  t.equal(startErrorExitCode('open /x: no such file or directory'), 127);
  t.equal(startErrorExitCode('exec /etc: permission denied'), 126);
  t.equal(startErrorExitCode('port is already allocated'), 125);
});

t.test('update and exec bodies', async (t) => {
  t.same(updateBody({ memory: '1g', memorySwap: '-1', pidsLimit: 50, cpuShares: 256 }), { CpuShares: 256, Memory: 1024 ** 3, MemorySwap: -1, PidsLimit: 50 });
  t.same(execCreateBody({ interactive: true, tty: true, env: ['A=1', 'HOME'], user: 'u' }, ['sh'], (k) => (k === 'HOME' ? '/root' : undefined), () => '', [24, 80]), {
    User: 'u', Privileged: false, Tty: true, ConsoleSize: [24, 80], AttachStdin: true, AttachStderr: true, AttachStdout: true,
    DetachKeys: '', Env: ['A=1', 'HOME=/root'], WorkingDir: '', Cmd: ['sh'],
  });
  t.match(execCreateBody({ detach: true, interactive: true }, ['true'], () => undefined, () => ''), { AttachStdin: false, AttachStdout: false, AttachStderr: false });
});

t.test('stats rows (cgroup v1 cache accounting) and events', async (t) => {
  const s = {
    id: 'x'.repeat(64), name: '/w', pids_stats: { current: 1 }, num_procs: 0, read: '', preread: '', storage_stats: {},
    cpu_stats: { cpu_usage: { total_usage: 0, usage_in_kernelmode: 0, usage_in_usermode: 0, percpu_usage: [1, 2, 3, 4] }, system_cpu_usage: 0, throttling_data: { periods: 0, throttled_periods: 0, throttled_time: 0 } },
    precpu_stats: { cpu_usage: { total_usage: 0, usage_in_kernelmode: 0, usage_in_usermode: 0 }, throttling_data: { periods: 0, throttled_periods: 0, throttled_time: 0 } },
    memory_stats: { usage: 10 * 1024 * 1024, limit: 100 * 1024 * 1024, stats: { total_inactive_file: 5 * 1024 * 1024 } },
    blkio_stats: { io_service_bytes_recursive: null },
  } as unknown as ContainerStats;
  t.match(statsContext(s, 'w', true), { ID: 'xxxxxxxxxxxx', Name: 'w', CPUPerc: '0.00%', MemUsage: '5MiB / 100MiB', MemPerc: '5.00%', NetIO: '0B / 0B', BlockIO: '0B / 0B', PIDs: '1' });
  const e: EngineEvent = { Type: 'image', Action: 'tag', Actor: { ID: 'sha256:1', Attributes: { name: 'a:b' } }, scope: 'local', time: 1704196800, timeNano: 0 };
  t.equal(formatEvent(e, '{"timeNano":0}', 60), '2024-01-02T13:00:00.000000000+01:00 image tag sha256:1 (name=a:b)\n');
});

t.test('PORTS column', async (t) => {
  t.equal(displayablePorts([
    { PrivatePort: 8001, Type: 'tcp' }, { PrivatePort: 8000, Type: 'tcp' }, { PrivatePort: 8003, Type: 'tcp' },
    { IP: '127.0.0.1', PrivatePort: 9000, PublicPort: 9000, Type: 'tcp' }, { IP: '127.0.0.1', PrivatePort: 9001, PublicPort: 9001, Type: 'tcp' },
  ]), '8000-8001/tcp, 8003/tcp, 127.0.0.1:9000-9001->9000-9001/tcp');
  t.equal(displayablePorts([]), '');
});

t.test('port lines', async (t) => {
  const ports = { '443/tcp': [{ HostIp: '0.0.0.0', HostPort: '8443' }, { HostIp: '::', HostPort: '8443' }], '53/udp': [{ HostIp: '127.0.0.1', HostPort: '5353' }], '9/tcp': null };
  t.same(portLines(ports), ['53/udp -> 127.0.0.1:5353', '443/tcp -> 0.0.0.0:8443', '443/tcp -> [::]:8443']);
  t.same(portLines(ports, '443'), ['0.0.0.0:8443', '[::]:8443']);
  t.same(portLines(ports, '53/udp'), ['127.0.0.1:5353']);
  t.same(portLines(ports, '53'), []);
});
