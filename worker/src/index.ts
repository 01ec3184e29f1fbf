export type * from './engine/api/engine-deps.js';
