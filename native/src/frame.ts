/**
 * The control.sock framing (native/shim/PROTOCOL.md): an 8-byte header
 * [type, 0, 0, 0, len BE32] then `len` payload bytes. It is Docker's stdcopy
 * header, so output frames (types 1 and 2) can be forwarded unchanged.
 */

/** Frame types of the shim protocol. */
export const FrameType = {
  Stdin: 0,
  Stdout: 1,
  Stderr: 2,
  CloseStdin: 4,
  Hello: 5,
  Resize: 6,
  Start: 7,
  StartResult: 8,
  Exit: 9,
} as const;

/** Header size in bytes. */
export const FRAME_HEADER_SIZE = 8;

/** Largest payload accepted from the shim (it never sends more than 64 KiB at once). */
export const MAX_FRAME_PAYLOAD = 16 * 1024 * 1024;

/** One decoded frame. */
export interface ShimFrame {
  type: number;
  payload: Buffer;
}

/** Encode one frame: header and payload in a single Buffer. */
export function encodeShimFrame(type: number, payload: Buffer | string = Buffer.alloc(0)): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
  const out = Buffer.allocUnsafe(FRAME_HEADER_SIZE + body.length);
  out.writeUInt32BE(0, 0);
  out[0] = type;
  out.writeUInt32BE(body.length, 4);
  body.copy(out, FRAME_HEADER_SIZE);
  return out;
}

/**
 * Incremental decoder: feed bytes as they arrive with `push`, get the
 * complete frames back. Throws a RangeError on a payload larger than
 * MAX_FRAME_PAYLOAD (the caller treats that as a protocol error).
 */
export class ShimFrameDecoder {
  #buf: Buffer = Buffer.alloc(0);

  /** Append bytes; returns every frame completed by them, in order. */
  push(chunk: Buffer): ShimFrame[] {
    this.#buf = this.#buf.length === 0 ? chunk : Buffer.concat([this.#buf, chunk]);
    const frames: ShimFrame[] = [];
    let off = 0;
    while (this.#buf.length - off >= FRAME_HEADER_SIZE) {
      const type = this.#buf[off] ?? 0;
      const len = this.#buf.readUInt32BE(off + 4);
      if (len > MAX_FRAME_PAYLOAD) throw new RangeError(`frame payload of ${len} bytes is too large`);
      if (this.#buf.length - off < FRAME_HEADER_SIZE + len) break;
      const start = off + FRAME_HEADER_SIZE;
      frames.push({ type, payload: Buffer.from(this.#buf.subarray(start, start + len)) });
      off = start + len;
    }
    this.#buf = off === this.#buf.length ? Buffer.alloc(0) : this.#buf.subarray(off);
    return frames;
  }

  /** Bytes received that do not yet form a whole frame. */
  get pending(): number {
    return this.#buf.length;
  }
}
