// @portcullis/fetch: a plain Request → Response handler (served on Node by
// @hono/node-server's `serve`, as Bun.serve or Deno.serve would) with Web sessions:
// POST /login logs in, GET /me needs the session (required mode), POST /logout ends it.
import { serve } from '@hono/node-server';
import type { Server } from 'node:http';
import { MemorySessionStore, SimpleUser, sessionAuth } from '@portcullis/core';
import { login, logout, withAuth } from '@portcullis/fetch';
import { announce, port } from './listen.js';

const members = new Map([['grace', new SimpleUser('grace')]]);

const app = withAuth(
  async (request, { user }) => {
    const { pathname } = new URL(request.url);
    if (request.method === 'POST' && pathname === '/login') {
      const form = await request.formData();
      const member = members.get(String(form.get('username')));
      if (member === undefined || form.get('password') !== 'letmein') return new Response('Wrong username or password', { status: 401 });
      await login(request, member, { user_id: member.identity });
      return new Response(`Logged in as ${member.displayName}`);
    }
    if (request.method === 'POST' && pathname === '/logout') {
      await logout(request);
      return new Response(null, { status: 204 });
    }
    if (pathname === '/me') return Response.json({ user: user.displayName });
    return new Response('Not Found', { status: 404 });
  },
  {
    ...sessionAuth<SimpleUser>({ retrieveUser: (session) => members.get(String(session['user_id'])) ?? null, exclude: ['/login'] }),
    sessions: { store: new MemorySessionStore(), secret: 'a consumer-test secret of 32+ chars', cookie: { secure: false } },
  },
);

announce(serve({ fetch: app, port, hostname: '127.0.0.1' }) as Server);
