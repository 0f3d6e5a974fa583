/**
 * What a host runs, as a pure function of its roles and the runner's configuration: one
 * {@link ServiceLaunchSpec} per service, with the exact environment of docs/coordination.md.
 */
import { join } from 'node:path';
import { type HostRole } from '@wharf/model';
import { apiHttpsEnv, serviceTlsEnv } from './certificates';

/** The platform services a runner can start. */
export const RUNNER_SERVICES = ['director', 'api', 'constructor', 'allocator', 'proxy'] as const;
/** A platform service. */
export type RunnerService = (typeof RUNNER_SERVICES)[number];

/**
 * V8 flags for the control-plane services (constructor, allocator, director): a 1 MB
 * young-generation semi-space instead of V8's 16 MB default. They allocate little when idle, and
 * it takes ~10–15 MB off each one's idle RSS (docs/benchmarks.md, "Idle memory"). Not the proxy:
 * its per-request garbage is what a large young generation is for. The constructor under a burst
 * of plans pays for it: ~14× more scavenges and +13–22 % CPU per placement against 2–4 MB or
 * V8's default (fleet bench, interleaved rounds). 2 MB was tried and not kept: +3–6 MB of the
 * constructor's idle RSS took one idle host from 292 to 302–303 MB, over its 300 MB goal
 * (docs/benchmarks.md, "The constructor's young generation").
 */
export const CONTROL_PLANE_NODE_OPTIONS = '--max-semi-space-size=1';

/**
 * The api's young generation: 4 MB semi-spaces. Why more than the other control-plane services:
 * a page of the deployment list builds a few hundred KB of short-lived rows, which 1 MB
 * semi-spaces promote; with the old generation held near its live size
 * ({@link SERVICE_HEAP_LIMIT_MB}) that means more full GCs under requests. At 10,000 deployments
 * the page and `_search` p99 stayed ≤ 30 ms in 4 of 4 runs with 4 MB, against 3 of 6 over 50 ms
 * with 1 MB on the same loaded box, for ~+10 MB RSS (docs/benchmarks.md, "Control-plane memory").
 */
export const API_NODE_OPTIONS = '--max-semi-space-size=4';

/**
 * V8 old-generation limit of every service, in MB (`--max-old-space-size`). Why not V8's default
 * (a quarter of RAM, up to 4 GB): V8 lets the heap grow by a factor that scales with that limit —
 * ×4 at 2 GB and above, ~×1.6 at 1 GB — and keeps what it grew. Loading 10,000 deployments under
 * the default, the api ends with ~230 MB of heap for ~110–140 MB live and ~305 MB RSS; at 1 GB
 * with ~120–150 MB of heap and ~210 MB RSS (docs/benchmarks.md, "Control-plane memory"). A
 * limit, not a budget: the api holds ~150 MB of heap at 10,000 deployments, and 1 GB is also
 * the container limit of a service in Docker mode (`SERVICE_MEMORY_MB`), which would stop a
 * larger heap anyway.
 */
export const SERVICE_HEAP_LIMIT_MB = 1024;

/**
 * The constructor's old-generation limit, in MB: twice the others'. Why: it is the one service
 * whose live heap grows with the fleet (the allocators index, every spec and attempt in flight);
 * the fleet bench saw 360–700 MB RSS at 100–2,000 simulated allocators under V8's defaults, too
 * close to 1 GB to risk an out-of-memory crash of the leader in process mode. Its idle cost is
 * unchanged (the limit only bounds growth); in Docker mode the container limit still applies.
 */
export const CONSTRUCTOR_HEAP_LIMIT_MB = 2048;

/** `NODE_OPTIONS` the runner gives `service` (V8 flags only: NODE_OPTIONS carries nothing else). */
export function serviceNodeOptions(service: RunnerService): string {
  const limit = service === 'constructor' ? CONSTRUCTOR_HEAP_LIMIT_MB : SERVICE_HEAP_LIMIT_MB;
  const heap = `--max-old-space-size=${limit}`;
  if (service === 'proxy') return heap;
  return `${service === 'api' ? API_NODE_OPTIONS : CONTROL_PLANE_NODE_OPTIONS} ${heap}`;
}

/** The services each role runs, in start order. */
export const ROLE_SERVICES: Readonly<Record<HostRole, readonly RunnerService[]>> = Object.freeze({
  coordinator: ['api', 'constructor'],
  allocator: ['allocator'],
  proxy: ['proxy'],
  director: ['director'],
});

/** Where and how the host's services are configured (a slice of the runner config). */
export interface LaunchContext {
  readonly hostId: string;
  readonly address: string;
  readonly zone: string;
  readonly zkConnectString: string;
  readonly zkChroot: string;
  /** The runner's WHARF_HOME; each service gets `<home>/hosts/<host>`. */
  readonly home: string;
  readonly logLevel: string;
  readonly domain: string;
  readonly apiPort: number;
  readonly proxyPort: number;
  /** Port of the director's HTTPS enrolment endpoint (director role), on `address`. */
  readonly directorPort: number;
  readonly portRange: string;
  /**
   * Secure mode: the host's TLS directory (`wharf host enrol --dir`); each service gets
   * `WHARF_ZK_TLS_*` of its own `<tlsDir>/<service>/`. Undefined: plain mode.
   */
  readonly tlsDir?: string;
  /**
   * Secure mode: the api's HTTPS server certificate directory (`<tlsDir>/api-https`, see
   * `apiHttpsDirIn`). Set: the api serves HTTPS only, and its health URL is `https://`.
   */
  readonly apiTlsDir?: string;
  /**
   * Services of this host's roles that the host starts before its runner, so the runner leaves
   * them alone: a director owning a ZooKeeper member must run before any session can open.
   */
  readonly hostServices?: readonly RunnerService[];
}

