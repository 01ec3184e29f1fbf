export { writeFileAtomic, writeJsonAtomic, syncDir, isAtomicTempFile } from './atomic-file.js';
export type { AtomicWriteOptions } from './atomic-file.js';
