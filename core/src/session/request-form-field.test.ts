// requestFormField: the CSRF field of a Web Request's urlencoded body, read capped
// (Hono and Fetch adapters): linear and bounded whatever the client sends.
import { describe, expect, it } from 'vitest';
import { requestFormField } from './csrf.js';

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

function streamed(chunks: Iterable<Uint8Array>, counter: { pulled: number }): ReadableStream<Uint8Array> {
  const iterator = chunks[Symbol.iterator]();
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      const next = iterator.next();
      if (next.done) return controller.close();
      counter.pulled += next.value.byteLength;
      controller.enqueue(next.value);
    },
  });
}

function post(body: BodyInit, headers: Record<string, string> = FORM): Request {
  return new Request('http://app.example/form', { method: 'POST', headers, body, duplex: 'half' } as RequestInit);
}

describe('requestFormField', () => {
  it('reads the field from a urlencoded body, and leaves the body to the handler', async () => {
    const request = post('a=1&_csrf=tok%20en');
    expect(await requestFormField(request, '_csrf')).toBe('tok en');
    expect(await request.text()).toBe('a=1&_csrf=tok%20en');
  });

  it('other media types, and a Content-Length over 16 KiB, are not read', async () => {
    expect(await requestFormField(post('_csrf=t', { 'content-type': 'text/plain' }), '_csrf')).toBeUndefined();
    expect(await requestFormField(post('_csrf=t', { ...FORM, 'content-length': String(16 * 1024 + 1) }), '_csrf')).toBeUndefined();
  });

  it('an endless body without Content-Length: read to 16 KiB and left there, never buffered whole', async () => {
    const counter = { pulled: 0 };
    const chunk = new TextEncoder().encode('a='.padEnd(4096, 'x'));
    const endless = { *[Symbol.iterator]() { for (;;) yield chunk; } };
    expect(await requestFormField(post(streamed(endless, counter)), '_csrf')).toBeUndefined();
    expect(counter.pulled).toBeLessThanOrEqual(16 * 1024 + 4 * chunk.byteLength);
  });

  it('a body that fails mid-way (the client went away) reads as no field, not an error', async () => {
    const failing = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('_csrf=t&'));
        controller.error(new Error('aborted'));
      },
    });
    expect(await requestFormField(post(failing), '_csrf')).toBeUndefined();
  });
});
