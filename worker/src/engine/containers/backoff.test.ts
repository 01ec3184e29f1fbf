import t from 'tap';
import { nextBackoff, shouldRestart, startOnDaemonStart, DOCKER_BACKOFF } from './backoff.js';
import { normalizeName, generateName } from './names.js';

t.test('back-off doubles to a minute and resets after 10 s of running', async (t) => {
  const seq: number[] = [];
  let d = 0;
  for (let i = 0; i < 12; i++) { d = nextBackoff(DOCKER_BACKOFF, d, 50); seq.push(d); }
  t.same(seq, [100, 200, 400, 800, 1600, 3200, 6400, 12800, 25600, 51200, 60000, 60000]);
  t.equal(nextBackoff(DOCKER_BACKOFF, 60000, 10_000), 100);
});

t.test('restart policy decisions', async (t) => {
  t.equal(shouldRestart({ Name: 'no' }, 1, 0, false), false);
  t.equal(shouldRestart(undefined, 1, 0, false), false);
  t.equal(shouldRestart({ Name: 'always' }, 0, 5, false), true);
  t.equal(shouldRestart({ Name: 'always' }, 0, 5, true), false);
  t.equal(shouldRestart({ Name: 'on-failure', MaximumRetryCount: 2 }, 1, 1, false), true);
  t.equal(shouldRestart({ Name: 'on-failure', MaximumRetryCount: 2 }, 1, 2, false), false);
  t.equal(shouldRestart({ Name: 'on-failure' }, 0, 0, false), false);
  t.equal(shouldRestart({ Name: 'on-failure' }, 3, 100, false), true);
  t.equal(startOnDaemonStart({ Name: 'unless-stopped' }, true), false);
  t.equal(startOnDaemonStart({ Name: 'unless-stopped' }, false), true);
  t.equal(startOnDaemonStart({ Name: 'on-failure' }, false), false);
  t.equal(startOnDaemonStart({ Name: 'always' }, true), true);
});

t.test('names', async (t) => {
  t.equal(normalizeName('web'), '/web');
  t.equal(normalizeName('/a.b-c_d'), '/a.b-c_d');
  t.throws(() => normalizeName('-x'), { code: 'ENGINE_CONTAINER_INVALID_NAME', message: 'Invalid container name (-x), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed' });
  t.throws(() => normalizeName('a'), { code: 'ENGINE_CONTAINER_INVALID_NAME' });
  t.throws(() => normalizeName('a b'), { code: 'ENGINE_CONTAINER_INVALID_NAME' });
  let i = 0;
  const rand = (): number => [0, 0, 0.5, 0.5, 0.99][i++ % 5] ?? 0;
  const n1 = generateName(rand, () => false);
  t.equal(n1, 'admiring_agnesi');
  const n2 = generateName(() => 0, (n) => n === '/admiring_agnesi');
  t.equal(n2, 'admiring_agnesi0');
  t.match(normalizeName(generateName(Math.random, () => false)), /^\/[a-z]+_[a-z]+$/);
});
