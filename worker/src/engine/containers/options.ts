/** Options of the container verbs that the API and the engine share (owned here, by the engine). */

/** Options of GET /containers/{id}/logs. Times are unix seconds (fractional allowed). */
export interface LogsOptions {
  follow?: boolean;
  stdout?: boolean;
  stderr?: boolean;
  since?: number;
  until?: number;
  timestamps?: boolean;
  /** Number of lines from the end, or undefined for all. */
  tail?: number;
}

/** Options of POST /containers/{id}/attach. */
export interface AttachOptions {
  stream?: boolean;
  stdin?: boolean;
  stdout?: boolean;
  stderr?: boolean;
  logs?: boolean;
  detachKeys?: string;
  /** Send output unframed even without a tty (websocket attach, as Docker). */
  raw?: boolean;
}
