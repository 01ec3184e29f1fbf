// The real container engine against the contract the API's fake is held to
// (testing/engine-contract.ts; api/fake-contract.test.ts runs the fake).
import t from 'tap';
import { setup } from '../../testing/container-env.js';
import { containerEngineContract, type ContractTest } from '../../testing/engine-contract.js';

const env = await setup(t);
containerEngineContract((name, fn) => { void t.test(name, (st) => fn(st as unknown as ContractTest)); }, async () => ({
  engine: env.mgr, image: 'busybox', longRunning: ['sh', '-c', 'trap "exit 0" TERM; sleep 1d & wait'], hostConfig: { NetworkMode: 'none' },
}));
