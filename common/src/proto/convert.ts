/**
 * Tasks and task statuses between the Engine API's shapes (what the store,
 * the API and the agent use) and the cluster protocol's messages. Pure.
 */
import { create } from '@bufbuild/protobuf';
import type { EndpointPortConfig, Task, TaskState, TaskStatus } from '../docker-api/index.js';
import { TaskSchema, TaskStatusSchema, type Task as PbTask, type TaskStatus as PbTaskStatus } from './gen/shoal/cluster/v1/dispatcher_pb.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A task as stored, with the fields agents use. */
export type WireTask = Task & { ServiceAnnotations?: { Name?: string }; Endpoint?: { Ports?: EndpointPortConfig[] }; StartAfter?: number };

export function statusToProto(s: TaskStatus): PbTaskStatus {
  return create(TaskStatusSchema, {
    timestamp: s.Timestamp, state: s.State, message: s.Message, err: s.Err ?? '',
    ...(s.ContainerStatus !== undefined ? { containerStatus: { containerId: s.ContainerStatus.ContainerID ?? '', pid: BigInt(s.ContainerStatus.PID ?? 0), exitCode: BigInt(s.ContainerStatus.ExitCode ?? 0) } } : {}),
    ports: (s.PortStatus?.Ports ?? []).map((p) => ({ protocol: p.Protocol ?? 'tcp', targetPort: p.TargetPort ?? 0, publishedPort: p.PublishedPort ?? 0, publishMode: p.PublishMode ?? 'host' })),
  });
}

export function statusFromProto(s: PbTaskStatus | undefined): TaskStatus {
  const out: TaskStatus = { Timestamp: s?.timestamp ?? '', State: (s?.state ?? 'new') as TaskState, Message: s?.message ?? '' };
  if (s === undefined) return out;
  if (s.err !== '') out.Err = s.err;
  if (s.containerStatus !== undefined) out.ContainerStatus = { ContainerID: s.containerStatus.containerId, PID: Number(s.containerStatus.pid), ExitCode: Number(s.containerStatus.exitCode) };
  if (s.ports.length > 0) {
    out.PortStatus = { Ports: s.ports.map((p) => ({ Protocol: p.protocol as 'tcp', TargetPort: p.targetPort, PublishedPort: p.publishedPort, PublishMode: p.publishMode as 'host' })) };
  }
  return out;
}

export function taskToProto(t: WireTask): PbTask {
  const ports = t.Endpoint?.Ports;
  return create(TaskSchema, {
    id: t.ID, serviceId: t.ServiceID, serviceName: t.ServiceAnnotations?.Name ?? '', slot: BigInt(t.Slot ?? 0), nodeId: t.NodeID ?? '',
    desiredState: t.DesiredState, status: statusToProto(t.Status), specJson: encoder.encode(JSON.stringify(t.Spec)),
    portsJson: ports === undefined ? new Uint8Array() : encoder.encode(JSON.stringify(ports)), startAfterMs: BigInt(t.StartAfter ?? 0),
    createdAt: t.CreatedAt, updatedAt: t.UpdatedAt, version: BigInt(t.Version.Index),
  });
}

export function taskFromProto(p: PbTask): WireTask {
  const t: WireTask = {
    ID: p.id, Version: { Index: Number(p.version) }, CreatedAt: p.createdAt, UpdatedAt: p.updatedAt, Labels: {},
    Spec: JSON.parse(decoder.decode(p.specJson)) as Task['Spec'], ServiceID: p.serviceId, Status: statusFromProto(p.status),
    DesiredState: p.desiredState as TaskState, ServiceAnnotations: { Name: p.serviceName },
  };
  if (p.slot > 0n) t.Slot = Number(p.slot);
  if (p.nodeId !== '') t.NodeID = p.nodeId;
  if (p.portsJson.length > 0) t.Endpoint = { Ports: JSON.parse(decoder.decode(p.portsJson)) as EndpointPortConfig[] };
  if (p.startAfterMs > 0n) t.StartAfter = Number(p.startAfterMs);
  return t;
}
