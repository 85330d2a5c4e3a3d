import { expressServer, fastifyServer, honoServer, koaServer } from './apps.js';
import { FRAMEWORKS, type BenchConfig, type Framework, type ReadyConfig } from './config.js';
import { USER } from './credentials.js';
import { experimentConfigs } from './experiments/configs.js';
import { peerConfigs } from './peers.js';
import { portcullisConfigs } from './portcullis.js';
import { sessionPeerConfigs } from './session-peers.js';
import { bareCredentials } from './schemes.js';

const FRAMEWORK_NAMES: Readonly<Record<Framework, string>> = { express: 'Express 5', koa: 'Koa 3', hono: 'Hono 4 (@hono/node-server)', fastify: 'Fastify 5' };

/** The bare framework: the same `GET /`, no middleware. The limit every configuration is compared with. */
export function bareConfig(framework: Framework): ReadyConfig {
  const create = {
    express: () => expressServer([], () => USER),
    koa: () => koaServer([], () => USER),
    hono: () => honoServer([], () => USER),
    fastify: () => fastifyServer(async () => undefined, () => USER),
  }[framework];
  return {
    id: `${framework}/bare`,
    framework,
    name: `bare ${FRAMEWORK_NAMES[framework]}`,
    scheme: 'none',
    library: 'bare',
    path: null,
    status: 'ready',
    create,
    credentials: () => bareCredentials(),
  };
}

/**
 * Every configuration, framework by framework: bare first, then Portcullis, then the
 * peers, then the session peers and baselines; with `BENCH_EXPERIMENTS=1` (`run.js --experiments`), the experiments behind the
 * findings too.
 */
export function allConfigs(): BenchConfig[] {
  const experiments = process.env.BENCH_EXPERIMENTS === '1';
  return FRAMEWORKS.flatMap((f) => [bareConfig(f), ...portcullisConfigs(f), ...peerConfigs(f), ...sessionPeerConfigs(f), ...(experiments ? experimentConfigs(f) : [])]);
}

export function findConfig(id: string): BenchConfig {
  const config = allConfigs().find((c) => c.id === id);
  if (config === undefined) throw new Error(`no configuration ${id}`);
  return config;
}
