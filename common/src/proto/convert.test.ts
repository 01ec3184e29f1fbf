import t from 'tap';
import { fromBinary, toBinary } from '@bufbuild/protobuf';
import { TaskSchema } from './gen/shoal/cluster/v1/dispatcher_pb.js';
import { statusFromProto, statusToProto, taskFromProto, taskToProto, type WireTask } from './convert.js';

const task: WireTask = {
  ID: 'tid', Version: { Index: 42 }, CreatedAt: '2026-12-08T00:00:00.000Z', UpdatedAt: '2026-12-08T00:00:01.000Z', Labels: {},
  Spec: { ContainerSpec: { Image: 'busybox', Env: ['A=1'], Mounts: [{ Type: 'tmpfs', Target: '/t' }] }, RestartPolicy: { Condition: 'on-failure', Delay: 5e9 } },
  ServiceID: 'sid', Slot: 3, NodeID: 'nid', DesiredState: 'running', ServiceAnnotations: { Name: 'web' },
  Endpoint: { Ports: [{ TargetPort: 80, PublishedPort: 8080, PublishMode: 'host', Protocol: 'tcp' }] }, StartAfter: 1_800_000_000_000,
  Status: {
    Timestamp: '2026-12-08T00:00:02.000Z', State: 'failed', Message: 'started', Err: 'task: non-zero exit (1)',
    ContainerStatus: { ContainerID: 'cid', PID: 0, ExitCode: 1 }, PortStatus: { Ports: [{ Protocol: 'tcp', TargetPort: 80, PublishedPort: 8080, PublishMode: 'host' }] },
  },
};

t.test('a task survives the wire: to protobuf bytes and back', async (t) => {
  const back = taskFromProto(fromBinary(TaskSchema, toBinary(TaskSchema, taskToProto(task))));
  t.same(back, task);
  const global = { ...task, Slot: undefined, StartAfter: undefined, Endpoint: undefined } as WireTask;
  delete global.Slot;
  delete global.StartAfter;
  delete global.Endpoint;
  t.same(taskFromProto(taskToProto(global)), global, 'a global task has no slot; no ports, no delayed start');
});

t.test('a bare status: no error, no container', async (t) => {
  const s = { Timestamp: 't', State: 'accepted' as const, Message: 'accepted' };
  t.same(statusFromProto(statusToProto(s)), s);
});
