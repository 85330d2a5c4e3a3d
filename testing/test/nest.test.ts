// loginAs on NestJS (both platforms), through the app's JWT backend. Nest's legacy
// decorators are applied as plain calls, so this file compiles like the kit's other
// tests (the repository compiles decorator syntax as TC39 decorators outside adapters/nest).
import 'reflect-metadata';
import { Controller, Get, Module, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { SimpleUser } from '@portcullis/core';
import { jwtAuth } from '@portcullis/jwt';
import { PortcullisModule, Requires, User } from '@portcullis/nest';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loginAs, testJwks, type TestJwks } from '../src/index.js';

class OrdersController {
  me(user: SimpleUser) {
    return { user: user.displayName };
  }
  orders(user: SimpleUser) {
    return { orders: [], owner: user.displayName };
  }
}
const proto = OrdersController.prototype;
const method = (name: 'me' | 'orders') => Object.getOwnPropertyDescriptor(proto, name)!;
Get('me')(proto, 'me', method('me'));
Get('orders')(proto, 'orders', method('orders'));
Requires('orders:read')(proto, 'orders', method('orders'));
User()(proto, 'me', 0);
User()(proto, 'orders', 0);
Controller()(OrdersController);

let jwks: TestJwks;
beforeAll(async () => {
  jwks = await testJwks({ issuer: 'https://id.example', audience: 'https://api.example' });
});
afterAll(() => jwks?.close());

async function nestApp(platform: 'express' | 'fastify', trusted: TestJwks): Promise<INestApplication> {
  class AppModule {}
  Module({
    imports: [PortcullisModule.forRoot({ backend: jwtAuth({ ...trusted.jwtOptions(), retrieveUser: (t) => new SimpleUser(t.sub) }), mode: 'required' })],
    controllers: [OrdersController],
  })(AppModule);
  const app = platform === 'express' ? await NestFactory.create(AppModule, { logger: false }) : await NestFactory.create(AppModule, new FastifyAdapter(), { logger: false });
  await app.init();
  if (platform === 'fastify') await (app.getHttpAdapter().getInstance() as { ready(): Promise<unknown> }).ready();
  return app;
}

describe.each(['express', 'fastify'] as const)('loginAs on NestJS (%s platform)', (platform) => {
  it('a testJwks token opens the guarded routes, its scopes decide @Requires; another key set refuses it', async () => {
    const app = await nestApp(platform, jwks);
    const other = await testJwks({ issuer: 'https://id.example', audience: 'https://api.example' });
    const elsewhere = await nestApp(platform, other);
    try {
      const reader = await loginAs(jwks, new SimpleUser('alice'), { scopes: ['orders:read'] });
      const me = await request(app.getHttpServer()).get('/me').set(reader.headers);
      expect([me.status, me.body]).toEqual([200, { user: 'alice' }]);
      expect((await request(app.getHttpServer()).get('/orders').set(reader.headers)).status).toBe(200);
      const plain = await loginAs(jwks, new SimpleUser('bob'));
      expect((await request(app.getHttpServer()).get('/orders').set(plain.headers)).status).toBe(403);
      expect((await request(app.getHttpServer()).get('/me')).status).toBe(401);
      expect((await request(elsewhere.getHttpServer()).get('/me').set(reader.headers)).status).toBe(401);
    } finally {
      await app.close();
      await elsewhere.close();
      await other.close();
    }
  });
});
