#!/usr/bin/env node
/**
 * `wharf-proxy`: the process entry point. The only place that reads `process.env`, wires the
 * dependencies together, handles signals and calls `process.exit`.
 */
import { createLogger, createMetrics, installShutdown, type Logger, runMain } from '@wharf/observability';
import { CA_PASSPHRASE_ENV } from '@wharf/pki';
import { ZkSession, zkTlsFromEnv } from '@wharf/zk';
import { configFromEnv, helpText, type ProxyConfig } from './config';
import { HaproxyDataPlane } from './haproxy/data-plane';
import { startCertificateRenewal } from './certificate-renewal';
import { createProxy } from './proxy';
import {
  loadServingCertificate,
  type ServingCertificate,
  type ServingCertificateSource,
} from './serving-certificate';
import { createProxySupervisor } from './workers/supervisor';

/** Version reported in the proxy's registration. */
const VERSION = '0.1.0';
/**
 * Hard stop after a shutdown signal: the drain deadline plus time to deregister and close the
 * session. If shutdown hangs past this (ZooKeeper unreachable), exit anyway.
 */
const SHUTDOWN_HARD_LIMIT_MS = 20_000;

async function main(): Promise<void> {
  const config = readConfig();
  const logger = createLogger({ service: 'proxy', level: config.logLevel, context: { proxy: config.id } });
  // The serving certificate of the TLS port (operator files or the Wharf CA directory).
  const serving = await servingCertificate(config);
  const tls = serving && { port: config.tlsPort, certificate: serving.certificate };
  // Secure mode (mutual TLS, ACLs by role) when WHARF_ZK_TLS_CA/_CERT/_KEY are set.
  const tlsToZk = zkTlsFromEnv(process.env);
  const zk = new ZkSession({
    connectString: config.zkConnectString,
    chroot: config.zkChroot,
    tls: tlsToZk,
    logger,
  });
  const common = {
    zk,
    logger,
    metrics: createMetrics('proxy'),
    id: config.id,
    domain: config.domain,
    zone: config.zone,
    host: config.host,
    port: config.port,
    version: VERSION,
    accessLog: config.logLevel === 'debug',
    tls,
    trafficFlushMs: config.trafficFlushMs,
  };
  const dataPlane = config.dataPlane === 'haproxy' ? haproxyDataPlane(config, logger) : undefined;
  // One worker is the single-process proxy itself; more run under a primary (supervisor.ts).
  const proxy =
    config.workers === 1
      ? createProxy({ ...common, dataPlane })
      : createProxySupervisor({ ...common, workers: config.workers, logLevel: config.logLevel });
  // Renewed in place, never by a restart (certificate-renewal.ts).
  let stopRenewal = (): void => {};
  // A repeated signal is left to Node's default action (it kills the process).
  installShutdown({
    logger,
    hardLimitMs: SHUTDOWN_HARD_LIMIT_MS,
    repeatSignal: 'default',
    close: async () => {
      stopRenewal();
      await proxy.close();
      await zk.close();
    },
  });
  await zk.start();
  const address = await proxy.start();
  if (serving !== undefined) {
    const { source, certificate: current } = serving;
    const apply = (next: ServingCertificate) => proxy.setCertificate(next);
    stopRenewal = startCertificateRenewal({
      source,
      domain: config.domain,
      hostId: config.id,
      current,
      apply,
      logger,
    });
  }
  logger.info('proxy listening', {
    address: address.address,
    port: address.port,
    domain: config.domain,
    workers: config.workers,
    data_plane: config.dataPlane,
    tls_port: 'tlsAddress' in proxy ? (proxy.tlsAddress()?.port ?? null) : (tls?.port ?? null),
  });
}

/** `--help`, or the configuration from the environment (exit 2 with the reason when it is bad). */
function readConfig(): ProxyConfig {
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    process.stdout.write(helpText());
    process.exit(0);
  }
  try {
    return configFromEnv(process.env, process.pid);
  } catch (err) {
    process.stderr.write(
      `wharf-proxy: ${(err as Error).message}\n${JSON.stringify((err as { details?: unknown }).details)}\n`,
    );
    process.exit(2);
  }
}

/** HAProxy as the data plane, programmed by this process (`WHARF_PROXY_DATAPLANE=haproxy`). */
function haproxyDataPlane(config: ProxyConfig, logger: Logger): HaproxyDataPlane {
  return new HaproxyDataPlane({
    logger,
    host: config.host,
    port: config.port,
    domain: config.domain,
    bin: config.haproxyBin,
    slots: config.haproxySlots,
    threads: config.haproxyThreads,
  });
}

/** The TLS port's certificate (read or issued now) and where it comes from, when one is configured. */
async function servingCertificate(
  config: ProxyConfig,
): Promise<{ source: ServingCertificateSource; certificate: ServingCertificate } | undefined> {
  let source: ServingCertificateSource;
  if (config.tlsCertFile !== '') {
    source = { kind: 'files', certFile: config.tlsCertFile, keyFile: config.tlsKeyFile };
  } else if (config.tlsCaDir !== '') {
    source = { kind: 'ca', caDir: config.tlsCaDir, passphrase: process.env[CA_PASSPHRASE_ENV] };
  } else {
    return undefined;
  }
  return { source, certificate: await loadServingCertificate(source, config.domain, config.id) };
}

runMain('wharf-proxy', main);
