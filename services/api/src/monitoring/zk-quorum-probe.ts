/**
 * How many servers of the ZooKeeper ensemble answer `ruok`, for the `ZooKeeperQuorumAtRisk`
 * alert: every api probes every server of its connect string and exports the two gauges
 * `wharf_api_zookeeper_servers_count` and `wharf_api_zookeeper_servers_up_count`.
 */
import { type Gauge, type Logger } from '@wharf/observability';
import { fourLetterWord } from '@wharf/zk';

/** Probe period: a few per Prometheus scrape interval would be waste; one per 15 s scrape. */
export const ZK_PROBE_INTERVAL_MS = 15_000;
/** A healthy server answers `ruok` in milliseconds; a frozen one is counted down after this. */
export const ZK_PROBE_TIMEOUT_MS = 2_000;
const DEFAULT_ZK_PORT = 2181;

/** Every `host:port` of a connect string (the chroot is ignored). */
export function zkServers(connectString: string): { host: string; port: number }[] {
  const hosts = connectString.split('/')[0] ?? '';
  return hosts
    .split(',')
    .filter((s) => s.trim() !== '')
    .map((server) => {
      const i = server.lastIndexOf(':');
      return i < 0
        ? { host: server.trim(), port: DEFAULT_ZK_PORT }
        : { host: server.slice(0, i).trim(), port: Number(server.slice(i + 1)) };
    });
}

/** Options of {@link startZkQuorumProbe}. */
export interface ZkQuorumProbeOptions {
  connectString: string;
  servers: Gauge;
  serversUp: Gauge;
  logger: Logger;
  intervalMs?: number;
}

/** Probes now and then every interval; returns the stop function. */
export function startZkQuorumProbe(options: ZkQuorumProbeOptions): () => void {
  const servers = zkServers(options.connectString);
  options.servers.set(servers.length);
  let lastUp = -1;
  const probe = async (): Promise<void> => {
    const answers = await Promise.all(
      servers.map((s) => fourLetterWord(s.host, s.port, 'ruok', ZK_PROBE_TIMEOUT_MS)),
    );
    const up = answers.filter((a) => a === 'imok').length;
    options.serversUp.set(up);
    if (up !== lastUp) options.logger.info('zookeeper servers answering', { up, of: servers.length });
    lastUp = up;
  };
  void probe();
  const timer = setInterval(() => void probe(), options.intervalMs ?? ZK_PROBE_INTERVAL_MS);
  timer.unref();
  return () => clearInterval(timer);
}
