import t from 'tap';
import { applyChanges, splitWords } from './image-changes.js';

t.test('CMD and ENTRYPOINT, JSON and shell forms', async (t) => {
  t.same(applyChanges({}, ['CMD ["echo", "hi"]']).Cmd, ['echo', 'hi']);
  t.same(applyChanges({}, ['cmd echo hi there']).Cmd, ['/bin/sh', '-c', 'echo hi there']);
  t.same(applyChanges({ Shell: ['/bin/ash', '-c'] }, ['CMD x']).Cmd, ['/bin/ash', '-c', 'x']);
  const e = applyChanges({ Cmd: ['old'] }, ['ENTRYPOINT ["/bin/sh", "-c"]']);
  t.same(e.Entrypoint, ['/bin/sh', '-c']);
  t.equal(e.Cmd, null, 'ENTRYPOINT drops an inherited CMD');
  const both = applyChanges({}, ['CMD ["a"]', 'ENTRYPOINT ["b"]']);
  t.same(both.Cmd, ['a'], 'CMD set in the same changes survives ENTRYPOINT');
  t.same(both.Entrypoint, ['b']);
  t.same(applyChanges({}, ['ENTRYPOINT top -b']).Entrypoint, ['/bin/sh', '-c', 'top -b']);
});

t.test('ENV and LABEL, both forms, quoting', async (t) => {
  const c = applyChanges({ Env: ['A=1'] }, ['ENV A=2 B="two words" C=x\\ y', 'ENV D legacy value here', 'LABEL a=b "c d"="e f"', 'LABEL legacy x y']);
  t.same(c.Env, ['A=2', 'B=two words', 'C=x y', 'D=legacy value here']);
  t.same(c.Labels, { a: 'b', 'c d': 'e f', legacy: 'x y' });
});

t.test('WORKDIR, EXPOSE, USER, VOLUME, STOPSIGNAL, ONBUILD, HEALTHCHECK', async (t) => {
  const c = applyChanges({}, [
    'WORKDIR /app', 'WORKDIR sub/../data', 'EXPOSE 80 53/udp 8000-8001', 'USER app:app',
    'VOLUME ["/v1", "/v2"]', 'VOLUME /v3', 'STOPSIGNAL SIGINT', 'ONBUILD RUN echo hi',
    'HEALTHCHECK --interval=5s --retries=2 CMD ["true"]',
  ]);
  t.equal(c.WorkingDir, '/app/data');
  t.same(Object.keys(c.ExposedPorts ?? {}).sort(), ['53/udp', '80/tcp', '8000/tcp', '8001/tcp']);
  t.equal(c.User, 'app:app');
  t.same(Object.keys(c.Volumes ?? {}), ['/v1', '/v2', '/v3']);
  t.equal(c.StopSignal, 'SIGINT');
  t.same(c.OnBuild, ['RUN echo hi']);
  t.same(c.Healthcheck, { Interval: 5e9, Retries: 2, Test: ['CMD', 'true'] });
  t.same(applyChanges({}, ['HEALTHCHECK CMD curl -f x']).Healthcheck, { Test: ['CMD-SHELL', 'curl -f x'] });
  t.same(applyChanges({}, ['HEALTHCHECK NONE']).Healthcheck, { Test: ['NONE'] });
});

t.test('refusals', async (t) => {
  t.throws(() => applyChanges({}, ['ADD . /']), { code: 'ENGINE_IMAGE_INVALID_CHANGE', message: 'ADD is not a valid change command' });
  t.throws(() => applyChanges({}, ['RUN echo']), { code: 'ENGINE_IMAGE_INVALID_CHANGE' });
  t.throws(() => applyChanges({}, ['EXPOSE http']), { code: 'ENGINE_IMAGE_INVALID_CHANGE' });
  t.throws(() => applyChanges({}, ['ENV =x']), { code: 'ENGINE_IMAGE_INVALID_CHANGE' });
  t.throws(() => applyChanges({}, ['ENV A="x']), { code: 'ENGINE_IMAGE_INVALID_CHANGE' });
  t.throws(() => applyChanges({}, ['USER a b']), { code: 'ENGINE_IMAGE_INVALID_CHANGE' });
  t.throws(() => applyChanges({}, ['ONBUILD ONBUILD RUN x']), { code: 'ENGINE_IMAGE_INVALID_CHANGE' });
  const base = { Env: ['A=1'] };
  applyChanges(base, ['ENV A=2']);
  t.same(base, { Env: ['A=1'] }, 'the base config is not changed');
});

t.test('helpers', async (t) => {
  t.same(splitWords(` a "b c"  'd\\e' f\\ g `), ['a', 'b c', 'd\\e', 'f g']);
});

t.test('HEALTHCHECK durations are Go durations in nanoseconds; a bad one is an invalid change', async (t) => {
  const c = applyChanges({}, ['HEALTHCHECK --interval=1m30s --timeout=250ms CMD true']);
  t.equal(c.Healthcheck?.Interval, 90e9);
  t.equal(c.Healthcheck?.Timeout, 250e6);
  t.throws(() => applyChanges({}, ['HEALTHCHECK --interval=5x CMD true']), { code: 'ENGINE_IMAGE_INVALID_CHANGE', message: /time: invalid duration "5x"/ });
});
