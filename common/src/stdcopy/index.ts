export { encodeFrame, FrameDecoder, StdStream, STDCOPY_HEADER_SIZE } from './stdcopy.js';
export type { StdFrame, StdStreamId } from './stdcopy.js';
