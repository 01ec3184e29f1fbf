/**
 * The indexes of each table: a name for the index, how to read its key from
 * an object, and whether the key is unique in the table. Pure.
 */
import type { StoreObject, TableName } from './types.js';

type Obj = Readonly<StoreObject> & Readonly<Record<string, unknown>>;

/** An index over one table. */
export interface IndexDef {
  /** The key, or undefined when the object is not in this index. */
  key(o: Obj): string | undefined;
  unique: boolean;
}

function field(o: Obj, ...path: string[]): unknown {
  let v: unknown = o;
  for (const p of path) v = v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[p] : undefined;
  return v;
}

function text(o: Obj, ...path: string[]): string | undefined {
  const v = field(o, ...path);
  return typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : undefined;
}

/** Names are unique per table as in swarmkit; lookups by name are case-sensitive. */
const byName: IndexDef = { key: (o) => text(o, 'Spec', 'Name'), unique: true };

/** Every table's indexes. */
export const INDEXES: Readonly<Record<TableName, Readonly<Record<string, IndexDef>>>> = {
  nodes: {
    hostname: { key: (o) => text(o, 'Description', 'Hostname'), unique: false },
    role: { key: (o) => text(o, 'Spec', 'Role'), unique: false },
  },
  services: { name: byName },
  tasks: {
    service: { key: (o) => text(o, 'ServiceID'), unique: false },
    node: { key: (o) => text(o, 'NodeID'), unique: false },
    /** A replicated service's slot, or a global service's node: `<service>/<slot or node>`. */
    slot: {
      key: (o) => {
        const svc = text(o, 'ServiceID');
        const slot = text(o, 'Slot') ?? text(o, 'NodeID');
        return svc !== undefined && slot !== undefined ? `${svc}/${slot}` : undefined;
      },
      unique: false,
    },
    desiredState: { key: (o) => text(o, 'DesiredState'), unique: false },
  },
  networks: { name: byName },
  secrets: { name: byName },
  configs: { name: byName },
  clusters: { name: byName },
};
