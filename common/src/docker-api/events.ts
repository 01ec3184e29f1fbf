/** An item of GET /events (Docker's events.Message). */
export interface EngineEvent {
  Type: 'container' | 'image' | 'network' | 'volume' | 'daemon' | 'plugin' | 'node' | 'service' | 'secret' | 'config';
  Action: string;
  Actor: { ID: string; Attributes: Record<string, string> };
  scope: 'local' | 'swarm';
  time: number;
  timeNano: number;
  /** Deprecated fields docker still fills for containers. */
  status?: string;
  id?: string;
  from?: string;
}

/**
 * An event as a subsystem reports it: the event bus stamps `time`,
 * `timeNano` and the default scope, and fills Docker's old fields
 * (`status`, `id`, `from`), so that they are made in one place.
 */
export type EngineEventInput = Omit<EngineEvent, 'time' | 'timeNano' | 'scope'> & { scope?: EngineEvent['scope'] };
