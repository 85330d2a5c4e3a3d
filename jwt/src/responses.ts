import type { ResponseDescription } from '@portcullis/core';

/** Headers of every answer that carries a token or a credential error (RFC 6749 §5.1, LEAK-09). */
export const NO_STORE: Readonly<Record<string, string>> = Object.freeze({ 'cache-control': 'no-store', pragma: 'no-cache' });

/** A JSON answer that must not be cached. */
export function json(status: number, body: unknown, headers: Readonly<Record<string, string | readonly string[]>> = {}): ResponseDescription {
  return Object.freeze({
    status,
    headers: Object.freeze({ 'content-type': 'application/json; charset=utf-8', ...NO_STORE, ...headers }),
    body: JSON.stringify(body),
  });
}

/** An empty answer that must not be cached (logout). */
export function empty(status: number, headers: Readonly<Record<string, string | readonly string[]>> = {}): ResponseDescription {
  return Object.freeze({ status, headers: Object.freeze({ ...NO_STORE, ...headers }), body: '' });
}
