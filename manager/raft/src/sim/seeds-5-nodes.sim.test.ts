import t from 'tap';
import { testSeeds } from './seed-test-plan.js';

t.test('simulated 5-node clusters under faults stay safe and recover', async (t) => {
  await testSeeds(t, 5, 50000);
});
