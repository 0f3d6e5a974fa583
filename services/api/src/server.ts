/**
 * Wires a running api from a validated configuration: ZooKeeper session, bootstrap, caches, the
 * Express app on an HTTP server, and the service registration. `main.ts` adds the environment,
 * signals and exit codes; tests call this directly.
 */
import { createServer, type RequestListener, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { type AddressInfo } from 'node:net';
import { type HealthReport, type Logger } from '@wharf/observability';
import { ZkSession, registerService, type ZkTlsOptions } from '@wharf/zk';
import { loadPlatformSecret } from '@wharf/stacks';
import { createApp } from './app';
import { RestoreRunner } from './snapshots/restore';
import { SnapshotScheduler } from './snapshots/scheduler';
import { SnapshotService } from './snapshots/service';
import { bootstrap, type BootstrapResult } from './bootstrap';
import { SYSTEM_CLOCK, type Clock } from './clock';
import { type ApiConfig } from './config';
import { type SupportedVersions } from './domain/plans';
import { loadPair, watchPair } from './https';
import { createApiMetrics } from './metrics';
import { prepareMonitoring, startMonitoringGauges } from './monitoring/start';
import { RequestIdSweeper } from './request-id-sweeper';
import { ZkHostStore } from './store/zk-hosts';
import { ZkRequestIds } from './store/zk-request-ids';
import { createZkStore } from './store/zk-store';
import { type DeploymentStore } from './store/types';

/** Options of {@link startApi}. */
export interface StartApiOptions {
  config: ApiConfig;
  logger: Logger;
  version: string;
  supportedVersions: SupportedVersions;
  /** Where the one-time API key notice goes (stdout in main.ts). */
  print: (text: string) => void;
  pid: number;
  clock?: Clock;
  /** Mutual TLS to ZooKeeper (secure mode); absent: plaintext. */
  zkTls?: ZkTlsOptions;
  /** ZooKeeper session timeout override (tests use short ones). */
  zkSessionTimeoutMs?: number;
  /** ZooKeeper per-operation deadline override: how long a request waits during an outage. */
  zkOperationTimeoutMs?: number;
  /** How often the HTTPS certificate files are checked for a rotation (tests use short ones). */
  tlsReloadIntervalMs?: number;
  /** Request-id sweep pacing override (tests). */
  requestIdSweep?: { intervalMs?: number; batchSize?: number };
}

/** A running api. */
export interface RunningApi {
  /** `http://host:port`, or `https://` with a certificate. */
  readonly url: string;
  readonly port: number;
  readonly bootstrap: BootstrapResult;
  /** Stops serving, deregisters and closes the session. Idempotent. */
  close(): Promise<void>;
}

function listen(server: Server, port: number, host: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server.address() as AddressInfo);
    });
  });
}

/**
 * Plain HTTP, or HTTPS when a certificate is configured (`https.ts`: files checked for rotation).
 * A certificate that cannot be read or does not match its key stops the start: serving plain HTTP
 * instead would be a silent downgrade.
 */
async function createHttpServer(
  { config, logger, tlsReloadIntervalMs }: StartApiOptions,
  app: RequestListener,
  closers: Array<() => Promise<void>>,
): Promise<Server> {
  if (config.tlsCertFile === '') return createServer(app);
  const files = { certFile: config.tlsCertFile, keyFile: config.tlsKeyFile };
  const pair = await loadPair(files);
  const server = createHttpsServer({ cert: pair.cert, key: pair.key, minVersion: 'TLSv1.2' }, app);
  const stop = watchPair(server, files, pair, logger.child({ component: 'https' }), tlsReloadIntervalMs);
  closers.push(() => Promise.resolve(stop()));
  return server;
}

