import type { Test } from 'supertest';
import type { RawResponse } from './raw.js';
import type { AppSpec, Json, RemoteApp, Supports } from './spec.js';

/** A client bound to the app under test. */
export interface Client {
  /** The listening port on 127.0.0.1. */
  readonly port: number;
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** A supertest `GET` of `path` on the app. */
  get(path: string): Test;
  /** A supertest `POST` to `path` on the app. */
  post(path: string): Test;
  /** A request written byte for byte: `head` is the request line and header lines. */
  raw(head: readonly string[]): Promise<RawResponse>;
  /**
   * Whether the run declared a runtime (`runConformance`'s `runtime`: Bun.serve,
   * Deno.serve, workerd) whose own HTTP server writes every answer: it adds a
   * `Date` field, chooses the case and order of header names and leaves out
   * `Connection: close`. Byte-level checks compare header fields there instead of
   * bytes; `false` otherwise (a Node server, where the adapter or Node writes them),
   * even for a {@link RemoteApp}.
   */
  readonly remote: boolean;
  /**
   * Calls the app's control `name` (`AppSpec.controls`) where the app runs, with a
   * JSON argument, and answers its JSON result: state of the app (counters, stores,
   * clocks) is read and changed only this way, so the scenario also runs when the
   * app lives in another runtime.
   */
  control<T extends Json = Json>(name: string, arg?: Json): Promise<T>;
}

/** One checked behaviour of a scenario. Names of catalogue cases start with their id. */
export interface Case {
  /** The case's title. */
  readonly name: string;
  /** Sends the case's requests and asserts the answers. */
  run(client: Client): Promise<void>;
}

/** A documented behaviour: an app spec and the requests that prove it. */
export interface Scenario {
  /** A stable id (`BAS-01`, `SES-03`…), used in test titles and issues. */
  readonly id: string;
  /** What the scenario checks. */
  readonly title: string;
  /** Capabilities the adapter must declare; otherwise the scenario is skipped by declaration. */
  readonly needs?: readonly (keyof Supports)[];
  /**
   * Runtimes where the behaviour cannot exist, with the reason (shown in the skipped
   * title): e.g. workerd cancels a request that waits on a promise another request
   * settles, so a queue shared across requests is impossible there.
   */
  readonly notOn?: Readonly<Partial<Record<'bun' | 'deno' | 'workerd', string>>>;
  /** The app the adapter builds for the scenario. */
  readonly app: () => AppSpec;
  /** The requests and the answers they must get. */
  readonly cases: readonly Case[];
}
