export * from './errors/index.js';
export * from './tool/index.js';
export * from './log/index.js';
export * from './clock/index.js';
export * from './docker-api/index.js';
export * from './image-ref/index.js';
export * from './config/index.js';
export * from './stdcopy/index.js';
