import type { ErrorRegistry } from '@shoal/common';
import { daemonErrors } from './daemon/daemon-errors.js';
import { apiErrors } from './engine/api/api-errors.js';
import { containerErrors } from './engine/containers/errors.js';
import { eventsErrors } from './engine/events/events-errors.js';
import { imageErrors } from './engine/images/image-errors.js';
import { networkErrors } from './engine/networks/network-errors.js';
import { runtimeErrors } from './engine/runtime/errors.js';
import { volumeErrors } from './engine/volumes/volume-errors.js';
import { swarmErrors } from './daemon/swarm/errors.js';

/** Every error registry of shoald (for docs/errors.md; a code defined twice is refused there). */
export const workerErrorRegistries: readonly ErrorRegistry[] = [
  daemonErrors, apiErrors, containerErrors, eventsErrors, imageErrors, networkErrors, runtimeErrors, volumeErrors, swarmErrors,
];
