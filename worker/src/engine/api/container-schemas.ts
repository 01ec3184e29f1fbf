/**
 * JSON schemas for container request bodies. They check the types of the
 * fields shoal uses (a wrong type is a 400 naming the field, as Docker's JSON
 * decoder does) and let other fields through (Docker ignores unknown ones).
 */

const stringList = { type: ['array', 'null'], items: { type: 'string' } } as const;
/** Docker's strslice: a string or a list of strings. */
const stringOrList = { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }, { type: 'null' }] } as const;
const stringMap = { type: ['object', 'null'], additionalProperties: { type: 'string' } } as const;
const int = { type: 'integer' } as const;
const intOrNull = { type: ['integer', 'null'] } as const;

const restartPolicy = {
  type: 'object',
  properties: {
    Name: { type: 'string', enum: ['', 'no', 'always', 'unless-stopped', 'on-failure'] },
    MaximumRetryCount: int,
  },
} as const;

const resources = {
  CpuShares: int, Memory: int, MemoryReservation: int, MemorySwap: int, NanoCpus: int,
  CpuPeriod: int, CpuQuota: int, CpusetCpus: { type: 'string' }, PidsLimit: intOrNull,
  Ulimits: {
    type: ['array', 'null'],
    items: { type: 'object', required: ['Name'], properties: { Name: { type: 'string' }, Soft: int, Hard: int } },
  },
  OomKillDisable: { type: ['boolean', 'null'] }, BlkioWeight: int,
} as const;

const portBindings = {
  type: ['object', 'null'],
  additionalProperties: {
    type: ['array', 'null'],
    items: { type: 'object', properties: { HostIp: { type: 'string' }, HostPort: { type: 'string' } } },
  },
} as const;

const hostConfig = {
  type: ['object', 'null'],
  properties: {
    ...resources,
    Binds: stringList,
    NetworkMode: { type: 'string' },
    PortBindings: portBindings,
    RestartPolicy: restartPolicy,
    AutoRemove: { type: 'boolean' },
    Mounts: {
      type: ['array', 'null'],
      items: { type: 'object', required: ['Target'], properties: { Type: { type: 'string' }, Source: { type: 'string' }, Target: { type: 'string' }, ReadOnly: { type: 'boolean' } } },
    },
    CapAdd: stringList, CapDrop: stringList, Dns: stringList, DnsOptions: stringList, DnsSearch: stringList,
    ExtraHosts: stringList, GroupAdd: stringList, Links: stringList, SecurityOpt: stringList, VolumesFrom: stringList,
    Privileged: { type: 'boolean' }, PublishAllPorts: { type: 'boolean' }, ReadonlyRootfs: { type: 'boolean' },
    Tmpfs: stringMap, Sysctls: stringMap, ShmSize: int, Init: { type: ['boolean', 'null'] },
    LogConfig: { type: 'object', properties: { Type: { type: 'string' }, Config: stringMap } },
    CgroupParent: { type: 'string' }, PidMode: { type: 'string' }, IpcMode: { type: 'string' }, UTSMode: { type: 'string' },
  },
} as const;

/** Body of POST /containers/create. */
export const containerCreateBodySchema = {
  type: 'object',
  properties: {
    Hostname: { type: 'string' }, Domainname: { type: 'string' }, User: { type: 'string' },
    AttachStdin: { type: 'boolean' }, AttachStdout: { type: 'boolean' }, AttachStderr: { type: 'boolean' },
    ExposedPorts: { type: ['object', 'null'], additionalProperties: { type: 'object' } },
    Tty: { type: 'boolean' }, OpenStdin: { type: 'boolean' }, StdinOnce: { type: 'boolean' },
    Env: stringList, Cmd: stringOrList, Entrypoint: stringOrList, Shell: stringList,
    Image: { type: 'string' }, WorkingDir: { type: 'string' },
    Volumes: { type: ['object', 'null'], additionalProperties: { type: 'object' } },
    Labels: stringMap, StopSignal: { type: 'string' }, StopTimeout: intOrNull,
    Healthcheck: {
      type: ['object', 'null'],
      properties: { Test: stringList, Interval: int, Timeout: int, Retries: int, StartPeriod: int },
    },
    HostConfig: hostConfig,
    NetworkingConfig: {
      type: ['object', 'null'],
      properties: { EndpointsConfig: { type: ['object', 'null'], additionalProperties: { type: ['object', 'null'] } } },
    },
  },
} as const;

/** Body of POST /containers/{id}/update. */
export const containerUpdateBodySchema = {
  type: 'object',
  properties: { ...resources, RestartPolicy: restartPolicy },
} as const;

/** Body of POST /containers/{id}/exec. */
export const execCreateBodySchema = {
  type: 'object',
  required: ['Cmd'],
  properties: {
    AttachStdin: { type: 'boolean' }, AttachStdout: { type: 'boolean' }, AttachStderr: { type: 'boolean' },
    ConsoleSize: { type: ['array', 'null'], items: int, minItems: 2, maxItems: 2 },
    DetachKeys: { type: 'string' }, Tty: { type: 'boolean' }, Env: stringList,
    Cmd: { type: 'array', items: { type: 'string' }, minItems: 1 },
    Privileged: { type: 'boolean' }, User: { type: 'string' }, WorkingDir: { type: 'string' },
  },
} as const;
