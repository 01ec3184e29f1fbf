export { parseDockerTimestamp, timestampMs } from './docker-timestamp.js';
export type { DockerTimestamp } from './docker-timestamp.js';
