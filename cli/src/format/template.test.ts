import t from 'tap';
import fc from 'fast-check';
import { Template, renderTemplate } from './template.js';
import { hasCode } from '@shoal/common';

const inspect = {
  Id: 'abc123',
  Name: '/web',
  State: { Status: 'running', Running: true, Pid: 42, ExitCode: 0 },
  Config: { Env: ['A=1', 'PATH=/bin'], Cmd: ['sh', '-c', 'echo hi'], Labels: { b: '2', a: '1' }, Entrypoint: null, Tty: false },
  HostConfig: { Memory: 536870912, NanoCpus: 1500000000 },
  NetworkSettings: { Networks: { bridge: { IPAddress: '172.29.0.2' } }, Ports: { '80/tcp': [{ HostIp: '0.0.0.0', HostPort: '8080' }] } },
  Mounts: [],
};
const r = (src: string, data: unknown = inspect) => renderTemplate(src, data);
const err = (fn: () => unknown): string => {
  try {
    fn();
  } catch (e) {
    if (!hasCode(e, 'CLI_TEMPLATE')) throw e;
    return e.message;
  }
  throw new Error('expected an error');
};

t.test('fields and Go-style printing', async (t) => {
  t.equal(r('{{.Id}}'), 'abc123');
  t.equal(r('{{.State.Status}} {{.State.Pid}} {{.State.Running}}'), 'running 42 true');
  t.equal(r('{{.Config.Env}}'), '[A=1 PATH=/bin]');
  t.equal(r('{{.Config.Labels}}'), 'map[a:1 b:2]');
  t.equal(r('{{.Config.Entrypoint}}'), '<nil>');
  t.equal(r('{{.Config.Nope}}'), '<no value>');
  t.equal(r('{{.HostConfig.Memory}}'), '536870912');
  t.equal(r('{{.Mounts}}'), '[]');
  t.equal(r('{{.}}', 'plain'), 'plain');
  t.equal(r('id={{ .Id }}!'), 'id=abc123!');
});

t.test('functions', async (t) => {
  t.equal(r('{{json .Config.Labels}}'), '{"b":"2","a":"1"}');
  t.equal(r('{{json .Config.Entrypoint}}'), 'null');
  t.equal(r('{{json .Name}}'), '"/web"');
  t.equal(r('{{upper .State.Status}} {{lower "ABC"}}'), 'RUNNING abc');
  t.equal(r('{{join .Config.Cmd " "}}'), 'sh -c echo hi');
  t.equal(r('{{index .Config.Labels "a"}}'), '1');
  t.equal(r('{{(index (index .NetworkSettings.Ports "80/tcp") 0).HostPort}}'), '8080');
  t.equal(r('{{index .NetworkSettings.Networks.bridge "IPAddress"}}'), '172.29.0.2');
  t.equal(r('{{len .Config.Env}} {{len .Name}}'), '2 4');
  t.equal(r('{{printf "%s-%d|%5s|%-4s|%03d" .Id .State.Pid "x" "y" 7}}'), 'abc123-42|    x|y   |007');
  t.equal(r('{{printf "%v %q" .Config.Env .Id}}'), '[A=1 PATH=/bin] "abc123"');
  t.equal(r('{{.State.Status | upper}}'), 'RUNNING');
  t.equal(r('{{.Name | printf "%s!"}}'), '/web!');
  t.equal(r('{{split "a:b" ":"}}'), '[a b]');
  t.equal(r('{{title "hello world"}}|{{pad "x" 1 2}}|{{truncate "abcdef" 3}}'), 'Hello World| x  |abc');
  t.equal(r('{{eq .State.Status "running" "paused"}} {{ne 1 2}} {{lt 1 2}} {{not true}} {{and 1 0}} {{or "" "z"}}'), 'true true true false 0 z');
  t.equal(r('{{println "a" 1}}'), 'a 1\n');
  t.equal(r('{{slice .Id 1 3}}'), 'bc');
});

