/**
 * A swarm task as a container of the embedded engine: its name
 * (`SERVICE.SLOT.TASKID`, as Docker names them), Docker's
 * `com.docker.swarm.*` labels, and the create body from the task's
 * ContainerSpec, resources and host-mode ports. Pure.
 */
import type { ContainerCreateBody, MountSpec, PortMap, Task } from '@shoal/common';

/** The labels by which a node's task containers are found again (after a shoald restart too). */
export const TASK_ID_LABEL = 'com.docker.swarm.task.id';

/** A task as the agent gets it: with the service name the dispatcher sends along. */
export type AgentTask = Task & { ServiceAnnotations?: { Name?: string }; Endpoint?: { Ports?: Array<{ Protocol?: string; TargetPort?: number; PublishedPort?: number; PublishMode?: string }> } };

/** `web.2.<task id>`, or `web.<node id>.<task id>` for a global service. */
export function taskContainerName(t: AgentTask): string {
  return `${t.ServiceAnnotations?.Name ?? t.ServiceID}.${t.Slot ?? t.NodeID ?? ''}.${t.ID}`;
}

/** Docker's labels of a task container, over the ContainerSpec's own. */
export function taskLabels(t: AgentTask): Record<string, string> {
  const name = t.ServiceAnnotations?.Name ?? '';
  return {
    ...(t.Spec.ContainerSpec?.Labels ?? {}),
    'com.docker.swarm.node.id': t.NodeID ?? '',
    'com.docker.swarm.service.id': t.ServiceID,
    'com.docker.swarm.service.name': name,
    'com.docker.swarm.task': '',
    [TASK_ID_LABEL]: t.ID,
    'com.docker.swarm.task.name': taskContainerName(t),
  };
}

const NS = 1e9;

/** The container create body of a task. */
export function taskCreateBody(t: AgentTask): ContainerCreateBody {
  const c = t.Spec.ContainerSpec ?? {};
  const limits = t.Spec.Resources?.Limits ?? {};
  const ports = (t.Endpoint?.Ports ?? []).filter((p) => p.PublishMode === 'host' && p.TargetPort !== undefined);
  const exposed: Record<string, Record<string, never>> = {};
  const bindings: PortMap = {};
  for (const p of ports) {
    const key = `${p.TargetPort}/${p.Protocol ?? 'tcp'}`;
    exposed[key] = {};
    bindings[key] = [...(bindings[key] ?? []), { HostIp: '', HostPort: (p.PublishedPort ?? 0) === 0 ? '' : String(p.PublishedPort) }];
  }
  const body: ContainerCreateBody = {
    Image: c.Image ?? '',
    Labels: taskLabels(t),
    Env: c.Env ?? [],
    Tty: c.TTY ?? false,
    OpenStdin: c.OpenStdin ?? false,
    HostConfig: {
      Mounts: (c.Mounts ?? []) as MountSpec[],
      NanoCpus: limits.NanoCPUs ?? 0,
      Memory: limits.MemoryBytes ?? 0,
      PortBindings: bindings,
      RestartPolicy: { Name: 'no', MaximumRetryCount: 0 },
      ReadonlyRootfs: c.ReadOnly ?? false,
      GroupAdd: c.Groups ?? null,
      ...(limits.Pids !== undefined && limits.Pids > 0 ? { PidsLimit: limits.Pids } : {}),
      ...(c.Init !== undefined && c.Init !== null ? { Init: c.Init } : {}),
    },
  };
  if (c.Args !== undefined && c.Args !== null && c.Args.length > 0) body.Cmd = c.Args;
  if (c.Command !== undefined && c.Command !== null && c.Command.length > 0) body.Entrypoint = c.Command;
  if (c.Dir !== undefined && c.Dir !== '') body.WorkingDir = c.Dir;
  if (c.User !== undefined && c.User !== '') body.User = c.User;
  if (c.Hostname !== undefined && c.Hostname !== '') body.Hostname = c.Hostname;
  if (c.StopSignal !== undefined && c.StopSignal !== '') body.StopSignal = c.StopSignal;
  if (c.StopGracePeriod !== undefined) body.StopTimeout = Math.ceil(c.StopGracePeriod / NS);
  if (c.Healthcheck !== undefined && c.Healthcheck !== null) body.Healthcheck = c.Healthcheck as ContainerCreateBody['Healthcheck'];
  if (Object.keys(exposed).length > 0) body.ExposedPorts = exposed;
  return body;
}

/** Seconds to wait for a task's container to stop: its grace period, Docker's 10 s by default. */
export function stopTimeoutS(t: AgentTask): number {
  const g = t.Spec.ContainerSpec?.StopGracePeriod;
  return g === undefined ? 10 : Math.ceil(g / NS);
}
