import { describe, expect, it } from 'vitest';
import { generateSessionId, isSessionId } from './id.js';

describe('session ids', () => {
  it('SES-10 100,000 ids are unique, 43 base64url characters (256 bits from the CSPRNG)', () => {
    const ids = new Set<string>();
    for (let i = 0; i < 100_000; i++) ids.add(generateSessionId());
    expect(ids.size).toBe(100_000);
    for (const id of [...ids].slice(0, 1000)) expect(id).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // 43 base64url characters carry 258 bits, of which 256 are random: well over 128.
    expect(Buffer.from([...ids][0] as string, 'base64url')).toHaveLength(32);
  });

  it('isSessionId accepts only that shape', () => {
    expect(isSessionId(generateSessionId())).toBe(true);
    for (const bad of ['attacker-chosen', '', 'a'.repeat(42), 'a'.repeat(44), `${'a'.repeat(42)}=`, `${'a'.repeat(42)}.`, 42, null]) {
      expect(isSessionId(bad)).toBe(false);
    }
  });
});
