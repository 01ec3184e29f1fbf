/**
 * Little binary writer/reader used by the WAL records and the transport's
 * message codec. Big-endian; integers up to 2^53 (JS safe integers) are
 * written as 8 bytes. Pure: no node:* imports (Uint8Array + DataView only).
 */

const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder('utf-8', { fatal: true });

/** Raised by ByteReader on a truncated or malformed buffer. */
export class ByteCodecError extends Error {
  readonly code = 'RAFT_CODEC_INVALID' as const;
}

/** Appends values to a growable buffer. */
export class ByteWriter {
  #buf: Uint8Array;
  #view: DataView;
  #pos = 0;

  constructor(initialCapacity = 256) {
    this.#buf = new Uint8Array(initialCapacity);
    this.#view = new DataView(this.#buf.buffer);
  }

  #ensure(n: number): void {
    if (this.#pos + n <= this.#buf.length) return;
    let cap = this.#buf.length * 2;
    while (cap < this.#pos + n) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.#buf.subarray(0, this.#pos));
    this.#buf = next;
    this.#view = new DataView(next.buffer);
  }

  get length(): number {
    return this.#pos;
  }

  u8(v: number): this {
    this.#ensure(1);
    this.#view.setUint8(this.#pos, v);
    this.#pos += 1;
    return this;
  }

  u32(v: number): this {
    this.#ensure(4);
    this.#view.setUint32(this.#pos, v >>> 0);
    this.#pos += 4;
    return this;
  }

  /** A non-negative safe integer in 8 bytes. */
  u64(v: number): this {
    if (!Number.isSafeInteger(v) || v < 0) throw new ByteCodecError(`u64 out of range: ${v}`);
    this.#ensure(8);
    this.#view.setUint32(this.#pos, Math.floor(v / 0x1_0000_0000));
    this.#view.setUint32(this.#pos + 4, v >>> 0);
    this.#pos += 8;
    return this;
  }

  bool(v: boolean): this {
    return this.u8(v ? 1 : 0);
  }

  /** Raw bytes, no length prefix. */
  raw(b: Uint8Array): this {
    this.#ensure(b.length);
    this.#buf.set(b, this.#pos);
    this.#pos += b.length;
    return this;
  }

  /** Length-prefixed (u32) bytes. */
  bytes(b: Uint8Array): this {
    this.u32(b.length);
    return this.raw(b);
  }

  /** Length-prefixed UTF-8 string. */
  str(s: string): this {
    return this.bytes(textEncoder.encode(s));
  }

  /** The written bytes (a view; do not keep the writer after this). */
  finish(): Uint8Array {
    return this.#buf.subarray(0, this.#pos);
  }
}

/** Reads values written by ByteWriter; throws ByteCodecError when out of bytes. */
export class ByteReader {
  readonly #buf: Uint8Array;
  readonly #view: DataView;
  #pos: number;

  constructor(buf: Uint8Array, offset = 0) {
    this.#buf = buf;
    this.#view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    this.#pos = offset;
  }

  #need(n: number): void {
    if (this.#pos + n > this.#buf.length) {
      throw new ByteCodecError(`truncated: need ${n} bytes at ${this.#pos} of ${this.#buf.length}`);
    }
  }

  get remaining(): number {
    return this.#buf.length - this.#pos;
  }

  u8(): number {
    this.#need(1);
    return this.#view.getUint8(this.#pos++);
  }

  u32(): number {
    this.#need(4);
    const v = this.#view.getUint32(this.#pos);
    this.#pos += 4;
    return v;
  }

  u64(): number {
    this.#need(8);
    const hi = this.#view.getUint32(this.#pos);
    const lo = this.#view.getUint32(this.#pos + 4);
    this.#pos += 8;
    const v = hi * 0x1_0000_0000 + lo;
    if (!Number.isSafeInteger(v)) throw new ByteCodecError(`u64 beyond 2^53 at ${this.#pos - 8}`);
    return v;
  }

  bool(): boolean {
    const v = this.u8();
    if (v > 1) throw new ByteCodecError(`invalid bool ${v}`);
    return v === 1;
  }

  /** `n` raw bytes (a view into the source buffer). */
  raw(n: number): Uint8Array {
    this.#need(n);
    const out = this.#buf.subarray(this.#pos, this.#pos + n);
    this.#pos += n;
    return out;
  }

  /** The rest of the buffer. */
  rest(): Uint8Array {
    return this.raw(this.remaining);
  }

  bytes(): Uint8Array {
    return this.raw(this.u32());
  }

  str(): string {
    try {
      return textDecoder.decode(this.bytes());
    } catch (err) {
      if (err instanceof ByteCodecError) throw err;
      throw new ByteCodecError('invalid UTF-8 string', { cause: err });
    }
  }

  /** Throws unless every byte was consumed. */
  end(): void {
    if (this.remaining !== 0) throw new ByteCodecError(`${this.remaining} trailing bytes`);
  }
}