t.test('control flow and variables', async (t) => {
  t.equal(r('{{range .Config.Env}}[{{.}}]{{end}}'), '[A=1][PATH=/bin]');
  t.equal(r('{{range $i, $e := .Config.Env}}{{$i}}:{{$e}} {{end}}'), '0:A=1 1:PATH=/bin ');
  t.equal(r('{{range $k, $v := .Config.Labels}}{{$k}}={{$v}};{{end}}'), 'a=1;b=2;');
  t.equal(r('{{range .Mounts}}x{{else}}none{{end}}'), 'none');
  t.equal(r('{{range .Config.Env}}{{$.Id}} {{end}}'), 'abc123 abc123 ');
  t.equal(r('{{if .State.Running}}up{{else}}down{{end}}'), 'up');
  t.equal(r('{{if eq .State.ExitCode 1}}one{{else if eq .State.ExitCode 0}}zero{{else}}other{{end}}'), 'zero');
  t.equal(r('{{if .Mounts}}has{{else}}empty{{end}}'), 'empty');
  t.equal(r('{{with .State}}{{.Status}}{{end}}'), 'running');
  t.equal(r('{{with .Nope}}x{{else}}y{{end}}'), 'y');
  t.equal(r('{{$n := .Name}}{{$n}}{{$n = "b"}}{{$n}}'), '/webb');
  t.equal(r('{{range $k, $v := .NetworkSettings.Networks}}{{$k}} {{$v.IPAddress}}{{end}}'), 'bridge 172.29.0.2');
  t.equal(r('a  {{- .Id -}}  b'), 'aabc123b');
  t.equal(r('{{/* a comment */}}x'), 'x');
  t.equal(r('{{range 3}}{{.}}{{end}}'), '012');
  t.equal(r('{{"}}"}}'), '}}');
});

t.test('errors are CLI_TEMPLATE with a reason', async (t) => {
  t.match(err(() => r('{{.Id')), /unclosed action/);
  t.match(err(() => r('{{if .Id}}x')), /missing \{\{end\}\}/);
  t.match(err(() => r('{{end}}')), /unexpected \{\{end\}\}/);
  t.match(err(() => r('{{nofunc .Id}}')), /function "nofunc" not defined/);
  t.match(err(() => r('{{.Id.Sub}}')), /can't evaluate field Sub/);
  t.match(err(() => r('{{$x}}')), /undefined variable: \$x/);
  t.match(err(() => r('{{index .Config.Env 5}}')), /out of range/);
  t.match(err(() => r('{{.Id "x"}}')), /can't give argument to non-function/);
  t.match(err(() => r('{{"abc}}')), /unclosed action|unterminated/);
});

t.test('a parsed template runs many times', async (t) => {
  const tpl = new Template('{{.ID}}\t{{.Image}}');
  t.equal(tpl.execute({ ID: 'a', Image: 'b' }), 'a\tb');
  t.equal(tpl.execute({ ID: 'c', Image: 'd' }), 'c\td');
});

t.test('property: plain text without {{ is printed unchanged', async () => {
  fc.assert(fc.property(fc.string({ unit: 'grapheme' }).filter((s) => !s.includes('{{')), (s) => renderTemplate(s, inspect) === s));
  fc.assert(fc.property(fc.string().filter((s) => !s.includes('{{')), (s) => renderTemplate(s, {}) === s));
});

t.test('property: a string field prints itself, json prints JSON', async () => {
  fc.assert(fc.property(fc.string(), (s) => renderTemplate('{{.X}}', { X: s }) === s && JSON.parse(renderTemplate('{{json .X}}', { X: s })) === s));
  fc.assert(fc.property(fc.array(fc.string().filter((s) => !s.includes(' '))), (a) => renderTemplate('{{join .L " "}}', { L: a }) === a.join(' ')));
});

t.test('function-valued fields are methods', async (t) => {
  const ctx = { Labels: 'a=1', Label: (k: unknown) => (k === 'a' ? '1' : '') };
  t.equal(renderTemplate('{{.Label "a"}}|{{.Label "b"}}|{{"a" | .Label}}', ctx), '1||1');
});
