import t from 'tap';
import { mergeUlimits, withDefaultUlimits } from './default-ulimits.js';
import { FakeContainerEngine } from '../testing/fake-engines.js';

const defaults = { nofile: { Name: 'nofile', Soft: 1024, Hard: 2048 }, nproc: { Name: 'nproc', Soft: 100, Hard: 100 } };

t.test('defaults are added, a container\'s own value for a name wins', async (t) => {
  const merged = mergeUlimits({ Image: 'x', HostConfig: { Ulimits: [{ Name: 'nofile', Soft: 10, Hard: 10 }], Memory: 5 } }, defaults);
  t.same(merged.HostConfig, { Memory: 5, Ulimits: [{ Name: 'nofile', Soft: 10, Hard: 10 }, { Name: 'nproc', Soft: 100, Hard: 100 }] });
  t.same(mergeUlimits({ Image: 'x' }, defaults).HostConfig?.Ulimits?.map((u) => u.Name), ['nofile', 'nproc']);
  const body = { Image: 'x' };
  t.equal(mergeUlimits(body, {}), body, 'no defaults: untouched');
});

t.test('the wrapped engine merges on create and is otherwise the engine itself', async (t) => {
  const engine = new FakeContainerEngine();
  const wrapped = withDefaultUlimits(engine, defaults);
  const { Id } = await wrapped.create('a', { Image: 'x' });
  t.same(engine.calls[0]?.[2], { Image: 'x', HostConfig: { Ulimits: [defaults.nofile, defaults.nproc] } });
  await wrapped.start(Id);
  t.equal(wrapped.counts().running, 1, 'other methods reach the real object');
  t.equal(withDefaultUlimits(engine, {}), engine);
});
