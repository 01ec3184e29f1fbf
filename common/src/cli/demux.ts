/** Stream ids of Docker's multiplexed attach/logs format. */
export const STREAM_STDIN = 0;
/** Stream id of stdout frames. */
export const STREAM_STDOUT = 1;
/** Stream id of stderr frames. */
export const STREAM_STDERR = 2;
/** Docker uses stream 3 for an error from the daemon in the middle of a stream. */
export const STREAM_SYSTEMERR = 3;

/**
 * Incremental decoder of Docker's stdcopy frames: an 8-byte header
 * (stream id, 3 zero bytes, big-endian uint32 length) then the payload.
 * Feed it chunks as they arrive; it calls `onFrame` once per whole frame.
 * Pure: no I/O.
 */
export class FrameDecoder {
  #buf: Buffer = Buffer.alloc(0);
  #onFrame: (stream: number, payload: Buffer) => void;

  constructor(onFrame: (stream: number, payload: Buffer) => void) {
    this.#onFrame = onFrame;
  }

  /** Add bytes; emits every frame completed by them. */
  push(chunk: Buffer): void {
    this.#buf = this.#buf.length === 0 ? chunk : Buffer.concat([this.#buf, chunk]);
    while (this.#buf.length >= 8) {
      const size = this.#buf.readUInt32BE(4);
      if (this.#buf.length < 8 + size) break;
      const stream = this.#buf[0] ?? 0;
      const payload = this.#buf.subarray(8, 8 + size);
      this.#buf = this.#buf.subarray(8 + size);
      this.#onFrame(stream, payload);
    }
  }

  /** Bytes of an incomplete frame still held (0 at a clean end). */
  get pending(): number {
    return this.#buf.length;
  }
}

/** Encode one frame (tests and tools). */
export function encodeFrame(stream: number, payload: Buffer | string): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload) : payload;
  const head = Buffer.alloc(8);
  head[0] = stream;
  head.writeUInt32BE(body.length, 4);
  return Buffer.concat([head, body]);
}
