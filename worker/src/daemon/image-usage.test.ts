import t from 'tap';
import { ManualClock, type ContainerSummary } from '@shoal/common';
import { EventBus } from '../engine/events/index.js';
import { ImageUsage } from './image-usage.js';

function summary(id: string, imageId: string, state: string): ContainerSummary {
  return {
    Id: id, Names: [`/${id}`], Image: 'img', ImageID: imageId, Command: '', Created: 0, Ports: [], Labels: {}, State: state, Status: state,
    HostConfig: { NetworkMode: 'none' }, NetworkSettings: { Networks: {} }, Mounts: [],
  };
}

t.test('maps images to a user, preferring a running container, and follows container events', async (t) => {
  const first: ContainerSummary[] = [summary('a', 'sha256:1', 'exited'), summary('b', 'sha256:1', 'running'), summary('c', 'sha256:2', 'created')];
  // 1st read: the list; 2nd: fails; then: empty.
  let reads = 0;
  const usage = new ImageUsage({
    list: async () => {
      reads += 1;
      if (reads === 2) throw new Error('boom');
      return reads === 1 ? first : [];
    },
  });
  await usage.refresh();
  t.same(usage.check('sha256:1'), { containerId: 'b', running: true });
  t.same(usage.check('sha256:2'), { containerId: 'c', running: false });
  t.equal(usage.check('sha256:3'), undefined);

  const bus = new EventBus({ clock: new ManualClock(0) });
  const ac = new AbortController();
  const errors: unknown[] = [];
  const loop = usage.run(bus, ac.signal, (e) => { errors.push(e); });
  bus.emit({ Type: 'container', Action: 'create', Actor: { ID: 'x', Attributes: {} } });
  const refreshed = new Promise<void>((resolve) => {
    const poll = (): void => { if (usage.check('sha256:1') === undefined) resolve(); else setImmediate(poll); };
    poll();
  });
  bus.emit({ Type: 'container', Action: 'destroy', Actor: { ID: 'b', Attributes: {} } });
  await refreshed;
  t.equal(errors.length, 1, 'a failed refresh is reported and the loop goes on');
  ac.abort();
  await loop;
});
