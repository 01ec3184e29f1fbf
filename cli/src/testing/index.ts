export { FakeDaemon, startFakeDaemon, testIo } from './fake-daemon.js';
export type { LoggedCall, Handler, HijackHandler, TestIo } from './fake-daemon.js';
