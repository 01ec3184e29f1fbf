export type * from './filters.js';
export type * from './containers.js';
export type * from './images.js';
export type * from './networks.js';
export type * from './events.js';
export type * from './volumes.js';
export type * from './swarm.js';
