export { BUSYBOX, haveBusybox, makeBusyboxRootfs, makeBusyboxRootfsTar } from './busybox.js';
export { makeNetns } from './netns.js';
export type { TestNetns } from './netns.js';
export { ManualClock } from '@shoal/common';
export { startTestDaemon, daemonLog } from './shoald.js';
export type { TestDaemon, TestDaemonOptions } from './shoald.js';
export { removeCgroupTree, cgroupMountPoints } from './cgroups.js';
export { goldenFiles, rewriting } from './golden.js';
export type { GoldenCase } from './golden.js';
