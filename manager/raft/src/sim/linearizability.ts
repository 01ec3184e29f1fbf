/**
 * A linearizability checker in the style of Wing & Gong with Lowe's
 * memoisation (as in porcupine): depth-first search over the order of
 * operations, caching (set of linearized operations, model state) pairs
 * already explored. Histories are partitioned per key first (a register per
 * key is P-compositional), which keeps each search small.
 */

/** One completed or pending operation. `ret` is +Infinity for an operation
 * whose outcome is unknown (timed out): it may take effect at any time after `call`. */
export interface Operation<I, O> {
  readonly call: number;
  readonly ret: number;
  readonly input: I;
  readonly output: O;
}

/** A sequential specification. */
export interface Model<S, I, O> {
  init(): S;
  /** Apply `input` to `state`; ok is false when `output` is impossible from `state`. */
  step(state: S, input: I, output: O): { ok: boolean; state: S };
  /** A string identifying the state, for the memo cache. */
  key(state: S): string;
}

interface Node {
  opIndex: number;
  isCall: boolean;
  /** For a call: its return node. */
  match: Node | undefined;
  prev: Node | undefined;
  next: Node | undefined;
}

/** True when some total order of `ops` respects real time and the model. */
export function isLinearizable<S, I, O>(model: Model<S, I, O>, ops: readonly Operation<I, O>[]): boolean {
  if (ops.length === 0) return true;
  // Events sorted by time; at equal times, calls before returns would wrongly
  // allow overlap, so returns go first (strict real-time order).
  const events: { time: number; isCall: boolean; op: number }[] = [];
  ops.forEach((op, i) => {
    events.push({ time: op.call, isCall: true, op: i });
    events.push({ time: op.ret, isCall: false, op: i });
  });
  // (An operation's own call always precedes its return.)
  events.sort((a, b) => {
    if (a.time !== b.time) return a.time < b.time ? -1 : 1;
    if (a.op === b.op) return a.isCall ? -1 : 1;
    if (a.isCall !== b.isCall) return a.isCall ? 1 : -1;
    return a.op - b.op;
  });
  const head: Node = { opIndex: -1, isCall: false, match: undefined, prev: undefined, next: undefined };
  let tail = head;
  const returns = new Map<number, Node>();
  const calls: Node[] = [];
  for (const ev of events) {
    const node: Node = { opIndex: ev.op, isCall: ev.isCall, match: undefined, prev: tail, next: undefined };
    tail.next = node;
    tail = node;
    if (ev.isCall) calls.push(node);
    else returns.set(ev.op, node);
  }
  for (const c of calls) c.match = returns.get(c.opIndex);

  const lift = (n: Node): void => {
    n.prev!.next = n.next;
    if (n.next) n.next.prev = n.prev;
    const m = n.match!;
    m.prev!.next = m.next;
    if (m.next) m.next.prev = m.prev;
  };
  const unlift = (n: Node): void => {
    const m = n.match!;
    m.prev!.next = m;
    if (m.next) m.next.prev = m;
    n.prev!.next = n;
    if (n.next) n.next.prev = n;
  };

  const words = Math.ceil(ops.length / 32);
  const linearized = new Uint32Array(words);
  const cache = new Set<string>();
  const stack: { node: Node; state: S }[] = [];
  let state = model.init();
  let entry = head.next;
  while (head.next !== undefined) {
    if (entry === undefined) return false;
    if (entry.isCall) {
      const op = ops[entry.opIndex]!;
      const r = model.step(state, op.input, op.output);
      if (r.ok) {
        const w = entry.opIndex >> 5;
        const bit = 1 << (entry.opIndex & 31);
        linearized[w]! |= bit;
        const key = `${linearized.join(',')}|${model.key(r.state)}`;
        if (!cache.has(key)) {
          cache.add(key);
          stack.push({ node: entry, state });
          state = r.state;
          lift(entry);
          entry = head.next;
          continue;
        }
        linearized[w]! &= ~bit;
      }
      entry = entry.next;
    } else {
      // A return reached before its call was linearized: backtrack.
      const top = stack.pop();
      if (top === undefined) return false;
      state = top.state;
      linearized[top.node.opIndex >> 5]! &= ~(1 << (top.node.opIndex & 31));
      unlift(top.node);
      entry = top.node.next;
    }
  }
  return true;
}

/** A KV operation: a put of a value or a get observing one (undefined = absent). */
export interface KvOp {
  readonly kind: 'put' | 'get';
  readonly key: string;
  /** Put: the value written. Get: the value read. */
  readonly value: string | undefined;
  readonly call: number;
  readonly ret: number;
}

const registerModel: Model<string | undefined, { kind: 'put' | 'get'; value: string | undefined }, string | undefined> = {
  init: () => undefined,
  step: (state, input, output) =>
    input.kind === 'put' ? { ok: true, state: input.value } : { ok: output === state, state },
  key: (s) => (s === undefined ? '\u0000' : s),
};

/** Check a KV history, key by key; returns the keys whose history is not linearizable. */
export function checkKvHistory(history: readonly KvOp[]): { ok: boolean; badKeys: string[] } {
  const byKey = new Map<string, KvOp[]>();
  for (const op of history) {
    const list = byKey.get(op.key) ?? [];
    list.push(op);
    byKey.set(op.key, list);
  }
  const badKeys: string[] = [];
  for (const [key, list] of [...byKey].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    const ops = list.map((o) => ({ call: o.call, ret: o.ret, input: { kind: o.kind, value: o.kind === 'put' ? o.value : undefined }, output: o.kind === 'get' ? o.value : undefined }));
    if (!isLinearizable(registerModel, ops)) badKeys.push(key);
  }
  return { ok: badKeys.length === 0, badKeys };
}
