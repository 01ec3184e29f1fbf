/**
 * Placement constraints (`node.labels.zone==east`, `node.role!=manager`):
 * parsed at the control API, matched by the scheduler and the global
 * orchestrator. Keys and operators as swarmkit's; values compare without
 * regard to case. Pure.
 */
import type { SwarmNode } from '@shoal/common';

/** One parsed constraint. */
export interface Constraint {
  key: string;
  op: '==' | '!=';
  value: string;
}

const KEY = /^[a-z_][a-z0-9\-_.]+$/i;
// Values may not hold operators (present or future: <, >, ~, =, !).
const VALUE = /^[a-z0-9:\-_\s.*()?+[\]\\^$|/]+$/i;
const OPERATORS = ['==', '!='] as const;

/** Parses constraints; throws an Error with swarmkit's sentence on the first bad one. */
export function parseConstraints(exprs: readonly string[]): Constraint[] {
  return exprs.map((expr) => {
    for (const op of OPERATORS) {
      const at = expr.indexOf(op);
      if (at < 0) continue;
      const key = expr.slice(0, at).trim();
      const value = expr.slice(at + op.length).trim();
      if (!KEY.test(key)) throw new Error(`key '${key}' is invalid`);
      if (!VALUE.test(value)) throw new Error(`value '${value}' is invalid`);
      return { key, op, value };
    }
    throw new Error(`constraint expected one operator from ${OPERATORS.join(', ')}`);
  });
}

/** Node labels and engine labels are read by their exact key; the rest by their (case-insensitive) name. */
function nodeValue(key: string, node: SwarmNode): string | undefined {
  const lower = key.toLowerCase();
  if (lower.startsWith('node.labels.')) return node.Spec.Labels?.[key.slice('node.labels.'.length)];
  if (lower.startsWith('engine.labels.')) return node.Description.Engine.Labels?.[key.slice('engine.labels.'.length)];
  switch (lower) {
    case 'node.id': return node.ID;
    case 'node.hostname': return node.Description.Hostname;
    case 'node.role': return node.Spec.Role;
    case 'node.platform.os': return node.Description.Platform.OS;
    case 'node.platform.arch': return node.Description.Platform.Architecture;
    case 'node.ip': return node.Status.Addr;
    default: return undefined;
  }
}

const KNOWN = /^(node\.(id|hostname|role|ip|platform\.os|platform\.arch)|(node|engine)\.labels\..+)$/i;

/** Whether `node` satisfies every constraint: a missing label equals nothing; a key of no known kind never matches (as swarmkit). */
export function nodeMatches(constraints: readonly Constraint[], node: SwarmNode): boolean {
  return constraints.every((c) => {
    if (!KNOWN.test(c.key)) return false;
    const v = nodeValue(c.key, node);
    const equal = v !== undefined && v.toLowerCase() === c.value.toLowerCase();
    return c.op === '==' ? equal : !equal;
  });
}
