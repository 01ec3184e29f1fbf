/**
 * Docker's stdcopy multiplexing (what `docker logs`/`attach` send for a
 * container without a tty): each frame is an 8-byte header
 * [stream, 0, 0, 0, payload length as big-endian uint32] and the payload.
 * Pure: no I/O.
 */

/** Stream ids of the header's first byte. */
export const StdStream = { stdin: 0, stdout: 1, stderr: 2, systemerr: 3 } as const;
/** One of Docker's stream ids. */
export type StdStreamId = (typeof StdStream)[keyof typeof StdStream];

/** Header size of a stdcopy frame. */
export const STDCOPY_HEADER_SIZE = 8;

/** A decoded frame. */
export interface StdFrame {
  stream: StdStreamId;
  payload: Buffer;
}

/** Encode one frame. `stream` is an id (1) or a name ('stdout'). */
export function encodeFrame(stream: StdStreamId | 'stdin' | 'stdout' | 'stderr', payload: Buffer | string): Buffer {
  const id = typeof stream === 'string' ? StdStream[stream] : stream;
  const body = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
  const out = Buffer.allocUnsafe(STDCOPY_HEADER_SIZE + body.length);
  out.writeUInt32BE(0, 0);
  out[0] = id;
  out.writeUInt32BE(body.length, 4);
  body.copy(out, STDCOPY_HEADER_SIZE);
  return out;
}

/**
 * Streaming decoder: `push` bytes as they arrive (any split), get the
 * complete frames back in order. Throws RangeError on a header whose stream
 * id is not 0..3 (the input is not stdcopy, e.g. a tty stream).
 */
export class FrameDecoder {
  #buf: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): StdFrame[] {
    this.#buf = this.#buf.length === 0 ? chunk : Buffer.concat([this.#buf, chunk]);
    const frames: StdFrame[] = [];
    let off = 0;
    while (this.#buf.length - off >= STDCOPY_HEADER_SIZE) {
      const id = this.#buf[off] ?? 0;
      if (id > 3) throw new RangeError(`not a stdcopy stream: stream id ${id}`);
      const len = this.#buf.readUInt32BE(off + 4);
      if (this.#buf.length - off < STDCOPY_HEADER_SIZE + len) break;
      const start = off + STDCOPY_HEADER_SIZE;
      frames.push({ stream: id as StdStreamId, payload: Buffer.from(this.#buf.subarray(start, start + len)) });
      off = start + len;
    }
    this.#buf = off >= this.#buf.length ? Buffer.alloc(0) : this.#buf.subarray(off);
    return frames;
  }

  /** Bytes of an incomplete frame still held (non-zero at the end of input means truncation). */
  get pending(): number {
    return this.#buf.length;
  }
}
