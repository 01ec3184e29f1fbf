/**
 * The daemon as a list of subsystems with one lifecycle shape: each is
 * started (opened) in order and is something that can be closed; closing
 * the daemon closes them in reverse order, each once, a failure logged and
 * the next one closed all the same. A subsystem whose start fails cleans
 * up its own half; the ones started before it are closed by the caller's
 * closeAll().
 */
import type { Logger } from '@shoal/common';

/** What every started part of the daemon is. */
export interface Subsystem {
  close(): Promise<void>;
}

/** The subsystems started so far, closed in reverse. */
export class SubsystemStack {
  readonly #log: Logger;
  readonly #started: Array<{ name: string; sub: Subsystem }> = [];

  constructor(log: Logger) {
    this.#log = log;
  }

  /** Start subsystem `name`; once started it is closed by closeAll(). */
  async start<T extends Subsystem>(name: string, open: () => Promise<T>): Promise<T> {
    const sub = await open();
    this.#started.push({ name, sub });
    return sub;
  }

  /** Names in start order (for logs and tests). */
  get names(): string[] {
    return this.#started.map((s) => s.name);
  }

  /** Close every started subsystem, last first. Idempotent. */
  async closeAll(): Promise<void> {
    for (const { name, sub } of this.#started.splice(0).reverse()) {
      await sub.close().catch((err: unknown) => { this.#log.error({ err, subsystem: name }, 'shutdown step failed'); });
    }
  }
}

/** A subsystem from a close function (a lock to release, a listener to close). */
export function closer(close: () => Promise<void>): Subsystem {
  return { close };
}
