/**
 * The simulated hosts of the embedded platform and the runner that serves each, as a pure
 * function of the configuration. Host n gets its own loopback address 127.0.0.n, so every host's
 * services keep their documented ports (api 12400 on each coordinator host) the way they would on
 * separate machines. Roles: hosts 1..constructors are coordinators (api + constructor), hosts
 * 1..proxies run a proxy, hosts 1..allocators run an allocator (zones in turn).
 *
 * The supervisor seeds each host's registration with these roles (only when the host is not
 * registered yet: roles changed later through the API survive a restart) and starts one runner
 * per host; the runner starts the services (docs/coordination.md, "Runner").
 */
import { join } from 'node:path';
import { type HostRole } from '@wharf/model';
import { LOOPBACK, type UpConfig, directorsOwnZooKeeper, hostCount } from './config';

/** The platform packages `wharf up` needs: the runner, and the services it starts. */
export const PLATFORM_PACKAGES = ['runner', 'api', 'constructor', 'allocator', 'proxy'] as const;
/** A platform package. */
export type PlatformPackage = (typeof PLATFORM_PACKAGES)[number];

/** An HTTP endpoint `up` waits for before calling the platform ready. */
export interface HealthProbe {
  /** The service's id (`api-host-1`), also its log file name. */
  readonly id: string;
  readonly url: string;
  readonly logFile: string;
}

/** One simulated host. */
export interface SimulatedHost {
  readonly id: string;
  readonly address: string;
  readonly zone: string;
  readonly roles: readonly HostRole[];
  readonly apiPort?: number;
  readonly proxyPort?: number;
  readonly portRange?: string;
  readonly capacityMb?: number;
}

/** Everything needed to spawn and probe one host's runner. */
export interface RunnerLaunch {
  /** `runner-<host>`. */
  readonly id: string;
  readonly host: SimulatedHost;
  readonly entry: string;
  /** Variables set for the runner (on top of the CLI's environment); the runner passes them on. */
  readonly env: Readonly<Record<string, string>>;
  readonly metricsPort: number;
  /** The runner's own `/health`. */
  readonly healthUrl: string;
  readonly logFile: string;
  /** The host's client-facing services (api, proxy), probed once the runner is up. */
  readonly probes: readonly HealthProbe[];
}

/** Inputs decided at start time rather than by configuration. */
export interface HostPlanInput {
  /** Where the services reach ZooKeeper (the embedded server's, or the one that answered). */
  readonly zkConnectString: string;
  /** The runner's `dist/main.js`. */
  readonly runnerEntry: string;
  /** One runner metrics port per host, in host order. */
  readonly metricsPorts: readonly number[];
  /** The director's enrolment port (used on the director host; every runner needs a valid one). */
  readonly directorPort: number;
  /** Secure mode: WHARF_TLS_DIR of each host's runner (its services' certificates). */
  readonly tlsDir?: (hostId: string) => string;
  /**
   * Whether the supervisor runs the directors (with their members) itself, as decided at start —
   * false when a ZooKeeper already answered; default {@link directorsOwnZooKeeper}.
   */
  readonly directorsOwnZooKeeper?: boolean;
}

/** The loopback address of the n-th host (1-based). */
export function hostAddress(n: number): string {
  return n === 1 ? LOOPBACK : `127.0.0.${n}`;
}

/** The simulated hosts of `config`, in order. Pure. */
export function planHosts(config: UpConfig): SimulatedHost[] {
  return Array.from({ length: hostCount(config) }, (_, i) => {
    const n = i + 1;
    const allocator = config.allocators[i];
    const proxyPort = config.proxyPorts[i];
    const roles: HostRole[] = [];
    if (n <= config.constructors) roles.push('coordinator');
    if (proxyPort !== undefined) roles.push('proxy');
    if (allocator !== undefined) roles.push('allocator');
    if (n <= config.directors) roles.push('director');
    return {
      id: `${config.hostPrefix}host-${n}`,
      address: hostAddress(n),
      zone: allocator?.zone ?? config.zones[i % config.zones.length]!,
      roles,
      ...(n <= config.constructors ? { apiPort: config.apiPort } : {}),
      ...(proxyPort === undefined ? {} : { proxyPort }),
      ...(allocator === undefined
        ? {}
        : {
            portRange: `${allocator.portRange.from}-${allocator.portRange.to}`,
            capacityMb: allocator.capacityMb,
          }),
    };
  });
}

