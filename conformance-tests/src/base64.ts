// Base64 on Web APIs (btoa/atob over bytes), not Node's `Buffer`: the scenario
// modules also run inside workerd (adapters/hono/test/edge), which has no
// `Buffer`, and the worker bundle refuses test-side code that uses it.

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Standard base64, padded; strings are encoded as UTF-8 (`Buffer.from(data).toString('base64')`). */
export function base64(data: Uint8Array | string): string {
  const bytes = typeof data === 'string' ? encoder.encode(data) : data;
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/** Base64url, unpadded (`Buffer.from(data).toString('base64url')`). */
export function base64url(data: Uint8Array | string): string {
  return base64(data).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** The UTF-8 text of a base64url string (`Buffer.from(text, 'base64url').toString()`). */
export function fromBase64url(text: string): string {
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  return decoder.decode(Uint8Array.from(binary, (ch) => ch.charCodeAt(0)));
}
