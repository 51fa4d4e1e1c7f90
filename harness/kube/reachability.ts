// Whether the API server has answered lately. Once a request has spent its whole retry budget
// without reaching the server, later requests are tried once until one gets through again: a dead
// server costs one backoff, not one per request (a suite makes hundreds, minutes of backoff each
// scenario), and a server that comes back is used again at once.
import { isUnreachable, KubeApiError } from './errors.ts';

export class ApiReachability {
  #lostAt: Date | undefined;

  /** Retries to allow the next request: none while the server is known to be unreachable. */
  retries(budget: number): number {
    return this.#lostAt ? 0 : budget;
  }

  /** The server answered (any HTTP status counts). */
  answered(): void {
    this.#lostAt = undefined;
  }

  /** A request gave up; if the server was never reached, later requests are tried once. */
  gaveUp(err: unknown, triedOnce: boolean): unknown {
    if (!isUnreachable(err)) return err;
    if (!this.#lostAt) {
      this.#lostAt = new Date();
      return err;
    }
    if (!triedOnce || !(err instanceof KubeApiError)) return err;
    return err.withNote(`the API server has not been reachable since ${this.#lostAt.toISOString().slice(11, 19)} UTC, so this request was tried once`);
  }
}
