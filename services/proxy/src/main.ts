#!/usr/bin/env node
/**
 * `wharf-proxy`: the process entry point. The only place that reads `process.env`, wires the
 * dependencies together, handles signals and calls `process.exit`.
 */
import { createLogger, createMetrics, installShutdown, runMain } from '@wharf/observability';
import { CA_PASSPHRASE_ENV } from '@wharf/pki';
import { ZkSession, zkTlsFromEnv } from '@wharf/zk';
import { configFromEnv, helpText, type ProxyConfig } from './config';
import { HaproxyDataPlane } from './haproxy/data-plane';
import { createProxy, type ProxyTlsOptions } from './proxy';
import { loadServingCertificate, type ServingCertificateSource } from './serving-certificate';
import { createProxySupervisor } from './workers/supervisor';

/** Version reported in the proxy's registration. */
const VERSION = '0.1.0';
/**
 * Hard stop after a shutdown signal: the drain deadline plus time to deregister and close the
 * session. If shutdown hangs past this (ZooKeeper unreachable), exit anyway.
 */
const SHUTDOWN_HARD_LIMIT_MS = 20_000;

async function main(): Promise<void> {
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    process.stdout.write(helpText());
    process.exit(0);
  }
  let config: ProxyConfig;
  try {
    config = configFromEnv(process.env, process.pid);
  } catch (err) {
    process.stderr.write(
      `wharf-proxy: ${(err as Error).message}\n${JSON.stringify((err as { details?: unknown }).details)}\n`,
    );
    process.exit(2);
  }
  const logger = createLogger({ service: 'proxy', level: config.logLevel, context: { proxy: config.id } });
  // The serving certificate of the TLS port (operator files or the Wharf CA directory).
  const tls = await tlsOptions(config);
  // Secure mode (mutual TLS, ACLs by role) when WHARF_ZK_TLS_CA/_CERT/_KEY are set.
  const zkTls = zkTlsFromEnv(process.env);
  const zk = new ZkSession({
    connectString: config.zkConnectString,
    chroot: config.zkChroot,
    tls: zkTls,
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
  const dataPlane =
    config.dataPlane === 'haproxy'
      ? new HaproxyDataPlane({
          logger,
          host: config.host,
          port: config.port,
          domain: config.domain,
          bin: config.haproxyBin,
          slots: config.haproxySlots,
          threads: config.haproxyThreads,
        })
      : undefined;
  // One worker is the single-process proxy itself; more run under a primary (supervisor.ts).
  const proxy =
    config.workers === 1
      ? createProxy({ ...common, dataPlane })
      : createProxySupervisor({ ...common, workers: config.workers, logLevel: config.logLevel });
  // A repeated signal is left to Node's default action (it kills the process).
  installShutdown({
    logger,
    hardLimitMs: SHUTDOWN_HARD_LIMIT_MS,
    repeatSignal: 'default',
    close: async () => {
      await proxy.close();
      await zk.close();
    },
  });
  await zk.start();
  const address = await proxy.start();
  logger.info('proxy listening', {
    address: address.address,
    port: address.port,
    domain: config.domain,
    workers: config.workers,
    data_plane: config.dataPlane,
    tls_port: 'tlsAddress' in proxy ? (proxy.tlsAddress()?.port ?? null) : (tls?.port ?? null),
  });
}

/** The TLS port's certificate (read or issued now), when one is configured. */
async function tlsOptions(config: ProxyConfig): Promise<ProxyTlsOptions | undefined> {
  let source: ServingCertificateSource;
  if (config.tlsCertFile !== '') {
    source = { kind: 'files', certFile: config.tlsCertFile, keyFile: config.tlsKeyFile };
  } else if (config.tlsCaDir !== '') {
    source = { kind: 'ca', caDir: config.tlsCaDir, passphrase: process.env[CA_PASSPHRASE_ENV] };
  } else {
    return undefined;
  }
  const certificate = await loadServingCertificate(source, config.domain, config.id);
  return { port: config.tlsPort, certificate };
}

runMain('wharf-proxy', main);
