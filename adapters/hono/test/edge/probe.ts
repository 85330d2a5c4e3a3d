// The `probe` entrypoint of every worker started by workerd.ts: what the runtime
// itself does (headers as received, atob, TextDecoder, PBKDF2), for the HW rows
// of the security catalogue (hw.test.ts). No adapter is involved.
import { WORKERS_MAX_PBKDF2_ITERATIONS, passwordPolicy, pbkdf2Hasher, pepperedHasher } from '@portcullis/core/hashing';
import { report, type ErrorReport, type Handler } from './scenario-worker.js';

const encoder = new TextEncoder();

function attempt<T>(run: () => T): { ok: true; value: T } | { ok: false; error: ErrorReport } {
  try {
    return { ok: true, value: run() };
  } catch (error) {
    return { ok: false, error: report(error) };
  }
}

async function attemptAsync<T>(run: () => Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: ErrorReport }> {
  try {
    return { ok: true, value: await run() };
  } catch (error) {
    return { ok: false, error: report(error) };
  }
}

/** PWD-05: the PBKDF2 hasher as constructed inside the runtime. */
async function pbkdf2Report(): Promise<unknown> {
  const byDefault = attempt(() => pbkdf2Hasher());
  const explicit = attempt(() => pbkdf2Hasher({ iterations: WORKERS_MAX_PBKDF2_ITERATIONS }));
  let hashed: unknown = null;
  if (explicit.ok) {
    const hasher = explicit.value;
    hashed = await attemptAsync(async () => {
      const hash = await hasher.hash('correct horse battery staple');
      return {
        hash,
        right: await hasher.verify('correct horse battery staple', hash),
        wrong: await hasher.verify('correct horse battery stapler', hash),
      };
    });
  }
  return {
    userAgent: navigator.userAgent,
    default: byDefault.ok ? { ok: true } : byDefault,
    explicit: explicit.ok ? { ok: true, hashed } : explicit,
  };
}

/** PWD-20 PWD-11: a peppered hash made inside the runtime, and the policy's answers there. */
async function pepperReport(pepper: string): Promise<unknown> {
  return attemptAsync(async () => {
    const inner = pbkdf2Hasher({ iterations: 1000 });
    const hasher = pepperedHasher({ inner, peppers: { edge: pepper }, current: 'edge' });
    const hash = await hasher.hash('p\u00e4ss:w\u00f6rd \u{1f511}');
    const policy = passwordPolicy({ hasher });
    return {
      hash,
      right: await hasher.verify('p\u00e4ss:w\u00f6rd \u{1f511}', hash),
      wrong: await hasher.verify('p\u00e4ss:w\u00f6rd', hash),
      policy: await Promise.all(['seven77', '\u{1f511}'.repeat(8), 'a'.repeat(1025)].map((p) => policy.check(p))),
    };
  });
}

/** What the runtime's own PBKDF2 does with `iterations` (the production cap is not enforced by workerd locally). */
async function deriveReport(iterations: number): Promise<unknown> {
  return attemptAsync(async () => {
    const key = await crypto.subtle.importKey('raw', encoder.encode('password'), 'PBKDF2', false, ['deriveBits']);
    const bits = await crypto.subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt: new Uint8Array(16), iterations }, key, 256);
    return bits.byteLength;
  });
}

/** LEAK-06: what the runtime's atob and TextDecoder do with a Basic token. */
function decodeReport(token: string): unknown {
  const decoded = attempt(() => atob(token));
  const bytes = decoded.ok ? Uint8Array.from(decoded.value, (ch) => ch.charCodeAt(0)) : null;
  return {
    atob: decoded.ok ? { ok: true, canonical: btoa(decoded.value) === token } : decoded,
    utf8Fatal: bytes === null ? null : attempt(() => new TextDecoder('utf-8', { fatal: true }).decode(bytes)),
    utf8Lenient: bytes === null ? null : new TextDecoder('utf-8').decode(bytes),
  };
}

/** Node's globals, as the worker sees them (no `nodejs_compat`). */
function globalsReport(): Record<string, string> {
  const g = globalThis as Record<string, unknown>;
  return Object.fromEntries(['Buffer', 'process', 'setImmediate', 'require', '__dirname'].map((name) => [name, typeof g[name]]));
}

/** What the runtime hands the worker for the request's credentials headers. */
function headersReport(request: Request): unknown {
  const authorization = request.headers.get('authorization');
  return {
    authorization: authorization !== null && authorization.length > 200 ? `${authorization.slice(0, 20)}…` : authorization,
    authorizationLength: authorization?.length ?? null,
    apiKey: request.headers.get('x-api-key'),
    cookie: request.headers.get('cookie'),
  };
}

export const probe = {
  async fetch(request) {
    const url = new URL(request.url);
    switch (url.pathname) {
      case '/headers':
        return Response.json(headersReport(request));
      case '/pbkdf2':
        return Response.json(await pbkdf2Report());
      case '/pepper':
        return Response.json(await pepperReport(url.searchParams.get('pepper') ?? ''));
      case '/derive':
        return Response.json(await deriveReport(Number(url.searchParams.get('iterations'))));
      case '/globals':
        return Response.json(globalsReport());
      case '/decode':
        return Response.json(decodeReport(url.searchParams.get('token') ?? ''));
      default:
        return new Response('no such probe', { status: 404 });
    }
  },
} satisfies Handler;
