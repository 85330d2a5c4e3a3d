import { ConfigurationError, type SimpleUser } from '@portcullis/core';
import { describe, expect, it } from 'vitest';
import { jwtAuth, jwtCookieAuth, oauth2PasswordBearer, withSecurity, type OpenApiDocument } from '../src/index.js';
import { AUDIENCE, ISSUER, SECRET, retrieveUser } from './helpers.js';

const common = { algorithms: ['HS256'] as const, secret: SECRET, issuer: ISSUER, audience: AUDIENCE, retrieveUser };

const doc: OpenApiDocument = {
  openapi: '3.1.0',
  info: { title: 'API', version: '1' },
  paths: {
    '/login': { post: { responses: {} } },
    '/some-path': { get: { responses: {} } },
    '/public/docs': { get: { responses: {} } },
  },
};

describe('OpenAPI security schemes', () => {
  it('jwtAuth: HTTP bearer with bearerFormat JWT; cookie: API key in the cookie; OAuth2: password flow with tokenUrl', () => {
    expect(jwtAuth<SimpleUser>({ ...common, algorithms: ['HS256'] }).securityScheme).toEqual({
      name: 'BearerToken',
      scheme: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: expect.any(String) },
    });
    expect(jwtCookieAuth<SimpleUser>({ ...common, algorithms: ['HS256'] }).securityScheme.scheme).toMatchObject({ type: 'apiKey', in: 'cookie', name: '__Host-access_token' });
    expect(
      oauth2PasswordBearer<SimpleUser>({ ...common, algorithms: ['HS256'], tokenUrl: '/login', verifyCredentials: () => null }).securityScheme.scheme,
    ).toMatchObject({ type: 'oauth2', flows: { password: { tokenUrl: '/login', scopes: {} } } });
  });

  it('withSecurity adds the scheme and the requirement, marks excluded paths security: [], and does not mutate its input', () => {
    const before = JSON.stringify(doc);
    const jwt = jwtAuth<SimpleUser>({ ...common, algorithms: ['HS256'] });
    const out = withSecurity(doc, jwt.securityScheme, { exclude: ['/login', '/public/*'] });
    expect(JSON.stringify(doc)).toBe(before);
    expect(out.components?.securitySchemes?.BearerToken).toEqual(jwt.securityScheme.scheme);
    expect(out.security).toEqual([{ BearerToken: [] }]);
    expect((out.paths?.['/login']?.post as { security?: unknown }).security).toEqual([]);
    expect((out.paths?.['/public/docs']?.get as { security?: unknown }).security).toEqual([]);
    expect((out.paths?.['/some-path']?.get as { security?: unknown }).security).toBeUndefined();
    expect(out.info).toEqual(doc.info);
  });

  it('several schemes are alternatives; applying twice changes nothing; a clashing name is refused', () => {
    const a = jwtAuth<SimpleUser>({ ...common, algorithms: ['HS256'] });
    const b = jwtCookieAuth<SimpleUser>({ ...common, algorithms: ['HS256'] });
    const out = withSecurity(doc, [a.securityScheme, b.securityScheme]);
    expect(out.security).toEqual([{ BearerToken: [] }, { CookieToken: [] }]);
    expect(withSecurity(out, a.securityScheme)).toEqual(out);
    expect(() => withSecurity(out, { name: 'BearerToken', scheme: b.securityScheme.scheme })).toThrow(ConfigurationError);
    expect(() => withSecurity({} as OpenApiDocument, a.securityScheme)).toThrow(ConfigurationError);
  });
});
