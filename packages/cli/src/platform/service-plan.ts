/**
 * The processes of the embedded platform, as a pure function of the configuration: ids, the
 * exact environment of each service (docs/coordination.md, "Configuration"), ports, health
 * URLs and log files. The supervisor only spawns what this returns.
 */
import { join } from 'node:path';
import { LOOPBACK, type UpConfig } from '../config/up-config';

/** The services `wharf up` runs, in start order. */
export const SERVICE_KINDS = ['api', 'constructor', 'allocator', 'proxy'] as const;

/** A service kind. */
export type ServiceKind = (typeof SERVICE_KINDS)[number];

/** Everything needed to spawn, probe and describe one service process. */
export interface ServiceLaunch {
  /** WHARF_ID, also the log file name and the key in platform.json. */
  readonly id: string;
  readonly service: ServiceKind;
  /** The service's `dist/main.js`. */
  readonly entry: string;
  /** Variables set for the child (on top of the CLI's environment, which they override). */
  readonly env: Readonly<Record<string, string>>;
  /** The port it serves clients on (api, proxy). */
  readonly port?: number;
  /** The observability port serving `/health` (constructor, allocator). */
  readonly metricsPort?: number;
  /** GET this; 200 means healthy. */
  readonly healthUrl: string;
  readonly logFile: string;
  readonly zone?: string;
  readonly portRange?: string;
  readonly capacityMb?: number;
}

/** Inputs decided at start time rather than by configuration. */
export interface ServicePlanInput {
  /** Where the services reach ZooKeeper (the embedded server's, or the one that answered). */
  readonly zkConnectString: string;
  readonly entries: Readonly<Record<ServiceKind, string>>;
  /** One port per constructor then per allocator, in id order. */
  readonly metricsPorts: readonly number[];
}

/** The service processes for `config`, in start order. */
export function planServices(config: UpConfig, input: ServicePlanInput): ServiceLaunch[] {
  const expectedMetrics = config.constructors + config.allocators.length;
  if (input.metricsPorts.length !== expectedMetrics) {
    throw new RangeError(`expected ${expectedMetrics} metrics ports, got ${input.metricsPorts.length}`);
  }
  const logDir = join(config.home, 'logs');
  const common = (id: string): Record<string, string> => ({
    WHARF_ZK: input.zkConnectString,
    ...(config.zk.chroot === undefined ? {} : { WHARF_ZK_CHROOT: config.zk.chroot }),
    WHARF_HOME: config.home,
    WHARF_LOG_LEVEL: config.logLevel,
    WHARF_ID: id,
  });
  const base = (id: string, service: ServiceKind) => ({
    id,
    service,
    entry: input.entries[service],
    logFile: join(logDir, `${id}.log`),
  });
  const firstProxy = config.proxyPorts[0]!;
  const launches: ServiceLaunch[] = [
    {
      ...base('api-1', 'api'),
      env: {
        ...common('api-1'),
        WHARF_API_HOST: LOOPBACK,
        WHARF_API_PORT: String(config.apiPort),
        WHARF_DOMAIN: config.domain,
        WHARF_PUBLIC_PROXY_URL: `http://{id}.${config.domain}:${firstProxy}`,
      },
      port: config.apiPort,
      healthUrl: `http://${LOOPBACK}:${config.apiPort}/api/v1/health`,
    },
  ];
  let metricsIndex = 0;
  for (let i = 1; i <= config.constructors; i++) {
    const id = `constructor-${i}`;
    const metricsPort = input.metricsPorts[metricsIndex++]!;
    launches.push({
      ...base(id, 'constructor'),
      env: { ...common(id), WHARF_METRICS_PORT: String(metricsPort) },
      metricsPort,
      healthUrl: `http://${LOOPBACK}:${metricsPort}/health`,
    });
  }
  for (const allocator of config.allocators) {
    const metricsPort = input.metricsPorts[metricsIndex++]!;
    const portRange = `${allocator.portRange.from}-${allocator.portRange.to}`;
    launches.push({
      ...base(allocator.id, 'allocator'),
      env: {
        ...common(allocator.id),
        WHARF_METRICS_PORT: String(metricsPort),
        WHARF_ZONE: allocator.zone,
        WHARF_ALLOCATOR_HOST: LOOPBACK,
        WHARF_PORT_RANGE: portRange,
        WHARF_CAPACITY_MB: String(allocator.capacityMb),
        // The embedded platform is one unit: `wharf down` / Ctrl-C must not leave instances
        // behind. A crashed allocator (no SIGTERM) still adopts its instances on restart.
        WHARF_STOP_INSTANCES: 'true',
        ...(config.cpus === undefined ? {} : { WHARF_CPUS: String(config.cpus) }),
      },
      metricsPort,
      healthUrl: `http://${LOOPBACK}:${metricsPort}/health`,
      zone: allocator.zone,
      portRange,
      capacityMb: allocator.capacityMb,
    });
  }
  config.proxyPorts.forEach((port, i) => {
    const id = `proxy-${i + 1}`;
    const zone = config.zones[i % config.zones.length]!;
    launches.push({
      ...base(id, 'proxy'),
      env: {
        ...common(id),
        WHARF_PROXY_HOST: LOOPBACK,
        WHARF_PROXY_PORT: String(port),
        WHARF_DOMAIN: config.domain,
        WHARF_ZONE: zone,
      },
      port,
      healthUrl: `http://${LOOPBACK}:${port}/_health`,
      zone,
    });
  });
  return launches;
}
