/**
 * `@portcullis/nest/ws`: {@link PortcullisWsAdapter}, Nest's `WsAdapter`
 * (`@nestjs/platform-ws`) with every websocket upgrade authenticated. A separate
 * entry point, so that `@portcullis/nest` never loads `@nestjs/websockets`.
 *
 * @example
 * ```ts
 * const app = await NestFactory.create(AppModule);
 * app.useWebSocketAdapter(new PortcullisWsAdapter(app));
 * ```
 *
 * @packageDocumentation
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { INestApplication, INestApplicationContext } from '@nestjs/common';
import { normalizePath } from '@nestjs/common/utils/shared.utils.js'; // how WsAdapter routes upgrades by path
import { ModulesContainer } from '@nestjs/core';
import { WsAdapter } from '@nestjs/platform-ws';
import { GATEWAY_METADATA, GATEWAY_OPTIONS, PORT_METADATA } from '@nestjs/websockets/constants.js';
import { BEARER_PROTOCOL_PREFIX, ConfigurationError, selectProtocol, type BaseUser, type RecheckOptions } from '@portcullis/core';
import { exactOrigins, recheckInterval, type Authenticator, type Guard } from '@portcullis/core/adapter';
import { upgradeHandler, type UpgradeOptions } from '@portcullis/node';
import type { Principal } from './decorators.js';
import { PORTCULLIS, PUBLIC_KEY, REQUIRES_KEY, type Portcullis } from './tokens.js';

/** A `ws` socket as this adapter uses it. */
interface Socket extends Partial<Principal> {
  readonly readyState: number;
  send(data: string): void;
  on(event: 'exception', listener: (payload: unknown) => void): unknown;
  close(code: number, reason: string): void;
  once(event: 'close', listener: () => void): unknown;
}

/** A `ws` server (`WebSocketServer`) as this adapter uses it. */
interface UpgradeServer {
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, done: (client: Socket, req: IncomingMessage) => void): void;
}

/** What the upgrades of one gateway path are checked with. */
interface Handshake {
  readonly authenticator: Authenticator<BaseUser>;
  readonly guard: Guard | undefined;
}

const OPEN = 1;

/**
 * Options of {@link PortcullisWsAdapter}: `WsAdapter`'s, and the `Origin` policy of the
 * upgrades (`origins`, `allowMissingOrigin`: see `upgradeHandler` of `@portcullis/node`).
 *
 * @example
 * ```ts
 * app.useWebSocketAdapter(new PortcullisWsAdapter(app, { origins: ['https://app.example'] }));
 * ```
 */
export type PortcullisWsAdapterOptions = NonNullable<ConstructorParameters<typeof WsAdapter>[1]> &
  Pick<UpgradeOptions<BaseUser>, 'origins' | 'allowMissingOrigin'> & {
    /**
     * Re-check accepted sockets every `interval` ms: a logout, an expired or revoked
     * token, or the end of a ticket's issuing session closes the socket with 4401; a
     * gateway `@Requires` that now denies, with 4403. Off unless set.
     */
    recheck?: RecheckOptions;
    /**
     * The subprotocols the server answers with (`selectProtocol` of `@portcullis/core`):
     * the first the client offers, never a `portcullis.bearer.…` token carrier. For
     * gateways that set no `handleProtocols` of their own.
     */
    protocols?: readonly string[];
  };

/** Opens the session of an upgrade request with the platform's session middleware, when it has one. */
type SessionOpener = NonNullable<UpgradeOptions<BaseUser>['session']>;

