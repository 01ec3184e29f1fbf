import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { imageErrors } from './image-errors.js';

/** What {@link spoolLayer} wrote. */
export interface SpooledLayer {
  /** sha256 of the uncompressed tar: the layer's diff id. */
  diffId: string;
  /** Bytes of the uncompressed tar. */
  tarSize: number;
  /** True when the input was gzip-compressed. */
  compressed: boolean;
}

/**
 * Copy a layer tar stream (plain or gzip, detected by its magic bytes) to
 * `tarPath` uncompressed, hashing the uncompressed bytes on the way.
 * zstd layers are refused (Node 20 has no zstd).
 */
export async function spoolLayer(input: Readable, tarPath: string): Promise<SpooledLayer> {
  const iter = input[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  let head = Buffer.alloc(0);
  const pending: Buffer[] = [];
  let ended = false;
  while (head.length < 4) {
    const r = await iter.next();
    if (r.done === true) {
      ended = true;
      break;
    }
    const chunk = Buffer.isBuffer(r.value) ? r.value : Buffer.from(r.value as Uint8Array);
    pending.push(chunk);
    head = Buffer.concat([head, chunk]);
  }
  const gz = head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
  if (head.length >= 4 && head.readUInt32LE(0) === 0xfd2fb528) {
    throw imageErrors.make('INVALID_LAYER', 'zstd-compressed layers are not supported; use gzip or an uncompressed tar');
  }
  async function* replay(): AsyncGenerator<Buffer> {
    yield* pending;
    if (ended) return;
    for (;;) {
      const r = await iter.next();
      if (r.done === true) return;
      yield Buffer.isBuffer(r.value) ? r.value : Buffer.from(r.value as Uint8Array);
    }
  }
  const hash = createHash('sha256');
  let size = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      hash.update(chunk);
      size += chunk.length;
      cb(null, chunk);
    },
  });
  const out = createWriteStream(tarPath, { mode: 0o600 });
  try {
    if (gz) await pipeline(Readable.from(replay()), createGunzip(), tap, out);
    else await pipeline(Readable.from(replay()), tap, out);
  } catch (e) {
    if (gz && (e as NodeJS.ErrnoException).code?.startsWith('Z_') === true) {
      throw imageErrors.make('INVALID_LAYER', `layer is not valid gzip: ${(e as Error).message}`, { cause: e });
    }
    throw e;
  }
  return { diffId: `sha256:${hash.digest('hex')}`, tarSize: size, compressed: gz };
}
