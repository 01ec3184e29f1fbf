import t from 'tap';
import type { Task } from '@shoal/common';
import { stopTimeoutS, taskContainerName, taskCreateBody, taskLabels, type AgentTask } from './task-container.js';

const task = (over: Partial<AgentTask> = {}): AgentTask => ({
  ID: 'tid', Version: { Index: 1 }, CreatedAt: '', UpdatedAt: '', Labels: {}, ServiceID: 'sid', Slot: 2, NodeID: 'nid',
  ServiceAnnotations: { Name: 'web' }, Status: { Timestamp: '', State: 'assigned', Message: '' }, DesiredState: 'running',
  Spec: {
    ContainerSpec: {
      Image: 'busybox:latest', Command: ['sh', '-c'], Args: ['echo hi'], Env: ['A=1'], Labels: { mine: 'yes' }, Dir: '/w', User: '1000',
      Hostname: 'h', StopSignal: 'SIGINT', StopGracePeriod: 3e9, Mounts: [{ Type: 'tmpfs', Target: '/t' }], Init: true,
    },
    Resources: { Limits: { NanoCPUs: 5e8, MemoryBytes: 64 * 2 ** 20, Pids: 50 } },
  },
  ...over,
}) as AgentTask;

t.test('name and labels as Docker gives a task container', async (t) => {
  t.equal(taskContainerName(task()), 'web.2.tid');
  t.equal(taskContainerName(task({ Slot: undefined } as Partial<Task>)), 'web.nid.tid', 'a global task is named after its node');
  t.same(taskLabels(task()), {
    mine: 'yes', 'com.docker.swarm.node.id': 'nid', 'com.docker.swarm.service.id': 'sid', 'com.docker.swarm.service.name': 'web',
    'com.docker.swarm.task': '', 'com.docker.swarm.task.id': 'tid', 'com.docker.swarm.task.name': 'web.2.tid',
  });
});

t.test('the create body carries the ContainerSpec, limits and host-mode ports', async (t) => {
  const b = taskCreateBody({ ...task(), Endpoint: { Ports: [{ TargetPort: 80, PublishedPort: 8080, PublishMode: 'host', Protocol: 'tcp' }] } });
  t.match(b, {
    Image: 'busybox:latest', Entrypoint: ['sh', '-c'], Cmd: ['echo hi'], Env: ['A=1'], WorkingDir: '/w', User: '1000', Hostname: 'h',
    StopSignal: 'SIGINT', StopTimeout: 3, ExposedPorts: { '80/tcp': {} },
    HostConfig: { NanoCpus: 5e8, Memory: 64 * 2 ** 20, PidsLimit: 50, Init: true, Mounts: [{ Type: 'tmpfs', Target: '/t' }], PortBindings: { '80/tcp': [{ HostIp: '', HostPort: '8080' }] }, RestartPolicy: { Name: 'no' } },
  });
  const plain = taskCreateBody(task({ Spec: { ContainerSpec: { Image: 'busybox' } } }));
  t.same([plain.Cmd, plain.Entrypoint, plain.StopTimeout, plain.ExposedPorts], [undefined, undefined, undefined, undefined], 'the image\'s own defaults stay');
  t.equal(stopTimeoutS(task({ Spec: { ContainerSpec: { Image: 'busybox' } } })), 10);
});
