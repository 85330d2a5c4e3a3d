import { ANONYMOUS, NO_CREDENTIALS } from '@portcullis/core';

/** A socket nobody authenticated: the anonymous user with no scopes (guards fail closed). */
export const ANONYMOUS_PRINCIPAL = Object.freeze({ user: ANONYMOUS, auth: NO_CREDENTIALS });
