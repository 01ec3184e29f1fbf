export { buildApp } from './build-app.js';
export { upgradeListener } from './hijack.js';
export type { ApiDeps } from './build-app.js';
export type { SystemFacts, SystemInfo } from './system-facts.js';
export { apiErrors } from './api-errors.js';
export { parseFilters } from './filters-param.js';
export { MAX_API_VERSION, MIN_API_VERSION, splitApiVersion, compareApiVersions } from './api-version.js';
export { NOT_SWARM_MANAGER_MESSAGE } from './unimplemented-plugin.js';
export type * from './engine-deps.js';
