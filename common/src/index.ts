export * from './errors/index.js';
export * from './tool/index.js';
export * from './log/index.js';
export * from './clock/index.js';
export * from './docker-api/index.js';
export * from './image-ref/index.js';
export * from './config/index.js';
export * from './stdcopy/index.js';
export * from './atomic-file/index.js';
export * from './go-duration/index.js';
export { commonErrorRegistries } from './error-registries.js';
export * from './docker-time/index.js';
export * from './dir-size/index.js';
export * from './ipam/index.js';
export * from './jobs/index.js';
export * from './names/index.js';
export * from './swarm/index.js';
/** The cluster protocol's messages and services (names such as Task clash with the Engine API's, hence the namespace). */
export * as cluster from './proto/index.js';
