// Every adapter's guard takes the step-up options (`maxAge`, `acr`, `amr`) as they are and
// checks them at startup (the conformance scenarios step-up-bearer and step-up-session run
// them over HTTP on every adapter and runtime).
import 'reflect-metadata';
import { ConfigurationError, type RequiresOptions } from '@portcullis/core';
import { requires as express } from '@portcullis/express';
import { requires as fastify } from '@portcullis/fastify';
import { requires as fetch, Requires as FetchRequires } from '@portcullis/fetch';
import { requires as hono } from '@portcullis/hono';
import { requires as koa } from '@portcullis/koa';
import { Requires as Nest } from '@portcullis/nest';
import { describe, expect, it } from 'vitest';

const STEP_UP = { maxAge: 300, acr: ['urn:example:mfa'], amr: 'otp', redirect: '/login' } as const satisfies RequiresOptions;
const GUARDS: readonly [string, (scopes: string, options: RequiresOptions) => unknown][] = [
  ['express', express],
  ['fastify', fastify],
  ['fetch', fetch],
  ['fetch @Requires', FetchRequires],
  ['hono', hono],
  ['koa', koa],
  ['nest @Requires', Nest],
];

describe("every adapter's requires(scopes, { maxAge, acr, amr })", () => {
  it.each(GUARDS)('STP-10 %s takes the step-up options', (_name, guard) => {
    expect(() => guard('authenticated', STEP_UP)).not.toThrow();
  });

  it.each(GUARDS)('%s refuses malformed step-up options at startup', (_name, guard) => {
    expect(() => guard('authenticated', { maxAge: -5 })).toThrow(ConfigurationError);
    expect(() => guard('authenticated', { acr: 'two words' })).toThrow(ConfigurationError);
  });
});
