export { createLogger, silentLogger } from './logger.js';
export type { Logger, LoggerOptions } from './logger.js';
