import t from 'tap';
import { daemonWithImage, IMAGE } from '../testing/compat-fixture.js';

const d = await daemonWithImage();
t.teardown(() => d.cleanup());

t.test('a running container survives a kill -9 of shoald, and logs survive a restart', async (t) => {
  const id = (await d.docker(['run', '-d', IMAGE, 'sh', '-c', 'echo before; trap "exit 0" TERM; while true; do sleep 0.2; done'])).stdout.trim();
  t.teardown(() => d.docker(['rm', '-f', id]).then(() => undefined));
  const pid = Number((await d.docker(['inspect', '-f', '{{.State.Pid}}', id])).stdout.trim());
  t.ok(pid > 0);
  await d.kill9();
  t.doesNotThrow(() => process.kill(pid, 0), 'the container process is alive while shoald is down');
  await d.start();
  const st = (await d.docker(['inspect', '-f', '{{.State.Status}} {{.State.Pid}}', id])).stdout.trim();
  t.equal(st, `running ${pid}`, 'shoald found the container again');
  const logs = await d.docker(['logs', id]);
  t.equal(logs.stdout, 'before\n', 'logs written before the restart are still there');
  await d.docker(['stop', '-t', '5', id]);
  const after = (await d.docker(['inspect', '-f', '{{.State.Status}} {{.State.ExitCode}}', id])).stdout.trim();
  t.equal(after, 'exited 0', 'the adopted container stops and its exit is recorded');
});

t.test('a container that exits while shoald is down is seen as exited, with its exit code', async (t) => {
  const id = (await d.docker(['run', '-d', IMAGE, 'sh', '-c', 'sleep 1d & wait'])).stdout.trim();
  t.teardown(() => d.docker(['rm', '-f', id]).then(() => undefined));
  const pid = Number((await d.docker(['inspect', '-f', '{{.State.Pid}}', id])).stdout.trim());
  await d.stop();
  try {
    process.kill(pid, 'SIGKILL');
  } finally {
    await d.start();
  }
  const st = (await d.docker(['inspect', '-f', '{{.State.Status}} {{.State.ExitCode}}', id])).stdout.trim();
  t.equal(st, 'exited 137');
});

t.test('restart policy always brings a container back after shoald restarts', async (t) => {
  const id = (await d.docker(['run', '-d', '--restart', 'always', IMAGE, 'sh', '-c', 'trap "exit 0" TERM; sleep 1d & wait'])).stdout.trim();
  t.teardown(() => d.docker(['rm', '-f', id]).then(() => undefined));
  const pid = Number((await d.docker(['inspect', '-f', '{{.State.Pid}}', id])).stdout.trim());
  await d.stop();
  try {
    process.kill(pid, 'SIGKILL');
  } finally {
    await d.start();
  }
  let st = '';
  for (let i = 0; i < 100; i++) {
    st = (await d.docker(['inspect', '-f', '{{.State.Status}}', id])).stdout.trim();
    if (st === 'running') break;
    await new Promise((r) => setTimeout(r, 100));
  }
  t.equal(st, 'running');
  const rc = Number((await d.docker(['inspect', '-f', '{{.RestartCount}}', id])).stdout.trim());
  t.ok(rc >= 1, `restart count ${rc}`);
});
