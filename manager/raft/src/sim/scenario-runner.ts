import type { ConfChangeType } from '../core/index.js';
import { ScenarioCluster } from './scenario-cluster.js';
import type { ScenarioClusterOptions } from './scenario-cluster.js';

/**
 * Runs scenario files in the data-driven style of etcd-io/raft's interaction
 * tests: blocks of `command`, a `----` line, the expected output, a blank line.
 * `runScenario` returns the file text with every block's output replaced by
 * the actual output, so a test compares it to the file, and a rewrite
 * (SHOAL_REWRITE=1) regenerates it for review.
 */
export function runScenario(text: string): string {
  const lines = text.split('\n');
  const out: string[] = [];
  let cluster: ScenarioCluster | undefined;
  let i = 0;
  while (i < lines.length) {
    const line = lines[i]!;
    if (line.trim() === '' || line.startsWith('#')) {
      out.push(line);
      i++;
      continue;
    }
    const cmd = line;
    i++;
    if (lines[i] !== '----') throw new Error(`scenario line ${i + 1}: expected ---- after "${cmd}"`);
    i++;
    while (i < lines.length && lines[i]!.trim() !== '') i++;
    let result: string[];
    try {
      const r = execute(cluster, cmd);
      cluster = r.cluster;
      result = r.output;
    } catch (err) {
      result = [`panic: ${(err as Error).message}`];
    }
    out.push(cmd, '----', ...(result.length === 0 ? ['ok'] : result));
  }
  return out.join('\n');
}

function parseArgs(words: readonly string[]): { pos: string[]; kv: Map<string, string> } {
  const pos: string[] = [];
  const kv = new Map<string, string>();
  for (const w of words) {
    const eq = w.indexOf('=');
    if (eq > 0) kv.set(w.slice(0, eq), w.slice(eq + 1));
    else pos.push(w);
  }
  return { pos, kv };
}

function num(kv: Map<string, string>, key: string): number | undefined {
  const v = kv.get(key);
  return v === undefined ? undefined : Number(v);
}

function bool(kv: Map<string, string>, key: string): boolean | undefined {
  const v = kv.get(key);
  return v === undefined ? undefined : v === 'true' || v === 'on';
}

function execute(cluster: ScenarioCluster | undefined, line: string): { cluster: ScenarioCluster | undefined; output: string[] } {
  const [name, ...rest] = line.trim().split(/\s+/);
  const { pos, kv } = parseArgs(rest);
  if (name === 'cluster') {
    const opts: ScenarioClusterOptions = {
      seed: num(kv, 'seed') ?? 1,
      boot: kv.get('boot') === 'conf' ? 'conf' : 'log',
      compaction: { snapshotEvery: num(kv, 'snapshot-every') ?? 0, keepEntries: num(kv, 'keep') ?? 0 },
      raft: {
        preVote: bool(kv, 'prevote'),
        checkQuorum: bool(kv, 'checkquorum'),
        electionTicks: num(kv, 'election'),
        heartbeatTicks: num(kv, 'heartbeat'),
        maxInflightMsgs: num(kv, 'inflight'),
        maxSizePerMsg: num(kv, 'maxbytes'),
        maxSnapshotChunkBytes: num(kv, 'chunk'),
      },
    };
    const c = new ScenarioCluster(pos, opts);
    c.stabilize();
    c.takeTrace();
    return { cluster: c, output: [] };
  }
  if (cluster === undefined) throw new Error('no cluster: start with a cluster command');
  const c = cluster;
  const [a, b, d] = pos;
  const output: string[] = [];
  switch (name) {
    case 'add-node':
      c.addNode(a!);
      break;
    case 'set-log':
      c.setLog(a!, num(kv, 'term') ?? 0, pos.slice(1).map(Number));
      break;
    case 'campaign':
      c.host(a!).raw!.campaign();
      break;
    case 'tick':
      c.tick(a!, b === undefined ? 1 : Number(b));
      break;
    case 'tick-stabilize':
      for (let k = 0; k < (b === undefined ? 1 : Number(b)); k++) {
        c.tick(a!);
        c.stabilize();
      }
      break;
    case 'tick-all':
      c.tickAll(a === undefined ? 1 : Number(a));
      break;
    case 'stabilize':
      c.stabilize();
      break;
    case 'deliver':
      c.deliver();
      break;
    case 'flush':
      c.flushReadies();
      break;
    case 'drop-all':
      c.dropAll();
      break;
    case 'propose':
      output.push(c.propose(a!, b!));
      break;
    case 'propose-batch': {
      const r = c.attempt(() => c.host(a!).raw!.proposeBatch(pos.slice(1).map((v) => new TextEncoder().encode(v))));
      output.push('ok' in r ? `proposed ${r.ok.map((t) => `${t.index}/${t.term}`).join(' ')}` : `error ${r.error}`);
      break;
    }
    case 'conf':
      output.push(c.confChange(a!, b as ConfChangeType, d!));
      break;
    case 'read-index': {
      const r = c.attempt(() => c.host(a!).raw!.readIndex(new TextEncoder().encode(b!)));
      if ('error' in r) output.push(`error ${r.error}`);
      break;
    }
    case 'transfer': {
      const r = c.attempt(() => c.host(a!).raw!.transferLeader(b!));
      if ('error' in r) output.push(`error ${r.error}`);
      break;
    }
    case 'isolate':
      c.isolate(a!);
      break;
    case 'cut':
      c.cut(a!, b!);
      break;
    case 'cut-oneway':
      c.cut(a!, b!, true);
      break;
    case 'heal':
      c.heal();
      break;
    case 'hold':
      c.hold(a!, b!);
      break;
    case 'release':
      c.release(a!, b!);
      break;
    case 'crash':
      c.host(a!).crash();
      break;
    case 'restart':
      c.host(a!).restart();
      break;
    case 'compact':
      c.host(a!).snapshotAndCompact();
      break;
    case 'status':
      output.push(...c.statusLines());
      break;
    case 'log':
      for (const id of pos.length > 0 ? pos : [...c.hosts.keys()].sort()) output.push(c.logLine(id));
      break;
    case 'leaders':
      output.push(`leaders: ${c.leaders().join(',') || 'none'}`);
      break;
    default:
      throw new Error(`unknown command ${name}`);
  }
  return { cluster: c, output: [...c.takeTrace(), ...output] };
}
