import t from 'tap';
import { validateServiceSpec } from './validate.js';

const ok = { Name: 'web', TaskTemplate: { ContainerSpec: { Image: 'busybox:latest' } }, Mode: { Replicated: { Replicas: 2 } } };
const withTask = (task: Record<string, unknown>): unknown => ({ ...ok, TaskTemplate: { ContainerSpec: { Image: 'busybox' }, ...task } });
const withContainer = (c: Record<string, unknown>): unknown => ({ ...ok, TaskTemplate: { ContainerSpec: { Image: 'busybox', ...c } } });

t.test('a valid spec passes; each bad one is refused with its sentence and CONTROL_INVALID_ARGUMENT', async (t) => {
  t.doesNotThrow(() => validateServiceSpec(ok));
  t.doesNotThrow(() => validateServiceSpec({ ...ok, Mode: { Global: {} }, EndpointSpec: { Ports: [{ TargetPort: 80, PublishedPort: 8080, PublishMode: 'host' }] } }));
  const cases: Array<[string, unknown, string]> = [
    ['not an object', 'web', 'service spec must be a JSON object'],
    ['no name', { ...ok, Name: '' }, 'meta: name must be provided'],
    ['bad name', { ...ok, Name: 'web_1!' }, 'name must be valid as a DNS name component'],
    ['no image', withContainer({ Image: '' }), 'ContainerSpec: image reference must be provided'],
    ['bad image', withContainer({ Image: 'Busy Box' }), 'ContainerSpec: "Busy Box" is not a valid repository/tag'],
    ['no container spec', { ...ok, TaskTemplate: {} }, 'TaskSpec: missing runtime'],
    ['args of the wrong type', withContainer({ Args: 'sleep 1' }), 'ContainerSpec: Args must be a list of strings'],
    ['duplicate mount', withContainer({ Mounts: [{ Type: 'tmpfs', Target: '/t' }, { Type: 'volume', Source: 'v', Target: '/t' }] }), 'ContainerSpec: duplicate mount point: /t'],
    ['relative bind', withContainer({ Mounts: [{ Type: 'bind', Source: 'data', Target: '/d' }] }), 'ContainerSpec: invalid bind mount source, must be an absolute path: data'],
    ['bad constraint', withTask({ Placement: { Constraints: ['node.role=manager'] } }), 'constraint expected one operator from ==, !='],
    ['negative restart delay', withTask({ RestartPolicy: { Delay: -1 } }), 'TaskSpec: restart-delay cannot be negative'],
    ['bad restart condition', withTask({ RestartPolicy: { Condition: 'always' } }), 'TaskSpec: invalid restart condition always'],
    ['tiny memory limit', withTask({ Resources: { Limits: { MemoryBytes: 1024 } } }), 'Resources: memory limit must be at least 4MiB'],
    ['two modes', { ...ok, Mode: { Replicated: { Replicas: 1 }, Global: {} } }, 'service mode must be one of replicated, global, replicated-job or global-job'],
    ['negative replicas', { ...ok, Mode: { Replicated: { Replicas: -1 } } }, 'Replicas must be a non-negative integer'],
    ['replicas of the wrong type', { ...ok, Mode: { Replicated: { Replicas: '3' } } }, 'Replicas must be a non-negative integer'],
    ['failure ratio', { ...ok, UpdateConfig: { MaxFailureRatio: 2 } }, 'UpdateConfig: max failure ratio must be between 0 and 1'],
    ['failure action', { ...ok, RollbackConfig: { FailureAction: 'explode' } }, 'RollbackConfig: invalid failure action explode'],
    ['ingress port', { ...ok, EndpointSpec: { Ports: [{ TargetPort: 80, PublishedPort: 8080 }] } }, 'EndpointSpec: ingress-mode published ports need the routing mesh'],
    ['bad port', { ...ok, EndpointSpec: { Ports: [{ TargetPort: 70000, PublishMode: 'host' }] } }, 'EndpointSpec: target port must be between 1 and 65535'],
    ['duplicate port', { ...ok, EndpointSpec: { Ports: [{ TargetPort: 80, PublishedPort: 8080, PublishMode: 'host' }, { TargetPort: 81, PublishedPort: 8080, PublishMode: 'host' }] } }, 'EndpointSpec: duplicate published ports provided'],
  ];
  for (const [what, spec, message] of cases) {
    t.throws(() => validateServiceSpec(spec), { code: 'CONTROL_INVALID_ARGUMENT', status: 400, message: new RegExp(`^${message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`) }, what);
  }
});
