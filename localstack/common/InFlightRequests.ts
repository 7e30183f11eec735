/**
 * The requests an emulator has received and not finished with: still waiting for injected latency or a late landing,
 * being processed, or answered already and waiting to be processed (answer now, process later). `settled()` is the
 * "once everything has landed" point a test can wait for.
 */
export class InFlightRequests {
  readonly #running = new Set<Promise<void>>();

  /**
   * Tracks one request's handling from arrival until it has been processed (or dropped) and recorded. A rejection is
   * the caller's to handle; here it only ends the tracking.
   */
  track(handling: Promise<void>): void {
    const tracked: Promise<void> = handling.catch(() => undefined).finally(() => this.#running.delete(tracked));
    this.#running.add(tracked);
  }

  get size(): number {
    return this.#running.size;
  }

  /** Resolves once every request received so far, and every one received meanwhile, has been processed or dropped. */
  async settled(): Promise<void> {
    while (this.#running.size > 0) {
      await Promise.allSettled([...this.#running]);
    }
  }
}
