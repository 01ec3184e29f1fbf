export { TASK_STATES, stateRank, before, hasEnded, STATE_MESSAGES } from './task-states.js';
