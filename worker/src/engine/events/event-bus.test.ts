import t from 'tap';
import { ManualClock, type EngineEvent } from '@shoal/common';
import { EventBus } from './event-bus.js';
import { eventMatches, stripTag } from './event-filter.js';

const T0 = 1_700_000_000_000;

function ev(type: EngineEvent['Type'], action: string, id: string, attrs: Record<string, string> = {}) {
  return { Type: type, Action: action, Actor: { ID: id, Attributes: attrs } };
}

/** Read from an async iterable until `n` items or the end. */
async function take(it: AsyncIterable<EngineEvent>, n = Infinity): Promise<EngineEvent[]> {
  const out: EngineEvent[] = [];
  if (n === 0) return out;
  for await (const e of it) {
    out.push(e);
    if (out.length >= n) break;
  }
  return out;
}

t.test('emit fills time, timeNano, scope and Docker\'s old fields', async (t) => {
  const clock = new ManualClock(T0 + 123);
  const bus = new EventBus({ clock });
  const e = bus.emit(ev('container', 'start', 'abc', { name: 'web', image: 'busybox' }));
  t.equal(e.time, 1_700_000_000);
  t.equal(e.timeNano, (T0 + 123) * 1e6);
  t.equal(e.scope, 'local');
  t.equal(e.status, 'start');
  t.equal(e.id, 'abc');
  t.equal(e.from, 'busybox');
  const n = bus.emit(ev('network', 'create', 'n1', { name: 'net' }));
  t.equal(n.status, undefined);
});

t.test('since replays the ring within [since, until]; until in the past ends the stream', async (t) => {
  const clock = new ManualClock(T0);
  const bus = new EventBus({ clock, capacity: 3 });
  for (let i = 0; i < 5; i++) {
    bus.emit(ev('container', `a${i}`, 'c'));
    clock.advance(1000);
  }
  t.same(bus.recent().map((e) => e.Action), ['a2', 'a3', 'a4'], 'the ring keeps the newest');
  const ac = new AbortController();
  const past = await take(bus.subscribe({ since: T0 / 1000 + 3, until: T0 / 1000 + 4 }, ac.signal));
  t.same(past.map((e) => e.Action), ['a3', 'a4'], 'bounds are inclusive and the stream ends at a past until');
  t.equal(bus.listenerCount, 0);
  t.throws(() => bus.subscribe({ since: 10, until: 5 }, ac.signal), { code: 'EVENTS_BAD_TIME_RANGE', status: 400 });
  t.throws(() => bus.subscribe({ filters: { colour: ['red'] } }, ac.signal), { code: 'EVENTS_INVALID_FILTER', message: "invalid filter 'colour'" });
});

t.test('live events fan out to subscribers with their filters; abort ends the stream', async (t) => {
  const clock = new ManualClock(T0);
  const bus = new EventBus({ clock });
  bus.emit(ev('container', 'old', 'c1'));
  const ac1 = new AbortController();
  const ac2 = new AbortController();
  const all = bus.subscribe({}, ac1.signal);
  const onlyDie = bus.subscribe({ filters: { event: ['die'], container: ['web'] } }, ac2.signal);
  t.equal(bus.listenerCount, 2);
  const gotAll = take(all, 3);
  const gotDie = take(onlyDie);
  bus.emit(ev('container', 'start', 'c1', { name: 'web' }));
  bus.emit(ev('container', 'die', 'c1', { name: 'web' }));
  bus.emit(ev('container', 'die', 'c2', { name: 'db' }));
  t.same((await gotAll).map((e) => `${e.Action}:${e.Actor.ID}`), ['start:c1', 'die:c1', 'die:c2'], 'no past events without since');
  ac2.abort();
  t.same((await gotDie).map((e) => e.Actor.ID), ['c1']);
  ac1.abort();
  t.equal(bus.listenerCount, 0);
});

t.test('a future until ends the live stream when the clock reaches it', async (t) => {
  const clock = new ManualClock(T0);
  const bus = new EventBus({ clock });
  const ac = new AbortController();
  const got = take(bus.subscribe({ until: T0 / 1000 + 10 }, ac.signal));
  bus.emit(ev('image', 'tag', 'sha256:1', { name: 'a:1' }));
  clock.advance(5000);
  bus.emit(ev('image', 'untag', 'sha256:1', { name: 'a:1' }));
  clock.advance(5000);
  t.same((await got).map((e) => e.Action), ['tag', 'untag']);
  t.equal(bus.listenerCount, 0);
});

t.test('a subscriber that falls behind is dropped instead of growing without bound', async (t) => {
  const bus = new EventBus({ clock: new ManualClock(T0), maxQueue: 2 });
  const ac = new AbortController();
  const it = bus.subscribe({}, ac.signal);
  for (let i = 0; i < 5; i++) bus.emit(ev('container', `e${i}`, 'c'));
  t.equal(bus.listenerCount, 0);
  t.same((await take(it)).map((e) => e.Action), ['e0', 'e1'], 'what was queued is delivered, then the stream ends');
});

t.test('Docker filter semantics', async (t) => {
  const mk = (type: EngineEvent['Type'], action: string, id: string, attrs: Record<string, string> = {}): EngineEvent =>
    ({ ...ev(type, action, id, attrs), scope: 'local', time: 0, timeNano: 0 });
  const c = mk('container', 'start', 'abcdef', { name: 'web', image: 'busybox:latest', 'com.x': 'y' });
  const img = mk('image', 'tag', 'sha256:1', { name: 'reg:5000/team/app:v1' });
  const net = mk('network', 'connect', 'n1', { name: 'bridge', container: 'abcdef' });
  t.ok(eventMatches({}, c));
  t.ok(eventMatches({ type: ['container', 'image'] }, img));
  t.notOk(eventMatches({ type: ['network'] }, c));
  t.ok(eventMatches({ container: ['abc'] }, c), 'ID prefix');
  t.ok(eventMatches({ container: ['web'] }, c), 'name');
  t.notOk(eventMatches({ container: ['web'] }, net), 'container filter excludes other types, as Docker');
  t.ok(eventMatches({ image: ['busybox'] }, c), 'image without tag');
  t.ok(eventMatches({ image: ['reg:5000/team/app'] }, img));
  t.ok(eventMatches({ network: ['bridge'] }, net));
  t.ok(eventMatches({ label: ['com.x'] }, c));
  t.ok(eventMatches({ label: ['com.x=y'] }, c));
  t.notOk(eventMatches({ label: ['com.x=z'] }, c));
  t.notOk(eventMatches({ label: ['com.x=y', 'other'] }, c), 'labels are ANDed');
  t.ok(eventMatches({ event: ['stop', 'start'] }, c), 'values are ORed');
  t.ok(eventMatches({ action: ['start'] }, c));
  t.ok(eventMatches({ event: ['exec_start'] }, mk('container', 'exec_start: sh -c ls', 'abcdef')));
  t.notOk(eventMatches({ event: ['exec'] }, mk('container', 'exec_start: sh', 'abcdef')));
  t.ok(eventMatches({ scope: ['local'] }, c));
  t.notOk(eventMatches({ scope: ['swarm'] }, c));
  t.equal(stripTag('busybox:latest'), 'busybox');
  t.equal(stripTag('reg:5000/a'), 'reg:5000/a');
  t.equal(stripTag('a@sha256:00'), 'a@sha256:00');
});
