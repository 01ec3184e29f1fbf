/**
 * Checks of a service spec before it is stored, with swarmkit's sentences
 * (the control API answers them as 400s). Pure.
 */
import type { ServiceSpec } from '@shoal/common';
import { parseConstraints } from '../scheduler/constraints.js';
import { controlErrors } from './errors.js';

// swarmkit's: letters and digits, with - and _ between them (generated names have _), 63 at most.
const DNS_LABEL = /^[a-zA-Z0-9](?:[-_]*[a-zA-Z0-9]+)*$/;
const MIN_MEMORY = 4 * 1024 * 1024;

function invalid(message: string): never {
  throw controlErrors.make('INVALID_ARGUMENT', message);
}

function nonNegative(v: unknown, what: string): void {
  if (v !== undefined && v !== null && (typeof v !== 'number' || !Number.isFinite(v) || v < 0)) invalid(`${what} cannot be negative`);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Throws CONTROL_INVALID_ARGUMENT with the first problem of `spec`. */
export function validateServiceSpec(spec: unknown): asserts spec is ServiceSpec {
  if (!isObject(spec)) invalid('service spec must be a JSON object');
  const s = spec as ServiceSpec;
  if (s.Name === undefined || s.Name === '') invalid('meta: name must be provided');
  if (typeof s.Name !== 'string' || s.Name.length > 63 || !DNS_LABEL.test(s.Name)) invalid('name must be valid as a DNS name component');
  if (s.Labels !== undefined && s.Labels !== null && !isObject(s.Labels)) invalid('Labels must be a map of strings');
  const task = s.TaskTemplate;
  if (!isObject(task)) invalid('TaskSpec: missing runtime');
  const c = task.ContainerSpec;
  if (!isObject(c)) invalid('TaskSpec: missing runtime');
  if (typeof c.Image !== 'string' || c.Image === '') invalid('ContainerSpec: image reference must be provided');
  if (/\s/.test(c.Image) || /[A-Z]/.test(c.Image.split(/[:@]/)[0] ?? '')) invalid(`ContainerSpec: "${c.Image}" is not a valid repository/tag`);
  for (const k of ['Args', 'Command', 'Env'] as const) {
    const v = c[k];
    if (v !== undefined && v !== null && (!Array.isArray(v) || v.some((x) => typeof x !== 'string'))) invalid(`ContainerSpec: ${k} must be a list of strings`);
  }
  const targets = new Set<string>();
  for (const m of c.Mounts ?? []) {
    if (!isObject(m as unknown) || typeof m.Target !== 'string' || m.Target === '') invalid('ContainerSpec: mount target must be provided');
    if (targets.has(m.Target)) invalid(`ContainerSpec: duplicate mount point: ${m.Target}`);
    targets.add(m.Target);
    if (m.Type === 'bind' && (typeof m.Source !== 'string' || !m.Source.startsWith('/'))) invalid(`ContainerSpec: invalid bind mount source, must be an absolute path: ${String(m.Source ?? '')}`);
    if (m.Type !== undefined && !['bind', 'volume', 'tmpfs'].includes(m.Type)) invalid(`ContainerSpec: mount type ${String(m.Type)} is not supported`);
  }
  nonNegative(c.StopGracePeriod, 'ContainerSpec: stop grace period');
  const r = task.RestartPolicy;
  if (r !== undefined && r !== null) {
    if (r.Condition !== undefined && !['none', 'on-failure', 'any'].includes(r.Condition)) invalid(`TaskSpec: invalid restart condition ${String(r.Condition)}`);
    nonNegative(r.Delay, 'TaskSpec: restart-delay');
    nonNegative(r.Window, 'TaskSpec: restart-window');
    nonNegative(r.MaxAttempts, 'TaskSpec: restart-max-attempts');
  }
  for (const kind of ['Limits', 'Reservations'] as const) {
    const res = task.Resources?.[kind];
    if (res === undefined || res === null) continue;
    nonNegative(res.NanoCPUs, `Resources: ${kind} NanoCPUs`);
    nonNegative(res.MemoryBytes, `Resources: ${kind} MemoryBytes`);
    if (kind === 'Limits' && (res.MemoryBytes ?? 0) > 0 && (res.MemoryBytes ?? 0) < MIN_MEMORY) invalid('Resources: memory limit must be at least 4MiB');
  }
  try {
    parseConstraints(task.Placement?.Constraints ?? []);
  } catch (e) {
    invalid((e as Error).message);
  }
  nonNegative(task.Placement?.MaxReplicas, 'Placement: max replicas');
  const mode = s.Mode ?? {};
  const kinds = ['Replicated', 'Global', 'ReplicatedJob', 'GlobalJob'].filter((k) => (mode as Record<string, unknown>)[k] !== undefined && (mode as Record<string, unknown>)[k] !== null);
  if (kinds.length > 1) invalid('service mode must be one of replicated, global, replicated-job or global-job');
  if (kinds[0] === 'ReplicatedJob' || kinds[0] === 'GlobalJob') invalid('job services (replicated-job, global-job) are not supported yet');
  const replicas = mode.Replicated?.Replicas;
  if (replicas !== undefined && (!Number.isInteger(replicas) || replicas < 0)) invalid('Replicas must be a non-negative integer');
  for (const key of ['UpdateConfig', 'RollbackConfig'] as const) {
    const u = s[key];
    if (u === undefined || u === null) continue;
    const what = key === 'UpdateConfig' ? 'update' : 'rollback';
    nonNegative(u.Delay, `${key}: ${what}-delay`);
    nonNegative(u.Monitor, `${key}: ${what}-monitor`);
    nonNegative(u.Parallelism, `${key}: ${what}-parallelism`);
    if (u.MaxFailureRatio !== undefined && (u.MaxFailureRatio < 0 || u.MaxFailureRatio > 1)) invalid(`${key}: max failure ratio must be between 0 and 1`);
    if (u.FailureAction !== undefined && !['pause', 'continue', 'rollback'].includes(u.FailureAction)) invalid(`${key}: invalid failure action ${String(u.FailureAction)}`);
    if (u.Order !== undefined && !['stop-first', 'start-first'].includes(u.Order)) invalid(`${key}: invalid order ${String(u.Order)}`);
  }
  const seen = new Set<string>();
  for (const p of s.EndpointSpec?.Ports ?? []) {
    if (!isObject(p as unknown) || !Number.isInteger(p.TargetPort) || (p.TargetPort ?? 0) <= 0 || (p.TargetPort ?? 0) > 65535) invalid('EndpointSpec: target port must be between 1 and 65535');
    if (p.PublishedPort !== undefined && (!Number.isInteger(p.PublishedPort) || p.PublishedPort < 0 || p.PublishedPort > 65535)) invalid('EndpointSpec: published port must be between 0 and 65535');
    if (p.PublishMode !== 'host') invalid('EndpointSpec: ingress-mode published ports need the routing mesh, which shoal does not have yet; publish with mode=host (--publish published=8080,target=80,mode=host)');
    if ((p.PublishedPort ?? 0) === 0) continue;
    const key = `${p.Protocol ?? 'tcp'}/${p.PublishedPort}`;
    if (seen.has(key)) invalid(`EndpointSpec: duplicate published ports provided`);
    seen.add(key);
  }
}
