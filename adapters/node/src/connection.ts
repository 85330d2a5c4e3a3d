import type { IncomingMessage } from 'node:http';
import { createConnection, type Connection } from '@portcullis/core';

const NONE: readonly string[] = Object.freeze([]);

/**
 * Every `Authorization` field line of a Node request. Node keeps only the first
 * in `req.headers`; `rawHeaders` still has them all, so duplicates are caught.
 */
export function authorizationLines(req: IncomingMessage): readonly string[] {
  const raw = req.rawHeaders;
  let found: string[] | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] as string;
    if (name.length === 13 && name.toLowerCase() === 'authorization') (found ??= []).push(raw[i + 1] as string);
  }
  return found ?? NONE;
}

/**
 * Builds a `Connection` from a Node request. `target` is the path and query the
 * app was asked for (Express's `req.originalUrl`, Koa's `ctx.originalUrl`).
 */
export function connectionFromNode(
  req: IncomingMessage,
  target: string,
  now: () => number,
  kind?: 'http' | 'websocket',
): Connection {
  const headers = req.headers;
  return createConnection({
    kind,
    method: req.method ?? 'GET',
    target,
    header(name) {
      const value = headers[name];
      return Array.isArray(value) ? value.join(', ') : value;
    },
    authorization: authorizationLines(req),
    now,
  });
}
