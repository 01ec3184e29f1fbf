import { pino, type Logger, type LevelWithSilent } from 'pino';

export type { Logger } from 'pino';

/** Options for {@link createLogger}. */
export interface LoggerOptions {
  level?: LevelWithSilent;
  name?: string;
  /** Where to write; default stderr. */
  destination?: NodeJS.WritableStream;
}

/** The project's logger: pino, JSON lines, to stderr unless told otherwise. */
export function createLogger(opts: LoggerOptions = {}): Logger {
  const dest = opts.destination ?? pino.destination({ fd: 2, sync: false });
  return pino({ level: opts.level ?? 'info', name: opts.name, base: { pid: process.pid } }, dest);
}

/** A logger that writes nothing (tests). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
