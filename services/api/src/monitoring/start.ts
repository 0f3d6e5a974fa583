/**
 * The api's monitoring pieces, wired in one place for `server.ts`: the scrape token (created on
 * first start), the SD source and token check the app serves, and the two background gauges
 * (ZooKeeper servers answering, certificate expiry).
 */
import { type Logger } from '@wharf/observability';
import { ScrapeTokenVerifier, type ZkSession } from '@wharf/zk';
import { type Clock } from '../clock';
import { type ApiConfig } from '../config';
import { type ApiMetrics } from '../metrics';
import { startCertificateExpiryGauge } from './certificate-expiry';
import { type MonitoringDeps } from './routes';
import { ensureScrapeToken } from './scrape-token-file';
import { startZkQuorumProbe } from './zk-quorum-probe';
import { zkTargetSource } from './zk-targets';

/** Creates the scrape token when missing; returns what the app needs. */
export async function prepareMonitoring(
  zk: ZkSession,
  config: ApiConfig,
  clock: Clock,
  pid: number,
  logger: Logger,
): Promise<MonitoringDeps> {
  await ensureScrapeToken(zk, config.home, clock, pid, logger);
  const scrapeTokens = new ScrapeTokenVerifier(zk, { logger: logger.child({ component: 'scrape-token' }) });
  return {
    targets: zkTargetSource(zk, logger.child({ component: 'monitoring' })),
    scrapeTokens: (authorization) => scrapeTokens.matches(authorization),
  };
}

/** Starts the background gauges; returns the function that stops them. */
export function startMonitoringGauges(config: ApiConfig, metrics: ApiMetrics, logger: Logger): () => void {
  const stopProbe = startZkQuorumProbe({
    connectString: config.zkConnect,
    servers: metrics.zkServers,
    serversUp: metrics.zkServersUp,
    logger: logger.child({ component: 'zk-probe' }),
  });
  const stopCertificates = startCertificateExpiryGauge({
    files: config.certificateFiles,
    gauge: metrics.certificateExpiry,
    logger: logger.child({ component: 'certificates' }),
  });
  return () => {
    stopProbe();
    stopCertificates();
  };
}
