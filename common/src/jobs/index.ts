export { JobGroup } from './job-group.js';
export type { JobGroupOptions } from './job-group.js';
