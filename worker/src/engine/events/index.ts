export { EventBus } from './event-bus.js';
export type { EventBusOptions, EventInput } from './event-bus.js';
export { eventMatches, validateEventFilters, stripTag, EVENT_FILTER_KEYS } from './event-filter.js';
export { eventsErrors } from './events-errors.js';
