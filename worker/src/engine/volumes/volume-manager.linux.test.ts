// The volume store on the real kernel: device-backed volumes mounted once
// however many users mount them at the same instant, unmounted by the last.
import t from 'tap';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock, runTool, silentLogger, type EngineEventInput } from '@shoal/common';
import { VolumeManager } from './volume-manager.js';

const mountsAt = async (path: string): Promise<number> =>
  (await readFile('/proc/self/mountinfo', 'utf8')).split('\n').filter((l) => l.split(' ')[4] === path).length;

t.test('concurrent mounts of a tmpfs volume make one mount; the last unmount removes it', async (t) => {
  const dataRoot = await mkdtemp(join(tmpdir(), 'shoal-vol-'));
  t.teardown(async () => {
    await runTool(['umount', '-l', join(dataRoot, 'volumes/fast/_data')], { okCodes: [0, 32] });
    await rm(dataRoot, { recursive: true, force: true });
  });
  const events: EngineEventInput[] = [];
  const vm = await VolumeManager.open({ dataRoot, events: (e) => events.push(e), clock: new ManualClock(1_000_000), log: silentLogger() });
  await vm.create({ Name: 'fast', DriverOpts: { type: 'tmpfs', device: 'tmpfs', o: 'size=1m' } });
  const dir = vm.pathOf('fast');
  const paths = await Promise.all(['c1', 'c2', 'c3', 'c4'].map((c) => vm.mount('fast', c)));
  t.same(paths, [dir, dir, dir, dir]);
  t.equal(await mountsAt(dir), 1, 'one mount for four users');
  await Promise.all([vm.unmount('fast', 'c1'), vm.unmount('fast', 'c2'), vm.unmount('fast', 'c3')]);
  t.equal(await mountsAt(dir), 1, 'still mounted for the last user');
  await vm.unmount('fast', 'c4');
  t.equal(await mountsAt(dir), 0, 'unmounted');
  t.same(events.map((e) => e.Action), ['create', 'mount', 'mount', 'mount', 'mount', 'unmount', 'unmount', 'unmount', 'unmount']);
  await vm.remove('fast');
});

t.test('a device that cannot be mounted is a clear 500 and leaves nothing mounted', async (t) => {
  const dataRoot = await mkdtemp(join(tmpdir(), 'shoal-vol-'));
  t.teardown(() => rm(dataRoot, { recursive: true, force: true }));
  const vm = await VolumeManager.open({ dataRoot, events: () => undefined, clock: new ManualClock(0), log: silentLogger() });
  await vm.create({ Name: 'gone', DriverOpts: { type: 'none', device: join(dataRoot, 'missing'), o: 'bind' } });
  await t.rejects(vm.mount('gone', 'c1'), { status: 500, code: 'ENGINE_VOLUME_MOUNT_FAILED', message: /error while mounting volume/ });
  t.equal(await mountsAt(vm.pathOf('gone')), 0);
  await vm.remove('gone');
});
