import { encodeFrame as encodeStdcopy, FrameDecoder as StdcopyDecoder, type StdStreamId } from '@shoal/common';

/** Stream ids of Docker's multiplexed attach/logs format. */
export const STREAM_STDIN = 0;
/** Stream id of stdout frames. */
export const STREAM_STDOUT = 1;
/** Stream id of stderr frames. */
export const STREAM_STDERR = 2;
/** Docker uses stream 3 for an error from the daemon in the middle of a stream. */
export const STREAM_SYSTEMERR = 3;

/**
 * Incremental decoder of Docker's stdcopy frames in the CLI's callback
 * style, over the project's one stdcopy codec (`common/src/stdcopy`).
 * Feed it chunks as they arrive; it calls `onFrame` once per whole frame.
 */
export class FrameDecoder {
  readonly #decoder = new StdcopyDecoder();
  readonly #onFrame: (stream: number, payload: Buffer) => void;

  constructor(onFrame: (stream: number, payload: Buffer) => void) {
    this.#onFrame = onFrame;
  }

  /** Add bytes; emits every frame completed by them. */
  push(chunk: Buffer): void {
    for (const f of this.#decoder.push(chunk)) this.#onFrame(f.stream, f.payload);
  }

  /** Bytes of an incomplete frame still held (0 at a clean end). */
  get pending(): number {
    return this.#decoder.pending;
  }
}

/** Encode one frame (tests and tools). */
export function encodeFrame(stream: number, payload: Buffer | string): Buffer {
  return encodeStdcopy(stream as StdStreamId, payload);
}
