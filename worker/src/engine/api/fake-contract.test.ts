// The fake container engine of the API tests against the engine's contract
// (testing/engine-contract.ts); containers/contract.linux.test.ts runs the
// same checks against the real engine.
import t from 'tap';
import { FakeContainerEngine } from '../../testing/fake-engines.js';
import { containerEngineContract, type ContractTest } from '../../testing/engine-contract.js';

containerEngineContract((name, fn) => { void t.test(name, (st) => fn(st as unknown as ContractTest)); }, async () => ({
  engine: new FakeContainerEngine(), image: 'busybox', longRunning: ['sh', '-c', 'sleep 1d'],
}));
