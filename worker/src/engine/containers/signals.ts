/** Signal names and numbers as Docker accepts them. Pure. */
import { containerErrors } from './errors.js';

/** Linux signal numbers by name. */
export const STOP_SIGNALS: Record<string, number> = {
  SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGILL: 4, SIGTRAP: 5, SIGABRT: 6, SIGBUS: 7, SIGFPE: 8, SIGKILL: 9, SIGUSR1: 10,
  SIGSEGV: 11, SIGUSR2: 12, SIGPIPE: 13, SIGALRM: 14, SIGTERM: 15, SIGSTKFLT: 16, SIGCHLD: 17, SIGCONT: 18, SIGSTOP: 19,
  SIGTSTP: 20, SIGTTIN: 21, SIGTTOU: 22, SIGURG: 23, SIGXCPU: 24, SIGXFSZ: 25, SIGVTALRM: 26, SIGPROF: 27, SIGWINCH: 28,
  SIGIO: 29, SIGPWR: 30, SIGSYS: 31,
};

/** `TERM`, `sigterm`, `15` -> `SIGTERM` (crun accepts names). Throws 400 on unknown. */
export function normalizeSignal(sig: string): string {
  const s = sig.trim().toUpperCase();
  if (/^[0-9]+$/.test(s)) {
    const n = Number(s);
    const name = Object.entries(STOP_SIGNALS).find(([, v]) => v === n)?.[0];
    if (name === undefined) throw containerErrors.make('INVALID_CONFIG', `Invalid signal: ${sig}`);
    return name;
  }
  const name = s.startsWith('SIG') ? s : `SIG${s}`;
  if (STOP_SIGNALS[name] === undefined) throw containerErrors.make('INVALID_CONFIG', `Invalid signal: ${sig}`);
  return name;
}
