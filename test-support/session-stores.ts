/**
 * A session store that tests can steer, for the adapter tests that pin down what
 * Portcullis relies on in express-session and koa-session: hold one `get` until the
 * test releases it (to put a logout between a request's read and its write), and
 * make `destroy` fail. Everything else is the in-memory store.
 */
import { MemorySessionStore, type SessionData } from '@portcullis/core';

export class SteerableSessionStore extends MemorySessionStore {
  #held: { entered: () => void; released: Promise<void> } | undefined;
  /** When true, `destroy` rejects, as a store that has gone away does. */
  failDestroy = false;

  /**
   * Holds the next `get` after it has read its answer: `entered` resolves when that
   * `get` has been called, and the `get` returns once `release()` is called.
   */
  holdNextGet(): { entered: Promise<void>; release: () => void } {
    let entered!: () => void;
    let release!: () => void;
    const enteredPromise = new Promise<void>((resolve) => (entered = resolve));
    const released = new Promise<void>((resolve) => (release = resolve));
    this.#held = { entered, released };
    return { entered: enteredPromise, release };
  }

  override async get(id: string): Promise<SessionData | undefined> {
    const data = await super.get(id);
    const held = this.#held;
    if (held !== undefined) {
      this.#held = undefined;
      held.entered();
      await held.released;
    }
    return data;
  }

  override async destroy(id: string): Promise<void> {
    if (this.failDestroy) throw new Error('store unavailable');
    return super.destroy(id);
  }
}
