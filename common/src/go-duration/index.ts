export { parseGoDuration } from './go-duration.js';
