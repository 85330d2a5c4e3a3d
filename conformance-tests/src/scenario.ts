import type { Test } from 'supertest';
import type { RawResponse } from './raw.js';
import type { AppSpec, Supports } from './spec.js';

/** A client bound to the app under test. */
export interface Client {
  /** The listening port on 127.0.0.1. */
  readonly port: number;
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  get(path: string): Test;
  post(path: string): Test;
  /** A request written byte for byte: `head` is the request line and header lines. */
  raw(head: readonly string[]): Promise<RawResponse>;
}

/** One checked behaviour of a scenario. Names of catalogue cases start with their id. */
export interface Case {
  readonly name: string;
  run(client: Client): Promise<void>;
}

/** A documented behaviour: an app spec and the requests that prove it. */
export interface Scenario {
  readonly id: string;
  readonly title: string;
  /** Capabilities the adapter must declare; otherwise the scenario is skipped by declaration. */
  readonly needs?: readonly (keyof Supports)[];
  readonly app: () => AppSpec;
  readonly cases: readonly Case[];
}
