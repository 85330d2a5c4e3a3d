import type { NextFunction, Request, Response } from 'express';
import type { Connection, ResponseDescription } from '@portcullis/core';
import { addressingOf, fixedResponse, requestStates, type TrustedProxies } from '@portcullis/core/adapter';
import { connectionFromNode } from '@portcullis/node';
import { requestSessions } from './request-sessions.js';

/**
 * Builds the `Connection` of an Express request (with its session port when
 * `sessions()` runs in front; its client address resolved through
 * `trustedProxies`, the authenticator's, when given). Called in a route (a login form, a token endpoint) without `trustedProxies`, it resolves
 * the client address as the authentication middleware did for the same request (its
 * `trustedProxies`), so a login throttle keys on the client, not on the proxy.
 *
 * @example
 * ```ts
 * const connection = toConnection(req, Date.now);
 * ```
 */
export function toConnection(req: Request, now: () => number, trustedProxies?: TrustedProxies): Connection {
  const proxies = trustedProxies ?? addressingOf(states.connection(req))?.trustedProxies;
  return connectionFromNode(req, req.originalUrl, now, undefined, requestSessions.get(req)?.port, proxies);
}

/** Keys that are on an object only within {@link toDictionaryMode}. */
const FIRST = Symbol('portcullis.first');
const SECOND = Symbol('portcullis.second');

/**
 * Turns Express's `req` (or `res`) into a dictionary-mode object, with nothing observable
 * changed (two keys of this module added and deleted again). Express re-prototypes every
 * request and response (`Object.setPrototypeOf(req, app.request)`), and V8 keeps no
 * transitions from such a map: each property added afterwards copies the object's map and
 * descriptor array (`JSObject::MigrateToMap`, several thousand instructions), and every
 * request ends with a map of its own, so every load and store on it misses its inline
 * cache and goes through the runtime (issue #17). Deleting a property that is not the last
 * one added makes V8 normalise the object: from then on a new property is a hash insert
 * and the dictionary map is shared by every request, so the loads and stores that follow
 * (ours: `method`, `originalUrl`, `rawHeaders`, `socket`, `user`, `auth`; and Express's
 * own) hit their caches. An object already in dictionary mode costs two inserts and
 * two deletions. A request that refuses them (non-extensible, or a Proxy whose traps
 * refuse) is left as it is: it answers as before, without the speed-up.
 */
export function toDictionaryMode(target: object): void {
  const t = target as Record<symbol, unknown>;
  try {
    // Deleting a key that is not there changes nothing, and throws (strict mode) where a
    // Proxy's trap refuses deletions: such a request is left as it is before anything is added.
    delete t[FIRST];
    t[FIRST] = undefined;
    t[SECOND] = undefined;
    delete t[FIRST];
    delete t[SECOND];
  } catch {
    // A non-extensible request (the first store threw: nothing was added), or a Proxy whose
    // traps refuse: only the speed-up is lost.
  }
}

/**
 * What `authentication()` remembered per request for the guards and `toConnection`. In a
 * `WeakMap`: Express re-prototypes every `req`, so each property added to it (a private
 * field too) migrates it to a new map, about 5,000 instructions (issue #17).
 */
export const states = requestStates<Request>({ storage: 'weakMap' });

/**
 * Copies a response description onto Express's response. A `notFound` answer
 * leaves the route (`next('route')`) so the app's own 404 answers, exactly as it
 * does for a path that does not exist.
 *
 * @example
 * ```ts
 * sendDescription(req, res, next, describeSessionError(error, toConnection(req, Date.now)));
 * ```
 */
export function sendDescription(req: Request, res: Response, next: NextFunction, response: ResponseDescription): void {
  if (response.notFound && req.route !== undefined) return next('route');
  if (res.headersSent) return;
  try {
    write(res, response.notFound ? NOT_FOUND : response);
  } catch {
    // A header value a custom hook produced was not sendable: answer without it.
    write(res, UNSENDABLE);
  }
}

/** Outside a route there is no framework 404 to defer to: the table's own. */
const NOT_FOUND = fixedResponse({ kind: 'not_found' });
const UNSENDABLE = fixedResponse({ kind: 'unsendable' });

function write(res: Response, response: ResponseDescription): void {
  res.status(response.status);
  for (const [name, value] of Object.entries(response.headers)) res.setHeader(name, value as string | string[]);
  res.end(response.body);
}
