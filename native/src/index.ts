/**
 * @shoal/native: the per-container shim (native/shim, C) and its
 * TypeScript side. The wire contract is native/shim/PROTOCOL.md.
 */
export { shimErrors } from './errors.js';
export { shimPath } from './shim-path.js';
export { spawnShim, shimArgs } from './spawn-shim.js';
export { ShimClient } from './shim-client.js';
export type { ShimClientEvents } from './shim-client.js';
export { readExitFile, readShimPid, isAlive, parseExitStatus, STATE_FILES } from './state-files.js';
export { encodeShimFrame, ShimFrameDecoder, FrameType, FRAME_HEADER_SIZE } from './frame.js';
export type { ShimFrame } from './frame.js';
export type { ExitStatus, SpawnShimOptions, SpawnShimResult, HelloStreams, OutputChunk } from './types.js';
