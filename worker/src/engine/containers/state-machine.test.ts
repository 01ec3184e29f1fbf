import t from 'tap';
import fc from 'fast-check';
import type { ContainerState } from '@shoal/common';
import { createdState } from './container-record.js';
import { allowedEvents, checkStateInvariants, transition, type StateEvent } from './state-machine.js';

const AT = '2026-12-07T10:00:00.000000000Z';
const health = { Status: 'starting', FailingStreak: 0, Log: [] };

t.test('a run: created -> running -> paused -> running -> exited -> restarting -> running', async (t) => {
  let s = createdState();
  s = transition(s, { type: 'started', pid: 42, at: AT, health });
  t.match(s, { Status: 'running', Running: true, Pid: 42, StartedAt: AT, Health: health, ExitCode: 0, Error: '' });
  s = transition(s, { type: 'paused' });
  t.match(s, { Status: 'paused', Running: true, Paused: true, Pid: 42 });
  s = transition(s, { type: 'unpaused' });
  t.match(s, { Status: 'running', Paused: false });
  s = transition(s, { type: 'health', health: { ...health, Status: 'healthy' } });
  t.equal(s.Health?.Status, 'healthy');
  s = transition(s, { type: 'exited', exitCode: 137, finishedAt: AT, oomKilled: true, error: '' });
  t.match(s, { Status: 'exited', Running: false, Pid: 0, ExitCode: 137, OOMKilled: true, FinishedAt: AT });
  t.equal(s.Health?.Status, 'healthy', 'the last health result stays after the exit, as Docker');
  s = transition(s, { type: 'restart-scheduled' });
  t.match(s, { Status: 'restarting', Restarting: true, Running: false });
  s = transition(s, { type: 'started', pid: 43, at: AT });
  t.match(s, { Status: 'running', Restarting: false, OOMKilled: false, Pid: 43 });
  t.equal(s.Health, undefined, 'a start without a healthcheck drops the old health');
});

t.test('a failed start: a new container stays created, one that ran is exited; a stop during the back-off is exited', async (t) => {
  const failed = transition(createdState(), { type: 'start-failed', error: 'exec: "nope": executable file not found', exitCode: 127 });
  t.match(failed, { Status: 'created', ExitCode: 127, Error: /executable file not found/ });
  let s = transition(createdState(), { type: 'started', pid: 5, at: AT });
  s = transition(s, { type: 'exited', exitCode: 1, finishedAt: AT, oomKilled: false, error: '' });
  t.match(transition(s, { type: 'start-failed', error: 'boom', exitCode: 128 }), { Status: 'exited', ExitCode: 128, Error: 'boom' });
  s = transition(s, { type: 'restart-scheduled' });
  t.match(transition(s, { type: 'restart-cancelled' }), { Status: 'exited', Restarting: false });
  t.match(transition(s, { type: 'start-failed', error: 'boom', exitCode: 128 }), { Status: 'exited', Restarting: false });
});

t.test('events a state does not allow are engine bugs: refused', async (t) => {
  t.throws(() => transition(createdState(), { type: 'paused' }), { message: 'container state: paused is not allowed in created' });
  t.throws(() => transition(createdState(), { type: 'exited', exitCode: 0, finishedAt: AT, oomKilled: false, error: '' }));
  const running = transition(createdState(), { type: 'started', pid: 1, at: AT });
  t.throws(() => transition(running, { type: 'started', pid: 2, at: AT }), { message: /started is not allowed in running/ });
  t.throws(() => transition(running, { type: 'restart-scheduled' }));
});

t.test('property: any sequence of allowed events keeps Docker\'s invariants', async (t) => {
  const event = (type: StateEvent['type'], n: number): StateEvent => {
    switch (type) {
      case 'started': return { type, pid: 100 + n, at: AT, ...(n % 2 === 0 ? { health } : {}) };
      case 'start-failed': return { type, error: 'x', exitCode: 128 };
      case 'exited': return { type, exitCode: n % 256, finishedAt: AT, oomKilled: n % 3 === 0, error: '' };
      case 'health': return { type, health: { ...health, FailingStreak: n } };
      default: return { type } as StateEvent;
    }
  };
  fc.assert(fc.property(fc.array(fc.nat(1000), { maxLength: 60 }), (picks) => {
    let s: ContainerState = createdState();
    for (const n of picks) {
      const allowed = allowedEvents(s);
      const next = transition(s, event(allowed[n % allowed.length] ?? 'started', n));
      const bad = checkStateInvariants(next);
      if (bad.length > 0) throw new Error(`${s.Status} -> ${next.Status}: ${bad.join(', ')}`);
      s = next;
    }
    return true;
  }), { numRuns: 500 });
  t.pass('invariants held');
});
