export { readJsonFileLog } from './json-file-reader.js';
export type { JsonFileReadOptions } from './json-file-reader.js';
export { parseLogLine, parseRfc3339Nano, formatTimestamp, secondsToNs } from './log-entry.js';
export type { LogEntry } from './log-entry.js';
export { logFilesOldestFirst } from './log-files.js';
