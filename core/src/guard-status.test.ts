import { describe, expect, expectTypeOf, it } from 'vitest';
import { conn, configError } from '../../test-support/connection.js';
import { AuthCredentials } from './credentials.js';
import { createGuard, type RequiresOptions } from './guard.js';
import { isDenialStatus, reasonPhrase, responseFor, type DenialStatus } from './response.js';
import { ANONYMOUS } from './user.js';

// `requires(scopes, { status })`: one list in the status table (response.ts) is both
// the type `DenialStatus` and the startup check. These tests pin that list and check
// that the type and the runtime agree on every three-digit status.

/** The registered 4xx client errors (RFC 9110, IANA; 418 from RFC 2324). */
const EXPECTED = [
  400, 401, 402, 403, 404, 405, 406, 407, 408, 409, 410, 411, 412, 413, 414, 415, 416, 417, 418, 421, 422, 423,
  424, 425, 426, 428, 429, 431, 451,
] as const;

const anonymous = { user: ANONYMOUS, auth: new AuthCredentials(), challenges: [] };

describe('requires status: DenialStatus, one list for the type and the runtime', () => {
  it('the type is exactly the registered 4xx statuses', () => {
    expectTypeOf<DenialStatus>().toEqualTypeOf<(typeof EXPECTED)[number]>();
    expectTypeOf<RequiresOptions['status']>().toEqualTypeOf<DenialStatus | undefined>();
    expectTypeOf<404>().toExtend<DenialStatus>();
    expectTypeOf<302>().not.toExtend<DenialStatus>();
    expectTypeOf<499>().not.toExtend<DenialStatus>();
    expectTypeOf<number>().not.toExtend<DenialStatus>();
  });

  it('a redirect or success status does not compile, and throws a ConfigurationError at startup', () => {
    // @ts-expect-error -- 302 is not a DenialStatus: use `redirect` to send browsers elsewhere
    configError(() => createGuard('admin', { status: 302 }));
    // @ts-expect-error -- 200 is not a DenialStatus
    configError(() => createGuard('admin', { status: 200 }));
    // @ts-expect-error -- a 5xx is not a guard's denial
    configError(() => createGuard('admin', { status: 500 }));
    // @ts-expect-error -- 499 is not a registered status
    configError(() => createGuard('admin', { status: 499 }));
  });

  it('the runtime accepts exactly the typed statuses, from 100 to 599', () => {
    const accepted: number[] = [];
    for (let status = 100; status < 600; status++) {
      let ok = true;
      try {
        createGuard('admin', { status: status as DenialStatus });
      } catch {
        ok = false;
      }
      if (ok) accepted.push(status);
      expect(isDenialStatus(status), String(status)).toBe(ok);
    }
    expect(accepted).toEqual([...EXPECTED]);
    for (const value of ['404', 404.5, Number.NaN, null, {}]) expect(isDenialStatus(value)).toBe(false);
  });

  it('every denial status is answered as given, with its reason phrase', () => {
    for (const status of EXPECTED) {
      expect(reasonPhrase(status), String(status)).not.toBe('Error');
      const r = createGuard('admin', { status }).check(conn(), anonymous);
      const expected = responseFor({ kind: 'denied', status, anonymous: true }, conn(), []);
      expect(r).toEqual(expected);
      expect(r?.status).toBe(status);
      if (status !== 404) expect(r?.body).toBe(reasonPhrase(status));
    }
  });
});