/** `http(s)://address:port` of the listening server. */
function urlOf(config: ApiConfig, address: AddressInfo): string {
  const scheme = config.tlsCertFile === '' ? 'http' : 'https';
  return `${scheme}://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
}

/** The api's ZooKeeper session (not started yet), with the options' timeout overrides. */
function createZkSession(options: StartApiOptions): ZkSession {
  const { config, logger } = options;
  return new ZkSession({
    connectString: config.zkConnect,
    chroot: config.zkChroot,
    ...(options.zkTls === undefined ? {} : { tls: options.zkTls }),
    logger: logger.child({ component: 'zk' }),
    ...(options.zkSessionTimeoutMs === undefined ? {} : { sessionTimeoutMs: options.zkSessionTimeoutMs }),
    ...(options.zkOperationTimeoutMs === undefined
      ? {}
      : { operationTimeoutMs: options.zkOperationTimeoutMs }),
  });
}

/** Writes the api's `/services/api/<id>` live node: the address it listens on. */
function register(
  zk: ZkSession,
  id: string,
  address: AddressInfo,
  version: string,
  clock: Clock,
): ReturnType<ZkSession['registerEphemeral']> {
  return registerService(zk, { service: 'api', id, address, version, started: new Date(clock.now()) });
}

/** Stops listening and ends the open connections (keep-alive ones would hold `close` open). */
function closeServer(server: Server): Promise<void> {
  return new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/** Starts the api; on failure everything started so far is closed again. */
/** Liveness: fails only when the session is closed for good; a suspended session recovers. */
function liveness(zk: ZkSession): HealthReport {
  return { checks: { zookeeper: { status: zk.state === 'closed' ? 'failing' : 'ok', detail: zk.state } } };
}

/**
 * Snapshots, the restore runner (resumes the restores an earlier api left pending) and the
 * snapshot scheduler; `close` stops the last two.
 */
async function startSnapshots(
  zk: ZkSession,
  deployments: DeploymentStore,
  clock: Clock,
  logger: Logger,
  config: ApiConfig,
): Promise<{
  snapshots: SnapshotService;
  restores: RestoreRunner;
  close: () => Promise<void>;
  secret: string;
}> {
  // Derives each deployment's stack credentials (`@wharf/stacks` credentials.ts); never logged.
  const secret = await loadPlatformSecret(config.home);
  const snapshots = new SnapshotService({
    zk,
    deployments,
    secret,
    clock,
    logger: logger.child({ component: 'snapshots' }),
  });
  const restores = new RestoreRunner({
    zk,
    snapshots,
    clock,
    logger: logger.child({ component: 'restores' }),
  });
  await restores.start();
  const scheduler = new SnapshotScheduler({
    zk,
    deployments,
    snapshots,
    clock,
    logger: logger.child({ component: 'snapshot-scheduler' }),
    id: config.id,
    intervalOverrideMs: config.snapshotIntervalMs,
  });
  scheduler.start();
  const close = async () => {
    await scheduler.close();
    await restores.close();
  };
  return { snapshots, restores, close, secret };
}

export async function startApi(options: StartApiOptions): Promise<RunningApi> {
  const { config, logger } = options;
  const clock = options.clock ?? SYSTEM_CLOCK;
  const zk = createZkSession(options);
  const closers: Array<() => Promise<void>> = [() => zk.close()];
  const closeAll = async (): Promise<void> => {
    for (const close of closers.splice(0).reverse()) {
      await close().catch((err: unknown) => logger.warn('api shutdown step failed', { err }));
    }
  };
  try {
    await zk.start();
    const { home, domain } = config;
    const booted = await bootstrap({
      zk,
      home,
      domain,
      logger,
      clock,
      pid: options.pid,
      print: options.print,
    });
    const monitoring = await prepareMonitoring(zk, config, clock, options.pid, logger);
    const zkStore = createZkStore(zk, { connectString: config.zkConnect, chroot: config.zkChroot, logger });
    closers.push(() => zkStore.close());
    await zkStore.start();
    const metrics = createApiMetrics();
    const sweeper = new RequestIdSweeper({
      store: new ZkRequestIds(zk, logger.child({ component: 'request-ids' })),
      clock,
      logger: logger.child({ component: 'request-id-sweeper' }),
      metrics,
      ttlMs: config.requestIdTtlSeconds * 1000,
      ...options.requestIdSweep,
    });
    const snapshots = await startSnapshots(zk, zkStore.store.deployments, clock, logger, config);
    closers.push(snapshots.close);
    const app = createApp({
      platformSecret: snapshots.secret,
      store: zkStore.store,
      hosts: new ZkHostStore(zk, logger.child({ component: 'hosts' })),
      snapshots,
      logger,
      metrics,
      supportedVersions: options.supportedVersions,
      publicProxyUrl: config.publicProxyUrl,
      version: options.version,
      id: config.id,
      clock,
      requestIdTtlSeconds: config.requestIdTtlSeconds,
      rateLimit: config.rateLimit,
      monitoring,
      health: () => liveness(zk),
    });
    const server = await createHttpServer(options, app, closers);
    const address = await listen(server, config.port, config.host);
    closers.push(() => closeServer(server));
    const url = urlOf(config, address);
    const registration = await register(zk, config.id, address, options.version, clock);
    closers.push(() => registration.close());
    sweeper.start();
    closers.push(() => sweeper.close());
    const stopGauges = startMonitoringGauges(config, metrics, logger);
    closers.push(() => Promise.resolve(stopGauges()));
    logger.info('api listening', { url, id: config.id });
    let closing: Promise<void> | undefined;
    return {
      url,
      port: address.port,
      bootstrap: booted,
      close: () => {
        closing ??= closeAll().then(() => logger.info('api stopped', {}));
        return closing;
      },
    };
  } catch (err) {
    await closeAll();
    throw err;
  }
}