/**
 * Nest's `WsAdapter` (`@nestjs/platform-ws`) that authenticates every websocket
 * upgrade with the app's Portcullis (`PortcullisModule.forRoot`), before the
 * socket opens, on the Express and the Fastify platform alike:
 *
 * - The upgrade request is authenticated as an HTTP request is (`Authorization`
 *   header, the platform's cookies): invalid credentials, an anonymous upgrade in
 *   `required` mode (unless the gateway is `@Public()` or its path is excluded),
 *   and a socket without the scopes of the gateway class's `@Requires` are refused
 *   with the core's status and challenge and no body, byte for byte as on every
 *   other adapter (a scope refusal is always 403).
 * - With a `sessionAuth` backend, the upgrade's session is opened with the platform's
 *   session middleware (`@portcullis/express/sessions`, `@portcullis/fastify/sessions`),
 *   read-only for the handshake: a session cookie authenticates the socket.
 * - With `origins`, an upgrade from another page's `Origin` (or, unless
 *   `allowMissingOrigin`, without one) is refused with 403 before authentication.
 * - An accepted socket carries `user` and `auth`: `@User()` / `@Auth()` in message
 *   handlers, and the `@Requires` of each `@SubscribeMessage` handler, are checked
 *   against them.
 * - A refused message (Nest's `WsException`, or any exception Nest's default handler
 *   reports) reaches the client as the frame `{"event":"exception","data":{…}}` —
 *   what Nest's `BaseWsExceptionFilter` emits on the socket, which `ws` sockets would
 *   otherwise keep to themselves. The socket stays open.
 *
 * Gateways that share a port and a path share one server, hence one handshake: a
 * class-level `@Requires` or `@Public` there throws a `ConfigurationError` at
 * startup (put it on the handlers, or give the gateways their own paths).
 *
 * @example
 * ```ts
 * @WebSocketGateway({ path: '/chat' })
 * @Requires('chat') // checked on the upgrade: 403 before the socket opens
 * class ChatGateway {
 *   @SubscribeMessage('say')
 *   say(@User() user: AppUser, @MessageBody() text: string) {
 *     return { event: 'said', data: `${user.displayName}: ${text}` };
 *   }
 * }
 *
 * const app = await NestFactory.create(AppModule); // imports PortcullisModule.forRoot(…)
 * app.useWebSocketAdapter(new PortcullisWsAdapter(app));
 * await app.listen(3000);
 * ```
 */
export class PortcullisWsAdapter extends WsAdapter {
  private readonly portcullis: Portcullis;
  private readonly modules: ModulesContainer;
  private readonly origins: Pick<UpgradeOptions<BaseUser>, 'origins' | 'allowMissingOrigin'>;
  private readonly session: SessionOpener;
  private readonly recheck: RecheckOptions | undefined;
  private readonly protocols: readonly string[] | undefined;

  /**
   * @param app The Nest application (its `PortcullisModule.forRoot(…)` is used).
   * @param options `WsAdapter`'s options (`messageParser`), and `origins` /
   *   `allowMissingOrigin`: the pages that may open a socket (see `upgradeHandler`
   *   of `@portcullis/node`; checked now, refused with 403 before authentication).
   */
  constructor(app: INestApplicationContext, options?: PortcullisWsAdapterOptions) {
    const { origins, allowMissingOrigin, recheck, protocols, ...wsOptions } = options ?? {};
    super(app, wsOptions);
    let portcullis: Portcullis | undefined;
    try {
      portcullis = app.get<typeof PORTCULLIS, Portcullis>(PORTCULLIS, { strict: false });
    } catch {
      portcullis = undefined;
    }
    if (portcullis?.authenticator === undefined) {
      throw new ConfigurationError('PortcullisWsAdapter needs the Nest application whose module imports PortcullisModule.forRoot({ backend }): new PortcullisWsAdapter(app)');
    }
    this.portcullis = portcullis;
    this.modules = app.get(ModulesContainer);
    this.origins = { origins: origins === undefined ? undefined : exactOrigins(origins, 'PortcullisWsAdapter: origins'), allowMissingOrigin };
    this.session = platformSessions(app);
    const interval = recheckInterval(recheck, 'PortcullisWsAdapter');
    this.recheck = interval === undefined ? undefined : { interval };
    if (protocols !== undefined && (!Array.isArray(protocols) || protocols.some((p) => typeof p !== 'string' || p === ''))) {
      throw new ConfigurationError('PortcullisWsAdapter: protocols must be an array of subprotocol names');
    }
    this.protocols = protocols === undefined ? undefined : Object.freeze([...protocols]);
  }

