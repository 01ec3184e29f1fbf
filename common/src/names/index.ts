export { generateName } from './generated-names.js';
