import type { Connection } from './connection.js';
import { NO_CREDENTIALS, type AuthCredentials } from './credentials.js';
import type { Guard } from './guard.js';
import type { ResponseDescription } from './response.js';
import { ANONYMOUS, type BaseUser } from './user.js';

const NO_CHALLENGES: readonly string[] = Object.freeze([]);

interface State {
  readonly connection: Connection;
  readonly challenges: readonly string[];
}

/**
 * What guards need from the authentication step, remembered per native request
 * object (Express `req`, Koa `ctx`, Hono `c`) so an adapter's guard reuses the
 * request's `Connection` and the backend's challenges.
 */
export interface RequestStates<K extends object> {
  /** Called by the authentication middleware once a request may continue. */
  remember(key: K, connection: Connection, challenges: readonly string[]): void;
  /**
   * Runs a guard for the request. Without a remembered state (no authentication
   * middleware in front), the request is anonymous: the guard fails closed.
   */
  check(
    guard: Guard,
    key: K,
    principal: () => { readonly user: BaseUser; readonly auth: AuthCredentials },
    connection: () => Connection,
  ): ResponseDescription | null;
  /**
   * The `Connection` the authentication middleware built for the request (its
   * `clientAddress` resolved through `trustedProxies`); `undefined` without one.
   */
  connection(key: K): Connection | undefined;
  /** The backend's challenges the authentication middleware remembered for the request; none without one. */
  challenges(key: K): readonly string[];
}

/**
 * Options of {@link requestStates}.
 *
 * @example
 * ```ts
 * const states = requestStates<Request>({ storage: 'weakMap' }); // Express's re-prototyped req
 * ```
 */
export interface RequestStatesOptions {
  /**
   * Where the state is kept. `'field'` (the default): a private field stamped onto the
   * request object, an ordinary store that the garbage collector does not trace as an
   * ephemeron. `'weakMap'`: a `WeakMap` from request object to state, for request
   * objects to which adding any property is costly: Express re-prototypes every `req`
   * (`Object.setPrototypeOf`), after which every new property migrates the object to a
   * new map with a copied descriptor array (about 5,000 instructions a property, issue #17).
   */
  storage?: 'field' | 'weakMap';
}

/**
 * Per-request state for an adapter's guards, kept in a private field stamped onto the
 * native request object: invisible to `Object.keys`, `for…in`, `JSON.stringify`, a
 * spread (`{ ...req }`), `Object.getOwnPropertySymbols` and `util.inspect` /
 * `console.log`, unreachable from outside this module, and freed with the request.
 * (A `WeakMap` did the same, but every entry is an ephemeron the garbage collector must
 * trace: under load the Koa profile spent 9 % of its samples in GC against 2 % bare. A
 * non-enumerable `Object.defineProperty` under a symbol then cost about 1.8 µs per
 * request, a runtime call on Express's re-prototyped request; a private field is an
 * ordinary inline-cached store, about 15 ns.)
 *
 * @example
 * ```ts
 * const states = requestStates<Request>(); // Express: requestStates<Request>({ storage: 'weakMap' })
 * // in authentication(): states.remember(req, connection, authenticator.challenges);
 * // in requires():       const denied = states.check(guard, req, () => req, () => toConnection(req));
 * ```
 */
export function requestStates<K extends object>(options: RequestStatesOptions = {}): RequestStates<K> {
  // One class (so one private name) per adapter: states of two adapters on one object never mix.
  const slot = options.storage === 'weakMap' ? weakSlot() : fieldSlot();
  return {
    remember(key, connection, challenges) {
      // Replaced when a second middleware in front remembers again.
      slot.set(key, connection, challenges);
    },
    check(guard, key, principal, connection) {
      const remembered = slot.connection(key);
      if (remembered === undefined) {
        return guard.check(connection(), { user: ANONYMOUS, auth: NO_CREDENTIALS, challenges: NO_CHALLENGES });
      }
      const { user, auth } = principal();
      return guard.check(remembered, { user, auth, challenges: slot.challenges(key) as readonly string[] });
    },
    connection(key) {
      return slot.connection(key);
    },
    challenges(key) {
      return slot.challenges(key) ?? NO_CHALLENGES;
    },
  };
}

