/**
 * The configuration of the single-host platform, as `wharf up` compiles it (the CLI's
 * `compileUpConfig`: flags, environment, defaults) and as {@link PlatformSupervisor} runs it.
 * Frozen and validated before it gets here; nothing in this package re-reads flags or env.
 */
import { type LogLevel } from '@wharf/observability';

/** Every address the platform binds or advertises: loopback only. */
export const LOOPBACK = '127.0.0.1';
/** How the runners run their services: child processes, or `wharf/<svc>` containers. */
export const UP_MODES = ['process', 'docker'] as const;
/** A runner mode. */
export type UpMode = (typeof UP_MODES)[number];

/** One allocator of the embedded platform. */
export interface AllocatorSettings {
  readonly id: string;
  readonly zone: string;
  readonly portRange: { readonly from: number; readonly to: number };
  readonly capacityMb: number;
}

/** Where ZooKeeper is and where an embedded one would listen. */
export interface ZooKeeperSettings {
  /** The connect string probed first (`WHARF_ZK`). */
  readonly connectString: string;
  /** True when nothing answering there may be replaced by an embedded server on this host. */
  readonly embeddable: boolean;
  /** Client port of the embedded server. */
  readonly embeddedPort: number;
  /** Data directory of the embedded server. */
  readonly dataDir: string;
  /** WHARF_ZK_CHROOT for the services; undefined leaves their default. */
  readonly chroot?: string;
  /** Quorum and election ports of each director's ensemble member (default 2888 and 3888). */
  readonly peerPorts?: { readonly quorum: number; readonly election: number };
}

/** The validated, frozen configuration of `wharf up`. */
export interface UpConfig {
  readonly home: string;
  readonly zk: ZooKeeperSettings;
  readonly apiPort: number;
  readonly proxyPorts: readonly number[];
  readonly constructors: number;
  /**
   * Hosts with the director role (0, 1 or 3): host-1 (and with 3, hosts 2 and 3) run a director —
   * the installation's CA, host enrolment and ZooKeeper quorum health — and each director runs
   * its ZooKeeper ensemble member (director-ensemble.ts; one director is a quorum of one). With 0,
   * or an external ZooKeeper, the directors own none and `wharf up` embeds or uses one.
   */
  readonly directors: number;
  /** The director's HTTPS enrolment port; 0 picks a free one at start (it is in `/director/<id>`). */
  readonly directorPort: number;
  readonly allocators: readonly AllocatorSettings[];
  readonly zones: readonly string[];
  /** WHARF_CPUS for each allocator; undefined leaves the allocator's default. */
  readonly cpus?: number;
  /** First runner metrics port (one per host, in host order); 0 picks free ports at start. */
  readonly metricsPortBase: number;
  readonly domain: string;
  readonly logLevel: LogLevel;
  readonly startTimeoutMs: number;
  readonly stopTimeoutMs: number;
  /** Directory holding `<service>/dist/main.js`; undefined resolves the installed `@wharf/*` packages. */
  readonly servicesRoot?: string;
  /** WHARF_RUNNER_MODE of every runner. */
  readonly mode: UpMode;
  /**
   * Prepended to every simulated host id (`<prefix>host-1`): host ids name containers and
   * allocator ids, so two installations sharing one Docker engine need different prefixes.
   */
  readonly hostPrefix: string;
  /**
   * Secure mode (`--secure`): a CA and a certificate per service made at start, ZooKeeper on a
   * TLS-only port that requires them, and every service's session authenticated by its
   * certificate, with ACLs by role (docs/security.md).
   */
  readonly secure: boolean;
}

/** ZooKeeper's conventional peer ports (followers ↔ leader, leader election). */
export const DEFAULT_ZK_PEER_PORTS = Object.freeze({ quorum: 2888, election: 3888 });

/**
 * True when the directors run the ZooKeeper ensemble rather than `wharf up`: with three, always
 * (up-config refuses an external one); with one, unless `WHARF_ZK` names a remote ZooKeeper — one
 * that merely answers on the local address is found at start (PlatformZooKeeper); with none, never.
 */
export function directorsOwnZooKeeper(config: Pick<UpConfig, 'directors' | 'zk'>): boolean {
  return config.directors > 1 || (config.directors === 1 && config.zk.embeddable);
}

/** How many hosts `wharf up` simulates: enough for every allocator, coordinator and proxy. */
export function hostCount(config: Pick<UpConfig, 'allocators' | 'constructors' | 'proxyPorts'>): number {
  return Math.max(config.allocators.length, config.constructors, config.proxyPorts.length);
}

/** Every port the platform itself listens on (not the instance ranges). */
export function fixedPorts(config: UpConfig): { name: string; port: number }[] {
  const ports = [
    { name: 'api', port: config.apiPort },
    ...config.proxyPorts.map((port, i) => ({ name: `proxy-${i + 1}`, port })),
  ];
  if (config.zk.embeddable) ports.push({ name: 'zookeeper', port: config.zk.embeddedPort });
  // One director picks free peer ports unless told (member-ports.ts): only fixed ones are checked.
  if (directorsOwnZooKeeper(config) && (config.directors > 1 || config.zk.peerPorts !== undefined)) {
    const peers = config.zk.peerPorts ?? DEFAULT_ZK_PEER_PORTS;
    ports.push(
      { name: 'zookeeper quorum', port: peers.quorum },
      { name: 'zookeeper election', port: peers.election },
    );
  }
  if (config.directors > 0 && config.directorPort > 0)
    ports.push({ name: 'director', port: config.directorPort });
  if (config.metricsPortBase > 0) {
    const count = hostCount(config);
    for (let i = 0; i < count; i++) ports.push({ name: 'metrics', port: config.metricsPortBase + i });
  }
  return ports;
}
