/**
 * The driver's envelope around the application's snapshot data: the member
 * addresses the driver knows (learned from `peers` and conf-change contexts)
 * travel with the snapshot, so a node that restores one can reach members
 * whose conf-change entries were compacted away.
 *
 *   "RNS1" | u32 length | JSON {addresses} | application data
 *
 * Data without the magic is taken as bare application data. Pure.
 */
import { ByteCodecError, ByteReader, ByteWriter } from '../storage/index.js';

const MAGIC = [0x52, 0x4e, 0x53, 0x31]; // "RNS1"

/** Wraps application snapshot data with the address map. */
export function wrapSnapshotData(addresses: Readonly<Record<string, string>>, app: Uint8Array): Uint8Array {
  const w = new ByteWriter(64 + app.length);
  for (const b of MAGIC) w.u8(b);
  w.str(JSON.stringify({ addresses }));
  w.raw(app);
  return w.finish();
}

/** Splits enveloped data into the address map and the application's bytes. */
export function unwrapSnapshotData(data: Uint8Array): { addresses: Record<string, string>; app: Uint8Array } {
  if (data.length < 8 || MAGIC.some((b, i) => data[i] !== b)) return { addresses: {}, app: data };
  const r = new ByteReader(data, 4);
  const header = JSON.parse(r.str()) as { addresses?: unknown };
  const addresses: Record<string, string> = {};
  if (typeof header.addresses !== 'object' || header.addresses === null) throw new ByteCodecError('snapshot envelope without addresses');
  for (const [k, v] of Object.entries(header.addresses as Record<string, unknown>)) if (typeof v === 'string') addresses[k] = v;
  return { addresses, app: r.rest() };
}
