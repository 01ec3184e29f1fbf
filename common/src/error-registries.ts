import { commonErrors } from './errors/index.js';
import { imageRefErrors } from './image-ref/index.js';
import { ipamErrors } from './ipam/index.js';
import type { ErrorRegistry } from './errors/index.js';

/** The error registries of @shoal/common's main entry (the CLI's is `cliErrors` of `@shoal/cli`). */
export const commonErrorRegistries: readonly ErrorRegistry[] = [commonErrors, imageRefErrors, ipamErrors];
