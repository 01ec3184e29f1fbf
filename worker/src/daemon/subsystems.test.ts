import t from 'tap';
import { silentLogger } from '@shoal/common';
import { SubsystemStack, closer } from './subsystems.js';

t.test('subsystems close in reverse start order, each once, past a failing one', async (t) => {
  const closed: string[] = [];
  const stack = new SubsystemStack(silentLogger());
  const sub = (name: string, fail = false) => async () => closer(async () => { closed.push(name); if (fail) throw new Error(`${name} failed`); });
  await stack.start('pidfile', sub('pidfile'));
  await stack.start('images', sub('images', true));
  await stack.start('containers', sub('containers'));
  await t.rejects(stack.start('api', async () => { throw new Error('port in use'); }), { message: 'port in use' });
  t.same(stack.names, ['pidfile', 'images', 'containers'], 'a subsystem that failed to start is not recorded');
  await stack.closeAll();
  t.same(closed, ['containers', 'images', 'pidfile']);
  await stack.closeAll();
  t.same(closed, ['containers', 'images', 'pidfile'], 'idempotent');
});
