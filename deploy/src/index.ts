/** @shoal/deploy: the one-machine lab (`labUp`, `labDown`, `readLab`). */
export { labUp, labDown, readLab, api } from './lab.js';
export type { Lab, LabHost, LabOptions } from './lab.js';
