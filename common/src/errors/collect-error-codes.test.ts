import t from 'tap';
import { collectErrorCodes, defineErrors } from './shoal-error.js';

// Registration used to be a side effect of importing a module, and a second
// definition of a code (a test fake re-defining ENGINE_CONTAINER_NOT_FOUND)
// silently replaced the first.
t.test('codes are collected from the registries given, and a code defined twice is refused', async (t) => {
  const a = defineErrors('PKG', { NOT_FOUND: { status: 404, doc: 'a' } });
  const b = defineErrors('PKG_SUB', { GONE: { status: 410, doc: 'b' } });
  t.same([...collectErrorCodes([a, b]).keys()], ['PKG_NOT_FOUND', 'PKG_SUB_GONE']);
  // PKG + SUB_GONE is the same code as PKG_SUB + GONE.
  const clash = defineErrors('PKG', { SUB_GONE: { status: 500, doc: 'c' } });
  t.throws(() => collectErrorCodes([a, b, clash]), /error code PKG_SUB_GONE is defined twice/);
  defineErrors('NEVER_LISTED', { X: { status: 500, doc: 'x' } });
  t.notOk(collectErrorCodes([a]).has('NEVER_LISTED_X'), 'defining a registry registers nothing by itself');
});
