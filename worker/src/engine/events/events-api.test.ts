// GET /events over a real socket with the real bus: headers before any
// event, live events as JSON lines, filters applied, the stream ended by a
// client disconnect (the bus drops the subscriber).
import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { request, type IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock, silentLogger, type EngineEvent } from '@shoal/common';
import { buildApp } from '../api/index.js';
import { fakeDeps } from '../../testing/fake-engines.js';
import { EventBus } from './event-bus.js';

t.test('live /events stream from the bus', async (t) => {
  const clock = new ManualClock(1_700_000_000_000);
  const bus = new EventBus({ clock });
  const app = await buildApp({ ...fakeDeps(), events: bus, clock, log: silentLogger() });
  const dir = mkdtempSync(join(tmpdir(), 'shoal-events-'));
  const socketPath = join(dir, 'api.sock');
  await app.listen({ path: socketPath });
  t.teardown(async () => { await app.close(); rmSync(dir, { recursive: true, force: true }); });

  const filters = encodeURIComponent(JSON.stringify({ type: ['container'], event: ['start'] }));
  const req = request({ socketPath, path: `/v1.44/events?filters=${filters}` });
  const res = await new Promise<IncomingMessage>((resolve, reject) => { req.on('response', resolve); req.on('error', reject); req.end(); });
  t.equal(res.statusCode, 200, 'headers before any event');
  t.equal(res.headers['content-type'], 'application/json');
  t.equal(bus.listenerCount, 1);

  const lines: EngineEvent[] = [];
  let buf = '';
  const two = new Promise<void>((resolve) => {
    res.on('data', (c: Buffer) => {
      buf += c.toString();
      for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
        lines.push(JSON.parse(buf.slice(0, i)) as EngineEvent);
        buf = buf.slice(i + 1);
      }
      if (lines.length >= 2) resolve();
    });
  });
  bus.emit({ Type: 'container', Action: 'create', Actor: { ID: 'c1', Attributes: {} } });
  bus.emit({ Type: 'container', Action: 'start', Actor: { ID: 'c1', Attributes: { name: 'a' } } });
  bus.emit({ Type: 'network', Action: 'start', Actor: { ID: 'n1', Attributes: {} } });
  clock.advance(1500);
  bus.emit({ Type: 'container', Action: 'start', Actor: { ID: 'c2', Attributes: { name: 'b' } } });
  await two;
  t.same(lines.map((e) => [e.Actor.ID, e.time]), [['c1', 1_700_000_000], ['c2', 1_700_000_001]]);

  const gone = new Promise<void>((resolve) => { res.on('close', resolve); });
  req.destroy();
  await gone;
  // The server sees the disconnect and the bus drops the subscriber.
  while (bus.listenerCount > 0) await new Promise((r) => setImmediate(r));
  t.equal(bus.listenerCount, 0);
  const info = await app.inject({ url: '/info' });
  t.equal(info.json().NEventsListener, 0);
});