/** The service id a runner gives `service` on `host` (services/runner, `planLaunches`). */
export function serviceId(service: string, hostId: string): string {
  return `${service}-${hostId}`;
}

/** Where a runner's service logs (`<home>/hosts/<host>/logs/<id>.log`). */
export function serviceLogFile(home: string, hostId: string, id: string): string {
  return join(home, 'hosts', hostId, 'logs', `${id}.log`);
}

/** One runner per simulated host, in host order. Pure. */
export function planRunners(config: UpConfig, input: HostPlanInput): RunnerLaunch[] {
  const hosts = planHosts(config);
  if (input.metricsPorts.length !== hosts.length) {
    throw new RangeError(`expected ${hosts.length} metrics ports, got ${input.metricsPorts.length}`);
  }
  const firstProxy = config.proxyPorts[0]!;
  const directorsOwn = input.directorsOwnZooKeeper ?? directorsOwnZooKeeper(config);
  return hosts.map((host, i) => {
    const metricsPort = input.metricsPorts[i]!;
    const id = `runner-${host.id}`;
    const probes: HealthProbe[] = [];
    if (host.apiPort !== undefined) {
      const api = serviceId('api', host.id);
      probes.push({
        id: api,
        // Secure mode: the runner starts the api on HTTPS (secure-bootstrap.ts issues its certificate).
        url: `${input.tlsDir === undefined ? 'http' : 'https'}://${host.address}:${host.apiPort}/api/v1/health`,
        logFile: serviceLogFile(config.home, host.id, api),
      });
    }
    if (host.proxyPort !== undefined) {
      const proxy = serviceId('proxy', host.id);
      probes.push({
        id: proxy,
        url: `http://${host.address}:${host.proxyPort}/_health`,
        logFile: serviceLogFile(config.home, host.id, proxy),
      });
    }
    const env: Record<string, string> = {
      WHARF_ZK: input.zkConnectString,
      ...(config.zk.chroot === undefined ? {} : { WHARF_ZK_CHROOT: config.zk.chroot }),
      WHARF_HOME: config.home,
      WHARF_LOG_LEVEL: config.logLevel,
      WHARF_RUNNER_MODE: config.mode,
      WHARF_HOST_ID: host.id,
      WHARF_HOST_ADDRESS: host.address,
      WHARF_ZONE: host.zone,
      WHARF_RUNNER_METRICS_PORT: String(metricsPort),
      WHARF_DOMAIN: config.domain,
      // Unused unless the host has the role; always valid so the runner's checks pass.
      WHARF_API_PORT: String(host.apiPort ?? config.apiPort),
      WHARF_PROXY_PORT: String(host.proxyPort ?? firstProxy),
      WHARF_DIRECTOR_PORT: String(input.directorPort),
      WHARF_PORT_RANGE: host.portRange ?? '20000-20999',
      // Passed on by the runner to the services that read them.
      WHARF_PUBLIC_PROXY_URL: `http://{id}.${config.domain}:${firstProxy}`,
      WHARF_RUNTIME: config.mode,
      // The embedded platform is one unit: `wharf down` / Ctrl-C must not leave instances
      // behind. A crashed allocator (no SIGTERM) still adopts its instances on restart.
      WHARF_STOP_INSTANCES: 'true',
      ...(host.capacityMb === undefined ? {} : { WHARF_CAPACITY_MB: String(host.capacityMb) }),
      ...(config.cpus === undefined ? {} : { WHARF_CPUS: String(config.cpus) }),
      ...(config.servicesRoot === undefined ? {} : { WHARF_SERVICES_ROOT: config.servicesRoot }),
      ...(input.tlsDir === undefined ? {} : { WHARF_TLS_DIR: input.tlsDir(host.id) }),
      // The supervisor runs a ZooKeeper-owning director before the runner (director-ensemble.ts).
      ...(directorsOwn && host.roles.includes('director') ? { WHARF_HOST_SERVICES: 'director' } : {}),
    };
    return {
      id,
      host,
      entry: input.runnerEntry,
      env,
      metricsPort,
      healthUrl: `http://${LOOPBACK}:${metricsPort}/health`,
      logFile: join(config.home, 'logs', `${id}.log`),
      probes,
    };
  });
}
