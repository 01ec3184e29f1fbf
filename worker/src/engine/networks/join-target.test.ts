import t from 'tap';
import { findJoinTarget } from './join-target.js';
import type { SandboxRecord } from './network-record.js';

const rec = (containerId: string, name: string): SandboxRecord => ({
  containerId, name, kind: 'own', sandboxId: '', netnsPath: `/n/${containerId}`, endpoints: [],
});
const recs = [rec('abc111', 'web'), rec('abc222', 'db'), rec('def333', 'abc')];

t.test('by id, name, unique prefix; never itself', async (t) => {
  t.equal(findJoinTarget(recs, 'abc111', 'x')?.name, 'web');
  t.equal(findJoinTarget(recs, 'db', 'x')?.containerId, 'abc222');
  t.equal(findJoinTarget(recs, '/db', 'x')?.containerId, 'abc222');
  t.equal(findJoinTarget(recs, 'abc', 'x')?.containerId, 'def333', 'an exact name beats an id prefix');
  t.equal(findJoinTarget(recs, 'abc2', 'x')?.containerId, 'abc222');
  t.equal(findJoinTarget(recs.slice(0, 2), 'abc', 'x'), undefined, 'ambiguous prefix');
  t.equal(findJoinTarget(recs, 'web', 'abc111'), undefined, 'not itself');
  t.equal(findJoinTarget(recs, '', 'x'), undefined);
  t.equal(findJoinTarget(recs, 'zzz', 'x'), undefined);
});
