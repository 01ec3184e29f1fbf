import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeBusyboxRootfsTar, startTestDaemon, type TestDaemon, type TestDaemonOptions } from '@shoal/testkit';

/** The test image every compat test uses. */
export const IMAGE = 'compat/busybox:latest';

/** A daemon with the busybox test image imported through the docker CLI. */
export async function daemonWithImage(opts: TestDaemonOptions = {}): Promise<TestDaemon> {
  const d = await startTestDaemon(opts);
  const work = await mkdtemp(join(tmpdir(), 'compat-img-'));
  try {
    const tar = await makeBusyboxRootfsTar(work, join(work, 'rootfs.tar'));
    await d.docker(['import', '--change', 'CMD ["/bin/sh"]', tar, IMAGE]);
  } catch (e) {
    await d.cleanup();
    throw e;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  return d;
}

/** A command for containers that must stop fast: PID 1 traps TERM. */
export const TRAP_SLEEP = ['sh', '-c', 'trap "exit 0" TERM; sleep 1d & wait'];
