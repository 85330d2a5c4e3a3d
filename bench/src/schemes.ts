import type { Credentials } from './config.js';
import { greeting } from './apps.js';
import {
  PASSWORD,
  TOKEN,
  USER,
  WRONG_PASSWORD,
  WRONG_TOKEN,
  basicHeader,
  jwtColdPool,
  jwtForged,
  jwtHot,
  poolSubject,
} from './credentials.js';

/**
 * What each scheme sends under load, and the probes that prove a configuration
 * accepts the valid credential (200, the user's name in the body) and refuses a wrong
 * one and a missing one (401) before it is measured.
 */

const NONE = {};

export function basicCredentials(name: string = USER): Credentials {
  const valid = { authorization: basicHeader(USER, PASSWORD) };
  return {
    wire: { headers: valid },
    probes: [
      { label: 'valid Basic', headers: valid, status: 200, body: greeting(name) },
      { label: 'wrong password', headers: { authorization: basicHeader(USER, WRONG_PASSWORD) }, status: 401 },
      { label: 'no credentials', headers: NONE, status: 401 },
    ],
  };
}

export function tokenCredentials(): Credentials {
  const valid = { authorization: `Token ${TOKEN}` };
  return {
    wire: { headers: valid },
    probes: [
      { label: 'valid token', headers: valid, status: 200, body: greeting(USER) },
      { label: 'unknown token', headers: { authorization: `Token ${WRONG_TOKEN}` }, status: 401 },
      { label: 'no credentials', headers: NONE, status: 401 },
    ],
  };
}

/** Hot: one token reused. Cold: the pool of distinct tokens, one per request, round robin. */
export function jwtCredentials(path: 'hot' | 'cold'): Credentials {
  const refused = [
    { label: 'token signed with another key', headers: { authorization: `Bearer ${jwtForged()}` }, status: 401 },
    { label: 'no credentials', headers: NONE, status: 401 },
  ];
  if (path === 'hot') {
    const valid = { authorization: `Bearer ${jwtHot()}` };
    return { wire: { headers: valid }, probes: [{ label: 'valid JWT', headers: valid, status: 200, body: greeting(USER) }, ...refused] };
  }
  const pool = jwtColdPool();
  const samples = [0, 1, 2, Math.floor(pool.length / 2), pool.length - 1];
  return {
    wire: { headers: NONE, pool: { header: 'authorization', name: 'jwt-cold', prefix: 'Bearer ' } },
    probes: [
      ...samples.map((i) => ({
        label: `pool JWT #${i}`,
        headers: { authorization: `Bearer ${pool[i] as string}` },
        status: 200,
        body: greeting(poolSubject(i)),
      })),
      ...refused,
    ],
  };
}

/** Bare servers answer every request; their probe only proves they are up. */
export function bareCredentials(): Credentials {
  return { wire: { headers: NONE }, probes: [{ label: 'bare', headers: NONE, status: 200, body: greeting(USER) }] };
}
