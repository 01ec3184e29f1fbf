import t from 'tap';
import { testSeeds } from './seed-test-plan.js';

t.test('simulated 3-node clusters under faults stay safe and recover', async (t) => {
  await testSeeds(t, 3, 30000);
});