/** Where {@link requestStates} keeps a request's connection and challenges. */
interface StateSlot {
  connection(key: object): Connection | undefined;
  challenges(key: object): readonly string[] | undefined;
  set(key: object, connection: Connection, challenges: readonly string[]): void;
}

/** The states in a `WeakMap` (see {@link RequestStatesOptions.storage}). */
function weakSlot(): StateSlot {
  const states = new WeakMap<object, State>();
  return {
    connection: (key) => states.get(key)?.connection,
    challenges: (key) => states.get(key)?.challenges,
    set: (key, connection, challenges) => void states.set(key, { connection, challenges }),
  };
}

/**
 * The states in two private fields stamped on the request object (see
 * {@link privateSlot}), with no state object allocated per request. A class literal of
 * its own, not {@link privateSlot}'s: V8 shares the feedback of every class made from
 * one literal, so the `in` checks and the stamping construct of this slot would
 * otherwise see every other slot's private names too (Koa's session slot: a polymorphic,
 * then megamorphic `KeyedHasIC` and a generic construct per request, issue #17).
 */
function fieldSlot(): StateSlot {
  class Fields extends Stamp {
    #connection: Connection;
    #challenges: readonly string[];
    constructor(target: object, connection: Connection, challenges: readonly string[]) {
      super(target);
      this.#connection = connection;
      this.#challenges = challenges;
    }
    static connection(key: object): Connection | undefined {
      return #connection in key ? (key as Fields).#connection : undefined;
    }
    static challenges(key: object): readonly string[] | undefined {
      return #challenges in key ? (key as Fields).#challenges : undefined;
    }
    static set(key: object, connection: Connection, challenges: readonly string[]): void {
      if (#connection in key) {
        (key as Fields).#connection = connection;
        (key as Fields).#challenges = challenges;
      } else {
        new Fields(key, connection, challenges);
      }
    }
  }
  return Fields;
}

/** A constructor that returns its argument: a subclass's private fields land on that object. */
const Stamp = class {
  constructor(target: object) {
    return target;
  }
} as new (target: object) => object;

/** Where {@link privateSlot} keeps one value per object. */
export interface PrivateSlot<T> {
  /** The value stamped on `key`, or `undefined` when none was. */
  get(key: object): T | undefined;
  /** Stamps `value` on `key` (replacing the one it had). */
  set(key: object, value: T): void;
}

/**
 * One value per object in a private field stamped on objects this module did not create
 * (the "return override" of class fields): an ordinary inline-cached store, invisible to
 * `inspect`, `JSON.stringify`, spreads and `Object.getOwnPropertySymbols`, readable only
 * through the returned slot. Unlike a `WeakMap` its entries are not ephemerons that every
 * scavenge must trace, which cost more per request than the work the entry served (issue
 * #17). Each call makes a new private name. Not for objects whose shape is shared and
 * re-prototyped per request (Express's `req`: there a `WeakMap` is cheaper, see
 * {@link RequestStatesOptions.storage}).
 *
 * @example
 * ```ts
 * import { privateSlot } from '@portcullis/core/adapter';
 *
 * const seen = privateSlot<number>();
 * const ctx = {};
 * seen.set(ctx, 1);
 * seen.get(ctx); // 1
 * seen.get({}); // undefined
 * ```
 */
export function privateSlot<T>(): PrivateSlot<T> {
  class Slot extends Stamp {
    #value: T | undefined;
    static get(key: object): T | undefined {
      return #value in key ? (key as Slot).#value : undefined;
    }
    static set(key: object, value: T): void {
      if (!(#value in key)) new Slot(key);
      (key as Slot).#value = value;
    }
  }
  return Slot;
}
