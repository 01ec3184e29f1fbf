import t from 'tap';
import { isChrooted } from './chroot-check.js';

t.test('a root that is not PID 1\'s root means chroot', async (t) => {
  t.equal(isChrooted({ dev: 1, ino: 2 }, { dev: 1, ino: 2 }), false);
  t.equal(isChrooted({ dev: 1, ino: 2 }, { dev: 1, ino: 3 }), true);
  t.equal(isChrooted({ dev: 5, ino: 2 }, { dev: 1, ino: 2 }), true);
});
