import t from 'tap';
import { testSeeds } from './seed-test-plan.js';

t.test('simulated 7-node clusters under faults stay safe and recover', async (t) => {
  await testSeeds(t, 7, 70000);
});