/** Everything needed to start one service. */
export interface ServiceLaunchSpec {
  /** WHARF_ID: `<service>-<host>`. */
  readonly id: string;
  readonly service: RunnerService;
  /** Variables the service must see (on top of the inherited environment). */
  readonly env: Readonly<Record<string, string>>;
  /** The port it serves clients on (api, proxy). */
  readonly port?: number;
  /** GET this; 200 means healthy (api, proxy). */
  readonly healthUrl?: string;
  readonly logFile: string;
  /**
   * Where the process launcher records the service's pid (`<host home>/run/<id>.pid`), so a
   * restarted runner can stop what its crashed predecessor left running.
   */
  readonly pidFile: string;
}

/** The per-host state directory under the runner's home. */
export function hostHome(home: string, hostId: string): string {
  return join(home, 'hosts', hostId);
}

/** The services `roles` call for, deduplicated, in a stable order. */
export function servicesForRoles(roles: readonly HostRole[]): RunnerService[] {
  const wanted = new Set(roles.flatMap((role) => ROLE_SERVICES[role]));
  return RUNNER_SERVICES.filter((service) => wanted.has(service));
}

/** A service's id on a host (`WHARF_ID`): `<service>-<host>`. */
export function serviceId(service: RunnerService, hostId: string): string {
  return `${service}-${hostId}`;
}

/** The services of `roles` that run beside the runner ({@link LaunchContext.hostServices}), with their ids. Pure. */
export function servicesBeside(
  ctx: Pick<LaunchContext, 'hostId' | 'hostServices'>,
  roles: readonly HostRole[],
): { service: RunnerService; id: string }[] {
  return servicesForRoles(roles)
    .filter((service) => ctx.hostServices?.includes(service))
    .map((service) => ({ service, id: serviceId(service, ctx.hostId) }));
}

/** The launch specs for `roles` on this host. Pure. */
export function planLaunches(ctx: LaunchContext, roles: readonly HostRole[]): ServiceLaunchSpec[] {
  const home = hostHome(ctx.home, ctx.hostId);
  const ours = servicesForRoles(roles).filter((service) => !ctx.hostServices?.includes(service));
  return ours.map((service) => {
    const id = serviceId(service, ctx.hostId);
    const common: Record<string, string> = {
      WHARF_ZK: ctx.zkConnectString,
      WHARF_ZK_CHROOT: ctx.zkChroot,
      WHARF_HOME: home,
      WHARF_LOG_LEVEL: ctx.logLevel,
      WHARF_ID: id,
      WHARF_ZONE: ctx.zone,
      NODE_OPTIONS: serviceNodeOptions(service),
      ...(ctx.tlsDir === undefined ? {} : serviceTlsEnv(ctx.tlsDir, service)),
    };
    const logFile = join(home, 'logs', `${id}.log`);
    const pidFile = join(home, 'run', `${id}.pid`);
    switch (service) {
      case 'api':
        return {
          id,
          service,
          logFile,
          pidFile,
          env: {
            ...common,
            WHARF_API_HOST: ctx.address,
            WHARF_API_PORT: String(ctx.apiPort),
            WHARF_DOMAIN: ctx.domain,
            ...(ctx.apiTlsDir === undefined ? {} : apiHttpsEnv(ctx.apiTlsDir)),
          },
          port: ctx.apiPort,
          healthUrl: `${ctx.apiTlsDir === undefined ? 'http' : 'https'}://${ctx.address}:${ctx.apiPort}/api/v1/health`,
        };
      case 'proxy':
        return {
          id,
          service,
          logFile,
          pidFile,
          env: {
            ...common,
            WHARF_PROXY_HOST: ctx.address,
            WHARF_PROXY_PORT: String(ctx.proxyPort),
            WHARF_DOMAIN: ctx.domain,
          },
          port: ctx.proxyPort,
          healthUrl: `http://${ctx.address}:${ctx.proxyPort}/_health`,
        };
      case 'allocator':
        return {
          id,
          service,
          logFile,
          pidFile,
          env: { ...common, WHARF_ALLOCATOR_HOST: ctx.address, WHARF_PORT_RANGE: ctx.portRange },
        };
      case 'constructor':
        return { id, service, logFile, pidFile, env: common };
      case 'director':
        // The CA lives in <host home>/ca; the enrolment endpoint listens on the host address.
        return {
          id,
          service,
          logFile,
          pidFile,
          env: { ...common, WHARF_DIRECTOR_HOST: ctx.address, WHARF_DIRECTOR_PORT: String(ctx.directorPort) },
          port: ctx.directorPort,
        };
    }
  });
}
