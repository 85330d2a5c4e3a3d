import { describe, expect, it, vi } from 'vitest';
import { conn } from '../../test-support/connection.js';
import { ConfigurationError } from './errors.js';
import { loginFlights } from './login-flights.js';

const from = (address: string) => conn({ method: 'POST', target: '/login', peerAddress: address });
const later = <T>(value: T) => new Promise<T>((resolve) => setTimeout(() => resolve(value), 2));

describe('loginFlights', () => {
  it('runs identical concurrent checks once, shares the value, and forgets the flight when it settles', async () => {
    const flights = loginFlights();
    let runs = 0;
    const check = () => (runs++, later({ user: 'alice' }));
    const all = Array.from({ length: 5 }, () => flights.run('alice', 'pw', from('192.0.2.1'), check));
    expect(flights.size).toBe(1);
    const results = await Promise.all(all);
    expect(runs).toBe(1);
    expect(new Set(results).size).toBe(1);
    expect(flights.size).toBe(0);
    await flights.run('alice', 'pw', from('192.0.2.1'), check);
    expect(runs).toBe(2);
  });

  it('shares a rejection with every caller, and keeps no entry after it', async () => {
    const flights = loginFlights();
    const error = new Error('down');
    const all = Array.from({ length: 3 }, () => flights.run('alice', 'pw', from('192.0.2.1'), () => later(0).then(() => Promise.reject(error))));
    const settled = await Promise.allSettled(all);
    expect(settled.every((s) => s.status === 'rejected' && s.reason === error)).toBe(true);
    expect(flights.size).toBe(0);
  });

  it('a check that throws at once leaves no stale entry: the next call runs again', async () => {
    const flights = loginFlights();
    let runs = 0;
    const throwing = (): Promise<never> => {
      runs++;
      throw new Error('sync');
    };
    await expect(flights.run('alice', 'pw', undefined, throwing)).rejects.toThrow('sync');
    await expect(flights.run('alice', 'pw', undefined, throwing)).rejects.toThrow('sync');
    expect(runs).toBe(2);
    expect(flights.size).toBe(0);
  });

  it('keys on username, password and the throttle address: no flight is shared across any of them', async () => {
    const flights = loginFlights();
    let runs = 0;
    const check = () => (runs++, later(null));
    await Promise.all([
      flights.run('alice', 'pw', from('192.0.2.1'), check),
      flights.run('alice', 'pw', from('192.0.2.2'), check),
      flights.run('alice', 'pw2', from('192.0.2.1'), check),
      flights.run('Alice', 'pw', from('192.0.2.1'), check),
      // ("ab", "c") and ("a", "bc") never share a key.
      flights.run('ab', 'c', from('192.0.2.1'), check),
      flights.run('a', 'bc', from('192.0.2.1'), check),
      // No connection, and a connection without an address, are two more.
      flights.run('alice', 'pw', undefined, check),
      flights.run('alice', 'pw', conn({ method: 'POST', target: '/login' }), check),
    ]);
    expect(runs).toBe(8);
    // Two hosts of one IPv6 /64 are one address to the throttle, and one flight.
    await Promise.all([flights.run('alice', 'pw', from('2001:db8::1'), check), flights.run('alice', 'pw', from('2001:db8::2'), check)]);
    expect(runs).toBe(9);
  });

  it('each instance has its own key: two backends never share a flight', async () => {
    const [one, two] = [loginFlights(), loginFlights()];
    let runs = 0;
    const check = () => (runs++, later(null));
    await Promise.all([one.run('alice', 'pw', undefined, check), two.run('alice', 'pw', undefined, check)]);
    expect(runs).toBe(2);
  });

  it('THR-14 a flight older than maxAgeMs is not joined: a check that never settles pins nothing (fake timers)', async () => {
    vi.useFakeTimers();
    try {
      const flights = loginFlights();
      let runs = 0;
      const hung = () => (runs++, new Promise<never>(() => {})); // a stalled lookup: never settles
      void flights.run('alice', 'pw', from('192.0.2.1'), hung);
      void flights.run('alice', 'pw', from('192.0.2.1'), hung); // joins: younger than 10 s
      await vi.advanceTimersByTimeAsync(0);
      expect(runs).toBe(1);
      await vi.advanceTimersByTimeAsync(10_000);
      // The store recovered: the owner's retry runs its own check and gets its answer.
      await expect(flights.run('alice', 'pw', from('192.0.2.1'), () => (runs++, Promise.resolve('ok')))).resolves.toBe('ok');
      expect(runs).toBe(2);
      expect(flights.size).toBe(0); // the fresh flight replaced the hung one's entry, then removed its own
    } finally {
      vi.useRealTimers();
    }
  });

  it('a replaced flight that settles late does not remove its successor; maxAgeMs and clock are validated', async () => {
    let now = 0;
    const flights = loginFlights({ maxAgeMs: 100, clock: () => now });
    let release!: () => void;
    const first = flights.run('alice', 'pw', undefined, () => new Promise<void>((resolve) => (release = resolve)));
    await Promise.resolve();
    now = 100;
    let runs = 0;
    let finish!: () => void;
    const second = flights.run('alice', 'pw', undefined, () => (runs++, new Promise<void>((resolve) => (finish = resolve))));
    release();
    await first;
    const third = flights.run('alice', 'pw', undefined, () => (runs++, Promise.resolve()));
    expect([runs, flights.size, third === second]).toEqual([1, 1, true]);
    finish();
    await second;
    expect(flights.size).toBe(0);
    expect(() => loginFlights({ maxAgeMs: -1 })).toThrow(ConfigurationError);
    expect(() => loginFlights({ maxAgeMs: Number.NaN })).toThrow(ConfigurationError);
    expect(() => loginFlights({ clock: 5 as unknown as () => number })).toThrow(ConfigurationError);
  });

  it('a lone surrogate never shares a flight (it would share U+FFFD\'s key): each such call runs its own check', async () => {
    const flights = loginFlights();
    let runs = 0;
    const check = () => (runs++, later(null));
    await Promise.all([
      flights.run('bob\uD800', 'pw', undefined, check),
      flights.run('bob\uFFFD', 'pw', undefined, check),
      flights.run('bob', 'p\uDC00', undefined, check),
      flights.run('bob', 'p\uFFFD', undefined, check),
      flights.run('bob', 'p\uD800', undefined, check),
      flights.run('bob', 'p\uD800', undefined, check),
    ]);
    expect(runs).toBe(6);
    // A well-formed pair (an emoji) still coalesces.
    await Promise.all([flights.run('bob', 'p\u{1F600}', undefined, check), flights.run('bob', 'p\u{1F600}', undefined, check)]);
    expect(runs).toBe(7);
  });
});
