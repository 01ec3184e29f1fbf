import type { ContainerCreateBody, Ulimit } from '@shoal/common';
import type { ContainerEngine } from '../engine/api/index.js';

/**
 * dockerd's mergeUlimits: the daemon's --default-ulimit values are added to
 * a new container's HostConfig.Ulimits unless the container sets that name
 * itself (so `docker inspect` shows them, as with Docker).
 */
export function mergeUlimits(body: ContainerCreateBody, defaults: Readonly<Record<string, Ulimit>>): ContainerCreateBody {
  const names = Object.keys(defaults);
  if (names.length === 0) return body;
  const own = body.HostConfig?.Ulimits ?? [];
  const added = names.filter((n) => !own.some((u) => u.Name === n)).map((n) => ({ ...defaults[n] as Ulimit }));
  if (added.length === 0) return body;
  return { ...body, HostConfig: { ...body.HostConfig, Ulimits: [...own, ...added] } };
}

/** The container engine as the API sees it: create applies the daemon's default ulimits. */
export function withDefaultUlimits<T extends ContainerEngine>(engine: T, defaults: Readonly<Record<string, Ulimit>>): T {
  if (Object.keys(defaults).length === 0) return engine;
  const create: ContainerEngine['create'] = (name, body) => engine.create(name, mergeUlimits(body, defaults));
  return new Proxy(engine, {
    get(target, prop) {
      if (prop === 'create') return create;
      const v: unknown = Reflect.get(target, prop, target);
      // Bound to the real object: its #private fields are not reachable through the proxy.
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}
