export { dirSize } from './dir-size.js';
