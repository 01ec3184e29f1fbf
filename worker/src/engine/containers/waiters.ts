/**
 * Who waits on a container: `docker wait` (next exit, or removal) and
 * attach connections made before the start (`docker run` attaches, then
 * starts). One per container, held by the manager's in-memory state.
 */
import type { ContainerWaitResponse } from '@shoal/common';
import type { PendingAttach } from './start-sequence.js';

type Waiter = (r: ContainerWaitResponse) => void;

/** The waiters of one container. */
export class Waiters {
  readonly #exit: Waiter[] = [];
  readonly #removed: Waiter[] = [];
  readonly #attach: PendingAttach[] = [];

  /**
   * Resolves at the next exit (`next-exit`, `not-running`) or at removal
   * (`removed`); registered before this returns, so an exit right after is
   * seen. An abort rejects and unregisters.
   */
  wait(condition: 'not-running' | 'next-exit' | 'removed', signal?: AbortSignal): Promise<ContainerWaitResponse> {
    const list = condition === 'removed' ? this.#removed : this.#exit;
    return new Promise<ContainerWaitResponse>((resolve, reject) => {
      const fn: Waiter = (r) => {
        signal?.removeEventListener('abort', onAbort);
        resolve(r);
      };
      const onAbort = (): void => {
        const i = list.indexOf(fn);
        if (i >= 0) list.splice(i, 1);
        reject(signal?.reason instanceof Error ? signal.reason : new Error('aborted'));
      };
      list.push(fn);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** The container exited: every exit waiter gets `r`. */
  exited(r: ContainerWaitResponse): void {
    for (const w of this.#exit.splice(0)) w(r);
  }

  /** The container is gone: every waiter gets `r`. */
  removed(r: ContainerWaitResponse): void {
    this.exited(r);
    for (const w of this.#removed.splice(0)) w(r);
  }

  /** Hold an attach connection until the next start (or until the client hangs up). */
  attachAtStart(p: Omit<PendingAttach, 'resolve'>): Promise<void> {
    return new Promise<void>((resolve) => {
      this.#attach.push({ ...p, resolve });
      p.conn.once('close', () => {
        const i = this.#attach.findIndex((w) => w.conn === p.conn);
        if (i >= 0) {
          this.#attach.splice(i, 1);
          resolve();
        }
      });
    });
  }

  /** The attach connections waiting for this start, handed over. */
  takeAttaches(): PendingAttach[] {
    return this.#attach.splice(0);
  }

  /** The start failed or the daemon stops: waiting attach connections are closed. */
  dropAttaches(): void {
    for (const w of this.#attach.splice(0)) {
      w.conn.destroy();
      w.resolve();
    }
  }
}
