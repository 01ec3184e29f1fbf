import t from 'tap';
import { parseEnvFile, resolveEnvVar } from './env-file.js';
import { parseVolumeFlags, parseTmpfsFlags, parseMountFlag, splitCsv } from './volumes.js';
import { parseRamBytes } from './size.js';
import { invalidFlagMessage } from '../testing/flag-error.js';

const env: Record<string, string> = { HOME: '/root', EMPTY: '' };
const lookup = (k: string) => env[k];
const err = invalidFlagMessage;

t.test('env files like the docker CLI', async (t) => {
  const content = '\uFEFF# comment\nA=1\n\n  B=two words \nC="quoted"\nHOME\nUNSET\nEMPTY\nD=\nE=x=y\r\n';
  t.same(parseEnvFile(content, lookup), ['A=1', 'B=two words ', 'C="quoted"', 'HOME=/root', 'UNSET', 'EMPTY=', 'D=', 'E=x=y']);
  t.match(err(() => parseEnvFile('A B=1', lookup, 'f.env')), /variable 'A B' contains whitespaces \(f.env:1\)/);
  t.match(err(() => parseEnvFile('ok=1\n=nokey', lookup, 'f.env')), /no variable name on line '=nokey' \(f.env:2\)/);
  t.same(resolveEnvVar('HOME', lookup), 'HOME=/root');
  t.same(resolveEnvVar('NOPE', lookup), 'NOPE');
  t.same(resolveEnvVar('X=1', lookup), 'X=1');
});

t.test('-v binds and anonymous volumes', async (t) => {
  t.same(parseVolumeFlags(['/data', '/h:/c', '/h2:/c2:ro', 'named:/v', './rel:/r:rw', '../up:/u'], '/work/dir'), {
    binds: ['/h:/c', '/h2:/c2:ro', 'named:/v', '/work/dir/rel:/r:rw', '/work/up:/u'],
    volumes: { '/data': {} },
  });
  t.match(err(() => parseVolumeFlags(['data'], '/')), /mount path must be absolute/);
  t.match(err(() => parseVolumeFlags(['/a:rel'], '/')), /mount path must be absolute/);
  t.match(err(() => parseVolumeFlags(['/a:/b:bogus'], '/')), /invalid mode: bogus/);
  t.match(err(() => parseVolumeFlags(['/a:/b:ro:x'], '/')), /invalid volume specification/);
});

t.test('--tmpfs and --mount', async (t) => {
  t.same(parseTmpfsFlags(['/run:rw,size=64m', '/tmp']), { '/run': 'rw,size=64m', '/tmp': '' });
  t.same(parseMountFlag('type=bind,source=/a,target=/b,readonly', '/', parseRamBytes), { Type: 'bind', Source: '/a', Target: '/b', ReadOnly: true });
  t.same(parseMountFlag('type=bind,src=rel,dst=/b,ro=false,bind-propagation=rshared', '/w', parseRamBytes),
    { Type: 'bind', Source: '/w/rel', Target: '/b', ReadOnly: false, BindOptions: { Propagation: 'rshared' } });
  t.same(parseMountFlag('type=tmpfs,target=/t,tmpfs-size=64m,tmpfs-mode=1770', '/', parseRamBytes),
    { Type: 'tmpfs', Target: '/t', TmpfsOptions: { SizeBytes: 64 * 1024 * 1024, Mode: 0o1770 } });
  t.same(parseMountFlag('source=v,target=/d,volume-nocopy', '/', parseRamBytes), { Type: 'volume', Source: 'v', Target: '/d', VolumeOptions: { NoCopy: true } });
  t.match(err(() => parseMountFlag('type=bind,target=/b', '/', parseRamBytes)), /source is required/);
  t.match(err(() => parseMountFlag('type=tmpfs,source=/x,target=/b', '/', parseRamBytes)), /source is not allowed/);
  t.match(err(() => parseMountFlag('type=bind,source=/a', '/', parseRamBytes)), /target is required/);
  t.match(err(() => parseMountFlag('type=nfs,target=/a', '/', parseRamBytes)), /unsupported mount type/);
  t.match(err(() => parseMountFlag('type=bind,source=/a,target=/b,tmpfs-size=1m', '/', parseRamBytes)), /cannot mix 'tmpfs-\*'/);
  t.match(err(() => parseMountFlag('bogus=1,target=/b', '/', parseRamBytes)), /unexpected key 'bogus'/);
  t.same(splitCsv('a,"b,c",d""e,"f""g"'), ['a', 'b,c', 'd""e', 'f"g']);
});
