/** A command of the key-value state machine, carried in a normal log entry. */
export interface KvCommand {
  readonly op: 'put';
  readonly key: string;
  readonly value: string;
}

const enc = new TextEncoder();
const dec = new TextDecoder();

export function encodeKvCommand(cmd: KvCommand): Uint8Array {
  return enc.encode(JSON.stringify(cmd));
}

export function decodeKvCommand(data: Uint8Array): KvCommand {
  return JSON.parse(dec.decode(data)) as KvCommand;
}

/** The replicated key-value state machine of the simulator. Deterministic; snapshots are JSON. */
export class KvStore {
  #data = new Map<string, string>();

  apply(cmd: KvCommand): void {
    this.#data.set(cmd.key, cmd.value);
  }

  get(key: string): string | undefined {
    return this.#data.get(key);
  }

  snapshot(): Uint8Array {
    return enc.encode(JSON.stringify([...this.#data.entries()].sort()));
  }

  static restore(data: Uint8Array): KvStore {
    const kv = new KvStore();
    if (data.length > 0) for (const [k, v] of JSON.parse(dec.decode(data)) as [string, string][]) kv.#data.set(k, v);
    return kv;
  }
}
