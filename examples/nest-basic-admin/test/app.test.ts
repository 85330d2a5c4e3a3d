import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { rawRequest } from '@portcullis/conformance';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { firstFrame } from '../../../test-support/websocket.js';
import { createApp } from '../src/app.js';

const CHALLENGE = 'Basic realm="Portcullis admin", charset="UTF-8"';

const USER = 'admin';
const PASSWORD = 'correct horse battery staple';

describe.each(['express', 'fastify'] as const)('nest-basic-admin on Nest with %s', (platform) => {
  let app: INestApplication;
  let server: Server;
  beforeAll(async () => {
    app = await createApp(platform, { username: USER, password: PASSWORD });
    server = app.getHttpServer() as Server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  afterAll(() => app.close());

  it('GET / is @Public in required mode: anonymous gets the page', async () => {
    const res = await request(server).get('/');
    expect(res.status).toBe(200);
    expect(res.text).toBe('Hello, you');
  });

  it('GET / with credentials knows the user', async () => {
    const res = await request(server).get('/').auth(USER, PASSWORD);
    expect(res.text).toBe(`Hello, ${USER}`);
  });

  it('a @Public route still refuses a wrong password: 401, never anonymous', async () => {
    const res = await request(server).get('/').auth(USER, 'wrong');
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe(CHALLENGE);
  });

  it('GET /login challenges without credentials, then sends the user on to a validated next', async () => {
    const challenged = await request(server).get('/login');
    expect(challenged.status).toBe(401);
    expect(challenged.headers['www-authenticate']).toBe(CHALLENGE);
    const signedIn = await request(server).get('/login?next=%2Fadmin%3Fa%3D1').auth(USER, PASSWORD);
    expect(signedIn.status).toBe(303);
    expect(signedIn.headers.location).toBe('/admin?a=1');
    const offsite = await request(server).get('/login?next=%2F%2Fevil.example').auth(USER, PASSWORD);
    expect(offsite.headers.location).toBe('/admin');
  });

  it('GET /admin: 401 with the challenge, for browsers too (the catch-all filter does not make it a 500)', async () => {
    const res = await request(server).get('/admin').set('Accept', 'text/html');
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe(CHALLENGE);
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('GET /admin with credentials answers the user as JSON, not the user object', async () => {
    const res = await request(server).get('/admin').auth(USER, PASSWORD);
    expect(res.status).toBe(200);
    expect(res.body).toStrictEqual({ authenticated: true, user: USER });
  });

  it('a malformed header is 400 and two Authorization lines are 400, through the catch-all filter', async () => {
    const malformed = await request(server).get('/admin').set('Authorization', 'Basic !!!');
    expect(malformed.status).toBe(400);
    const port = (server.address() as AddressInfo).port;
    const good = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`;
    const twice = await rawRequest(port, ['GET /admin HTTP/1.1', 'Host: x', `Authorization: ${good}`, `Authorization: ${good}`]);
    expect(twice.status).toBe(400);
  });

  it('the /events gateway: the upgrade is authenticated, no socket without a user; @User() in the message handler', async () => {
    const events = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/events`;
    const whoami = { event: 'whoami' };
    const good = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`;
    expect(await firstFrame(events, whoami, { authorization: good })).toEqual({ frame: { event: 'whoami', data: USER } });
    expect(await firstFrame(events, whoami)).toEqual({ status: 403, challenge: undefined }); // an anonymous upgrade in required mode
    const wrong = `Basic ${Buffer.from(`${USER}:wrong`).toString('base64')}`;
    expect(await firstFrame(events, whoami, { authorization: wrong })).toEqual({ status: 401, challenge: CHALLENGE });
  });

  it('a path no route takes is 401 in required mode (no route discovery), 404 once signed in', async () => {
    expect((await request(server).get('/nothing-here')).status).toBe(401);
    expect((await request(server).get('/nothing-here').auth(USER, PASSWORD)).status).toBe(500); // the app's catch-all filter sees Nest's NotFoundException
  });
});

describe("the README's NestJS block (src/ten-lines.ts)", () => {
  it('runs: @Public home, 401 for an anonymous /admin in required mode, 404 for a user without the admin scope', async () => {
    process.env.ALICE_PASSWORD ??= 'change me';
    const { AppModule } = await import('../src/ten-lines.js');
    const app = await NestFactory.create(AppModule, { logger: false });
    await app.init();
    try {
      const server = app.getHttpServer() as Server;
      expect((await request(server).get('/')).text).toBe('Hello, you');
      expect((await request(server).get('/admin')).status).toBe(401);
      const alice = await request(server).get('/admin').auth('alice', process.env.ALICE_PASSWORD);
      expect(alice.status).toBe(404);
      expect(alice.body).toMatchObject({ statusCode: 404, message: 'Cannot GET /admin' }); // Nest's own 404
    } finally {
      await app.close();
    }
  });
});
