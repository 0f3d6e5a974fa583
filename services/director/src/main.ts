#!/usr/bin/env node
/**
 * `wharf-director`: reads the environment, loads or creates the CA in `<WHARF_HOME>/ca`, wires
 * the ZooKeeper session, logger and metrics, and runs a director until SIGTERM/SIGINT. The only
 * module that reads `process.env` or calls `process.exit`.
 */
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { paths, serializeDocument } from '@wharf/model';
import {
  createLogger,
  createMetrics,
  createObservabilityHandler,
  installShutdown,
  startObservabilityServer,
} from '@wharf/observability';
import { CA_PASSPHRASE_ENV, loadOrCreateCa } from '@wharf/pki';
import { ZkSession, zkTlsFromEnv } from '@wharf/zk';
import { configFromEnv, helpText } from './config';
import { Director } from './director';
import { createDirectorMetrics } from './metrics';

/** Version written in the service registration. */
const VERSION = '0.1.0';
/** How long a graceful shutdown may take before the process exits anyway. */
const SHUTDOWN_TIMEOUT_MS = 10_000;

async function main(): Promise<void> {
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    process.stdout.write(helpText());
    process.exit(0);
  }
  const config = configFromEnv(process.env, { hostname: hostname() });
  const logger = createLogger({ service: 'director', level: config.logLevel, context: { id: config.id } });
  const passphrase = process.env[CA_PASSPHRASE_ENV] || undefined;
  const caDir = join(resolve(config.home), 'ca');
  const { ca, created } = await loadOrCreateCa(caDir, passphrase === undefined ? {} : { passphrase });
  logger.info(created ? 'ca created' : 'ca loaded', { dir: caDir, encrypted: passphrase !== undefined });
  const tls = zkTlsFromEnv(process.env);
  const zk = new ZkSession({ connectString: config.zkConnectString, chroot: config.zkChroot, tls, logger });
  const metrics = createDirectorMetrics(createMetrics('director'));
  const director = new Director({
    id: config.id,
    zk,
    ca,
    enrol: { host: config.host, port: config.port, names: config.names },
    zkConnectString: config.zkConnectString,
    ...(tls === undefined ? {} : { zkTls: tls }),
    quorumIntervalMs: config.quorumIntervalMs,
    metrics,
    logger,
  });
  const observability = await startObservabilityServer({
    port: config.metricsPort,
    logger,
    handler: createObservabilityHandler({
      registry: metrics.registry,
      health: () => {
        const quorum = director.quorum;
        return {
          checks: {
            zookeeper: { status: zk.state === 'closed' ? 'failing' : 'ok', detail: zk.state },
            director: { status: director.state === 'running' ? 'ok' : 'failing', detail: director.state },
            quorum: {
              status: quorum.healthy === false ? 'failing' : 'ok',
              detail:
                quorum.healthy === undefined ? 'not checked yet' : quorum.healthy ? 'healthy' : 'unhealthy',
            },
          },
        };
      },
      logger,
    }),
  });
  installShutdown({
    logger,
    hardLimitMs: SHUTDOWN_TIMEOUT_MS,
    close: async () => {
      await director.close();
      await observability.close();
      await zk.close();
    },
  });
  await zk.start();
  await director.start();
  // Found by the api's Prometheus service discovery like every other service; closed with the session.
  await zk.registerEphemeral(
    paths.serviceLive('director', config.id),
    serializeDocument('service-registration', {
      schema_version: 1,
      id: config.id,
      service: 'director',
      address: observability.address.address,
      port: observability.address.port,
      version: VERSION,
      started: new Date().toISOString(),
    }),
  );
  logger.info('director started', {
    enrol: director.enrolUrl,
    caFingerprint: director.caFingerprint,
    metrics: observability.url,
  });
}

main().catch((err: unknown) => {
  process.stderr.write(
    `wharf-director: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  const details = (err as { details?: unknown }).details;
  if (details !== undefined) process.stderr.write(`${JSON.stringify(details)}\n`);
  process.exit(1);
});
