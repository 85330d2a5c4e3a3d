import type { Server } from 'node:http';
import type { PoolName } from './credentials.js';

export type Framework = 'express' | 'koa' | 'hono' | 'fastify';
export const FRAMEWORKS: readonly Framework[] = ['express', 'koa', 'hono', 'fastify'];

export type Scheme = 'none' | 'basic' | 'token' | 'jwt' | 'session';

/** `bare`, `portcullis`, or the npm name of the peer middleware. */
export type Library = string;

/** What the load generator sends with every request. */
export interface Wire {
  /** Sent with every request. */
  readonly headers: Readonly<Record<string, string>>;
  /** A header whose value is taken from a pool, one value per request, round robin. */
  readonly pool?: { readonly header: string; readonly name: PoolName; readonly prefix: string };
}

/** One request checked before a configuration is measured. */
export interface Probe {
  readonly label: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly status: number;
  /** When given, the body must be exactly this. */
  readonly body?: string;
}

export interface Credentials {
  readonly wire: Wire;
  /** Valid credentials → 200 (with the user's name in the body), invalid and missing → 401. */
  readonly probes: readonly Probe[];
}

interface Common {
  /** Unique, stable: `<framework>/<slug>`. */
  readonly id: string;
  readonly framework: Framework;
  /** Shown in tables and the chart. */
  readonly name: string;
  readonly scheme: Scheme;
  readonly library: Library;
  /** `hot` (one credential reused) or `cold` (a pool of distinct credentials), where it applies. */
  readonly path: 'hot' | 'cold' | null;
  /** What the configuration stands for, or why it is not built. */
  readonly note?: string;
  /**
   * A baseline rather than a peer: "the framework + its session middleware alone"
   * (issue #17 item 4). Not a rival in "≥ every peer"; Portcullis must keep 0.9 of it.
   */
  readonly baseline?: boolean;
}

/** A configuration the bench can start and measure. */
export interface ReadyConfig extends Common {
  readonly status: 'ready';
  /** Builds the server (not listening). Imports its framework and middleware lazily. */
  create(): Promise<Server>;
  /**
   * The credentials, built on first use (the cold JWT pool takes a moment to sign);
   * `baseUrl` is for schemes that obtain them from the running server (a session login).
   */
  credentials(baseUrl: string): Credentials | Promise<Credentials>;
}

/** A configuration that is planned but whose Portcullis part does not exist yet. */
export interface NotBuiltConfig extends Common {
  readonly status: 'not-built';
}

export type BenchConfig = ReadyConfig | NotBuiltConfig;
