import t from 'tap';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { runShoald, type ShoaldIo } from './run-shoald.js';

function io(): ShoaldIo & { stdout: string; stderr: string } {
  const r = {
    stdout: '', stderr: '',
    out(s: string) { r.stdout += s; },
    err(s: string) { r.stderr += s; },
    onSignal() { throw new Error('not expected to start'); },
  };
  return r;
}

t.test('--help, --version, --validate and configuration errors end at once', async (t) => {
  const h = io();
  t.equal(await runShoald(['--help'], h), 0);
  t.match(h.stdout, /Usage: shoald/);
  const v = io();
  t.equal(await runShoald(['--version'], v), 0);
  t.match(v.stdout, /^shoald version \d+\.\d+\.\d+\n$/);
  const dir = t.testdir();
  const file = join(dir, 'daemon.json');
  writeFileSync(file, JSON.stringify({ 'data-root': '/x', bridge: 'br0' }));
  const ok = io();
  t.equal(await runShoald(['--validate', '--config-file', file], ok), 0);
  t.equal(ok.stdout, 'configuration OK\n');
  const both = io();
  t.equal(await runShoald(['--validate', '--config-file', file, '--data-root', '/y'], both), 1);
  t.match(both.stderr, /^shoald: the following directives are specified both as a flag and in the configuration file: data-root/);
  const tcp = io();
  t.equal(await runShoald(['-H', 'tcp://0.0.0.0:2375'], tcp), 1);
  t.match(tcp.stderr, /mutual TLS/);
});
