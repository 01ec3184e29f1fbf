import type { Filters } from '@shoal/common';
import type { ContainerSummary } from '@shoal/common';
import type { EventSource } from '../engine/api/index.js';
import type { ImageUser } from '../engine/images/index.js';

/** The part of the containers engine the tracker reads. */
export interface ContainerLister {
  list(opts: { all?: boolean; filters?: Filters }): Promise<ContainerSummary[]>;
}

/**
 * Which images containers use, for `docker rmi` (ImageStore's synchronous
 * InUseCheck). Rebuilt from the container list at start and after every
 * container event; a running user is preferred over a stopped one.
 *
 * The container list is read asynchronously after the event, so an `rmi`
 * sent in the same instant as a container create may not see it yet. A
 * synchronous `imageUser(id)` on the container engine would close that
 * window (asked of the containers engineer).
 */
export class ImageUsage {
  readonly #containers: ContainerLister;
  #users = new Map<string, ImageUser>();

  constructor(containers: ContainerLister) {
    this.#containers = containers;
  }

  /** The InUseCheck for ImageStore.setInUseCheck. */
  readonly check = (imageId: string): ImageUser | undefined => this.#users.get(imageId);

  /** Re-read the container list. */
  async refresh(): Promise<void> {
    const all = await this.#containers.list({ all: true });
    const next = new Map<string, ImageUser>();
    for (const c of all) {
      const running = c.State === 'running' || c.State === 'paused' || c.State === 'restarting';
      const prev = next.get(c.ImageID);
      if (prev === undefined || (!prev.running && running)) next.set(c.ImageID, { containerId: c.Id, running });
    }
    this.#users = next;
  }

  /**
   * Follow container events until `signal` aborts (the daemon owns and
   * awaits this loop). A failed refresh is reported and the loop goes on.
   */
  async run(events: EventSource, signal: AbortSignal, onError: (err: unknown) => void): Promise<void> {
    for await (const _ev of events.subscribe({ filters: { type: ['container'] } }, signal)) {
      await this.refresh().catch(onError);
    }
  }
}
