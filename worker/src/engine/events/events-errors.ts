import { defineErrors } from '@shoal/common';

/** Errors of the event bus. */
export const eventsErrors = defineErrors('EVENTS', {
  INVALID_FILTER: { status: 400, doc: 'An /events filter key is unknown; use config, container, daemon, event, image, label, network, node, plugin, scope, secret, service, type or volume.' },
  BAD_TIME_RANGE: { status: 400, doc: 'The /events `since` time is after `until`.' },
});
