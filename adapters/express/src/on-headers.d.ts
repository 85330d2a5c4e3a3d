// on-headers (a dependency of express-session, and of this package) ships no types.
declare module 'on-headers' {
  import type { ServerResponse } from 'node:http';
  /** Calls `listener` when `res` is about to write its headers; listeners added later run first. */
  function onHeaders(res: ServerResponse, listener: (this: ServerResponse) => void): void;
  export = onHeaders;
}
