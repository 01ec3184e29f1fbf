/** Exponential reconnect backoff: initial, doubling, capped; reset on success. Pure. */
export class Backoff {
  readonly #initialMs: number;
  readonly #maxMs: number;
  #next: number;

  constructor(initialMs: number, maxMs: number) {
    this.#initialMs = initialMs;
    this.#maxMs = maxMs;
    this.#next = initialMs;
  }

  /** The delay to wait now; the following one doubles (up to the cap). */
  next(): number {
    const d = this.#next;
    this.#next = Math.min(this.#maxMs, this.#next * 2);
    return d;
  }

  reset(): void {
    this.#next = this.#initialMs;
  }
}