  /** `WsAdapter.create`, with the server's upgrades authenticated first; see the class. */
  override create(port: number, options?: Parameters<WsAdapter['create']>[1]): unknown {
    const handshake = this.handshake(port, options?.path);
    const protocols = this.protocols;
    // Never a token carrier in the 101, whoever chooses: the gateway's own handleProtocols
    // is handed the offer without carriers; without one, ws's default (the first offered)
    // sees none either (upgradeHandler strips them from the request it accepts).
    const own = (options as { handleProtocols?: unknown } | undefined)?.handleProtocols;
    const withProtocols =
      typeof own === 'function'
        ? { ...options, handleProtocols: (offered: Set<string>, req: unknown) => (own as (o: Set<string>, r: unknown) => unknown)(new Set([...offered].filter((p) => !p.toLowerCase().startsWith(BEARER_PROTOCOL_PREFIX))), req) }
        : protocols === undefined
          ? options
          : { ...options, handleProtocols: (offered: Set<string>) => selectProtocol(offered, protocols) };
    const server = super.create(port, withProtocols) as UpgradeServer;
    const handleUpgrade = server.handleUpgrade.bind(server);
    server.handleUpgrade = (req, socket, head, done) =>
      upgradeHandler<BaseUser>({
        authentication: handshake,
        requires: handshake.guard && { guard: handshake.guard },
        ...this.origins,
        session: this.session,
        recheck: this.recheck,
        accept: (accepted, _socket, _head, { user, auth, clientAddress, watch }) =>
          handleUpgrade(accepted, socket, head, (client, request) => {
            watch(client);
            client.user = user;
            client.auth = auth;
            client.clientAddress = clientAddress;
            client.on('exception', (data) => {
              if (client.readyState === OPEN) client.send(JSON.stringify({ event: 'exception', data }));
            });
            done(client, request);
          }),
      })(req, socket, head);
    return server;
  }

  /** The authenticator and the class-level guard of the gateways at `port` and `path`. */
  private handshake(port: number, path: string | undefined): Handshake {
    const gateways: object[] = [];
    for (const module of this.modules.values()) {
      for (const { metatype } of module.providers.values()) {
        if (typeof metatype !== 'function' || Reflect.getMetadata(GATEWAY_METADATA, metatype) !== true) continue;
        const options = (Reflect.getMetadata(GATEWAY_OPTIONS, metatype) ?? {}) as { path?: string };
        const at = (Reflect.getMetadata(PORT_METADATA, metatype) as number | undefined) ?? 0;
        if (at === port && normalizePath(options.path) === normalizePath(path) && !gateways.includes(metatype)) gateways.push(metatype);
      }
    }
    const guards = gateways.map((gateway) => Reflect.getMetadata(REQUIRES_KEY, gateway) as Guard | undefined);
    const open = gateways.map((gateway) => Reflect.getMetadata(PUBLIC_KEY, gateway) === true);
    if (gateways.length > 1 && (guards.some((guard) => guard !== undefined) || open.some(Boolean))) {
      throw new ConfigurationError(
        `the gateways at path ${normalizePath(path)} share one websocket server, so one handshake: put @Requires/@Public on their message handlers, or give each gateway its own path`,
      );
    }
    const { authenticator, publicAuthenticator } = this.portcullis;
    return { authenticator: open[0] === true ? publicAuthenticator : authenticator, guard: guards[0] };
  }
}

/**
 * The session opener of the platform's session middleware (`@portcullis/express/sessions`'s
 * `sessions()` or the `@portcullis/fastify/sessions` plugin), looked up on the first
 * upgrade: the app registers its sessions after the adapter is made. Without one, an
 * upgrade has no session, as a request without session middleware.
 */
function platformSessions(app: INestApplicationContext): SessionOpener {
  const http = (app as Partial<INestApplication>).getHttpAdapter?.();
  let found: Promise<SessionOpener | undefined> | undefined;
  const lookup = async (): Promise<SessionOpener | undefined> => {
    if (http === undefined) return undefined;
    const instance: unknown = http.getInstance();
    if (http.getType() === 'fastify') {
      const fastify = await import('@portcullis/fastify/sessions').catch(() => undefined);
      return fastify?.sessionOpener(instance as Parameters<typeof fastify.sessionOpener>[0]);
    }
    const express = await import('@portcullis/express/sessions').catch(() => undefined);
    return express?.sessionOpener(instance as Parameters<typeof express.sessionOpener>[0]);
  };
  return async (req) => {
    // Once found, kept; until then looked up again (sessions may be registered after the first upgrade).
    const opener = await (found ??= lookup());
    if (opener === undefined) found = undefined;
    return opener?.(req);
  };
}
