/**
 * Small fakes of the container manager's dependencies, for tests only
 * (not exported from index.ts): an image source serving one busybox rootfs
 * as a single layer, and a network attacher for `none` and `host`.
 */
import { readFile } from 'node:fs/promises';
import type { ContainerConfig, NetworkSettings } from '@shoal/common';
import { resolvConf, hostsFile } from '../engine/runtime/index.js';
import type { ImageSource, ContainerNetworking, NetworkAttachRequest, NetworkAttachment, ContainerImage, NetworkRef } from '../engine/containers/deps.js';
import { containerErrors } from '../engine/containers/errors.js';

/** Serves images named in `images` (ref -> rootfs dir + config). Unknown refs: 404 like Docker. */
export class FakeImageSource implements ImageSource {
  readonly #images = new Map<string, { id: string; dir: string; config: ContainerConfig }>();

  add(ref: string, dir: string, config: ContainerConfig = { Cmd: ['sh'], Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'] }): string {
    const id = `sha256:${Buffer.from(ref).toString('hex').padEnd(64, '0').slice(0, 64)}`;
    this.#images.set(ref, { id, dir, config });
    return id;
  }

  async resolveImage(ref: string): Promise<ContainerImage> {
    const i = this.#images.get(ref);
    if (i === undefined) throw containerErrors.make('NOT_FOUND', `No such image: ${ref}`);
    return { id: i.id, config: i.config, repoTag: ref };
  }

  async layerPaths(imageId: string): Promise<string[]> {
    for (const i of this.#images.values()) if (i.id === imageId) return [i.dir];
    throw containerErrors.make('NOT_FOUND', `No such image: ${imageId}`);
  }
}

/** `none` (crun makes a fresh netns with only lo) and `host` (no netns). Tracks attachments. */
export class FakeNetwork implements ContainerNetworking {
  readonly attached = new Set<string>();

  async attach(req: NetworkAttachRequest): Promise<NetworkAttachment> {
    if (req.networkMode !== 'none' && req.networkMode !== 'host') {
      throw containerErrors.make('NOT_SUPPORTED', `fake network supports none and host, not ${req.networkMode}`);
    }
    this.attached.add(req.containerId);
    const host = await readFile('/etc/resolv.conf', 'utf8').catch(() => '');
    const settings: NetworkSettings = {
      Bridge: '', SandboxID: '', SandboxKey: '', Ports: {}, Gateway: '', IPAddress: '', IPPrefixLen: 0, MacAddress: '',
      Networks: { [req.networkMode]: { NetworkID: req.networkMode } },
    };
    return {
      netnsPath: null, settings, hosts: hostsFile({ hostname: req.hostname }),
      resolvConf: req.networkMode === 'none' ? '' : resolvConf(host, {}), hostnameFile: `${req.hostname}\n`,
    };
  }

  async detach(containerId: string): Promise<void> {
    this.attached.delete(containerId);
  }

  async restore(containerId: string): Promise<void> {
    this.attached.add(containerId);
  }

  async rename(): Promise<void> { /* nothing shown */ }

  async connect(): Promise<NetworkSettings> {
    throw containerErrors.make('NOT_SUPPORTED', 'the fake network has no user-defined networks');
  }

  async disconnect(): Promise<NetworkSettings> {
    throw containerErrors.make('NOT_SUPPORTED', 'the fake network has no user-defined networks');
  }

  /** The built-ins only (bridge is known, though attach refuses it). */
  resolveNetwork(ref: string): NetworkRef {
    const name = ref === 'default' || ref === '' ? 'bridge' : ref;
    const driver = { bridge: 'bridge', host: 'host', none: 'null' }[name];
    if (driver === undefined) throw containerErrors.make('NOT_FOUND', `network ${ref} not found`);
    return { id: name, name, driver };
  }
}
