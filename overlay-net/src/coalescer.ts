/**
 * Runs an idempotent "bring the outside world to the current state" task
 * (apply the nft table, write a state file) so that it never runs twice at
 * once and callers that ask while it runs share the next run: N quick
 * changes cost at most two runs. The task reads the current state when it
 * starts, so every change made before `run()` is covered by the promise it
 * returns.
 */
export class Coalescer {
  #task: () => Promise<void>;
  #chain: Promise<void> = Promise.resolve();
  #pending: Promise<void> | null = null;

  constructor(task: () => Promise<void>) {
    this.#task = task;
  }

  /** Resolves after a run that started after this call; rejects with that run's error. */
  run(): Promise<void> {
    if (this.#pending !== null) return this.#pending;
    const p = this.#chain.then(() => {
      this.#pending = null;
      return this.#task();
    });
    this.#pending = p;
    this.#chain = p.catch(() => undefined);
    return p;
  }
}
