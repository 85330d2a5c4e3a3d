// The Nest app on its Fastify platform.
import type { Server } from 'node:http';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { PortcullisWsAdapter } from '@portcullis/nest/ws';
import { AppModule } from './app-module.js';
import { announce, port } from './listen.js';

const app = await NestFactory.create(AppModule, new FastifyAdapter(), { logger: false });
app.useWebSocketAdapter(new PortcullisWsAdapter(app));
announce(app.getHttpServer() as Server);
await app.listen(port, '127.0.0.1');
