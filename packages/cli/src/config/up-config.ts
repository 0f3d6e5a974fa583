/**
 * `wharf up` configuration: flags win over environment variables, which win over defaults.
 * {@link compileUpConfig} fills every default once, checks the whole layout (ports, ranges,
 * counts) and returns a frozen value; nothing later re-reads flags or the environment.
 */
import { resolve } from 'node:path';
import { isLogLevel } from '@wharf/observability';
import { LOOPBACK, UP_MODES, type UpConfig, type UpMode, type ZooKeeperSettings } from '@wharf/platform';
import { directorsOwnZooKeeper, fixedPorts, hostCount } from '@wharf/platform';
import { type HostPort, MAX_PORT, invalidOption, isLoopbackHost, parseConnectString } from './values';
import { parseIdList, parseInteger, parsePort, parsePortList } from './values';

/** Raw `wharf up` options as commander hands them over (strings; undefined when not given). */
export interface UpOptions {
  home?: string;
  zk?: string;
  zkPort?: string;
  zkChroot?: string;
  zkPeerPorts?: string;
  apiPort?: string;
  proxyPorts?: string;
  constructors?: string;
  directors?: string;
  directorPort?: string;
  allocators?: string;
  zones?: string;
  portBase?: string;
  portsPerAllocator?: string;
  capacityMb?: string;
  cpus?: string;
  metricsPortBase?: string;
  domain?: string;
  logLevel?: string;
  timeout?: string;
  stopTimeout?: string;
  servicesRoot?: string;
  mode?: string;
  hostPrefix?: string;
  /** `--secure` (a flag; WHARF_SECURE=1 in the environment). */
  secure?: string | boolean;
}

/** The environment variable that stands in for each option when the flag is absent. */
export const UP_ENV: Readonly<Record<keyof UpOptions, string>> = Object.freeze({
  home: 'WHARF_HOME',
  zk: 'WHARF_ZK',
  zkPort: 'WHARF_ZK_PORT',
  zkChroot: 'WHARF_ZK_CHROOT',
  zkPeerPorts: 'WHARF_ZK_PEER_PORTS',
  apiPort: 'WHARF_API_PORT',
  proxyPorts: 'WHARF_PROXY_PORTS',
  constructors: 'WHARF_CONSTRUCTORS',
  directors: 'WHARF_DIRECTORS',
  directorPort: 'WHARF_DIRECTOR_PORT',
  allocators: 'WHARF_ALLOCATORS',
  zones: 'WHARF_ZONES',
  portBase: 'WHARF_PORT_BASE',
  portsPerAllocator: 'WHARF_PORTS_PER_ALLOCATOR',
  capacityMb: 'WHARF_CAPACITY_MB',
  cpus: 'WHARF_CPUS',
  metricsPortBase: 'WHARF_METRICS_PORT_BASE',
  domain: 'WHARF_DOMAIN',
  logLevel: 'WHARF_LOG_LEVEL',
  timeout: 'WHARF_UP_TIMEOUT',
  stopTimeout: 'WHARF_STOP_TIMEOUT',
  servicesRoot: 'WHARF_SERVICES_ROOT',
  mode: 'WHARF_RUNNER_MODE',
  hostPrefix: 'WHARF_HOST_PREFIX',
  secure: 'WHARF_SECURE',
});

/** State directory when neither `--home` nor WHARF_HOME is given (ARCHITECTURE.md, "Default ports"). */
export const DEFAULT_HOME = '.wharf';
/** ZooKeeper's conventional client port. */
export const DEFAULT_ZK_PORT = 2181;
/** API + console port (ARCHITECTURE.md, "Default ports"). */
export const DEFAULT_API_PORT = 12_400;
/** Two proxies, so a client can fail over between them on one host. */
export const DEFAULT_PROXY_PORTS: readonly number[] = [9200, 9201];
/** One leader and one standby: enough to show a constructor fail-over on one host. */
export const DEFAULT_CONSTRUCTORS = 2;
/**
 * One director (host-1): the CA, enrolment and quorum health, next to `wharf up`'s ZooKeeper.
 * Three (`--directors 3`): hosts 1–3 are directors and each runs its ZooKeeper ensemble member.
 */
export const DEFAULT_DIRECTORS = 1;
/**
 * Director counts `wharf up` runs: none, one, or an ensemble of three (survives one loss). Two
 * would survive none, and more than three is more than a one-machine simulation needs.
 */
export const UP_DIRECTOR_COUNTS: readonly number[] = Object.freeze([0, 1, 3]);
/** See {@link UP_DIRECTOR_COUNTS}. */
export const MAX_UP_DIRECTORS = 3;
/** One allocator per zone, so a 3-zone deployment can spread. */
export const DEFAULT_ALLOCATORS = 3;
/** Zones allocators are spread over, round robin. */
export const DEFAULT_ZONES: readonly string[] = ['zone-a', 'zone-b', 'zone-c'];
/** First port of the first allocator's instance port range (coordination.md's allocator default). */
export const DEFAULT_PORT_BASE = 20_000;
/** Ports per allocator: every instance takes 1–2 ports, so 1000 is never the limit on one host. */
export const DEFAULT_PORTS_PER_ALLOCATOR = 1000;
/**
 * Upper bound of each allocator's advertised memory by default: the embedded platform is for
 * development, and advertising a big host's whole RAM three times over invites plans that thrash it.
 */
export const DEFAULT_CAPACITY_CAP_MB = 4096;
/** Floor of each allocator's default capacity, so a small host can still place a few instances. */
export const MIN_DEFAULT_CAPACITY_MB = 256;
/** Share of host RAM the allocators advertise together (coordination.md's allocator default). */
export const HOST_MEMORY_SHARE = 0.85;
/** Limits that catch typos (`--allocators 300`) rather than real needs. */
export const MAX_ALLOCATORS = 32;
/** See {@link MAX_ALLOCATORS}. */
export const MAX_CONSTRUCTORS = 8;
/** See {@link MAX_ALLOCATORS}. */
export const MAX_PROXIES = 8;
/**
 * How long `up` waits for every service to be healthy. Nine Node processes and a JVM compete for
 * the cores at boot (about 10 s on 2 cores); 60 s means something is wrong, and it stays under the
 * 90 s bound the end-to-end harness puts on `wharf up --detach`.
 */
export const DEFAULT_START_TIMEOUT_S = 60;
/** How long a service gets between SIGTERM and SIGKILL: closing a ZooKeeper session and HTTP servers takes a few seconds. */
export const DEFAULT_STOP_TIMEOUT_S = 10;
/** Deployments are reached at `<id>.<domain>`. */
export const DEFAULT_DOMAIN = 'localhost';
/** Most simulated hosts: each takes a loopback address 127.0.0.<n>. */
export const MAX_HOSTS = 32;

/** What `compileUpConfig` needs to know about the host. */
export interface HostFacts {
  readonly totalMemoryBytes: number;
}

type Env = Readonly<Record<string, string | undefined>>;

/** Fills defaults, validates, and freezes the configuration of `wharf up`. */
export function compileUpConfig(options: UpOptions, env: Env, cwd: string, host: HostFacts): UpConfig {
  const pick = (key: keyof UpOptions): { name: string; raw: string } | undefined => {
    const flag = options[key];
    if (flag !== undefined) return { name: optionFlag(key), raw: String(flag) };
    const fromEnv = env[UP_ENV[key]];
    return fromEnv === undefined || fromEnv === '' ? undefined : { name: UP_ENV[key], raw: fromEnv };
  };
  const int = (key: keyof UpOptions, fallback: number, min: number, max: number): number => {
    const got = pick(key);
    return got ? parseInteger(got.name, got.raw, min, max) : fallback;
  };
  const home = resolve(cwd, pick('home')?.raw ?? DEFAULT_HOME);
  const zk = withPeerPorts(compileZooKeeper(pick, home), pick('zkPeerPorts'));
  const apiPortOpt = pick('apiPort');
  const apiPort = apiPortOpt ? parsePort(apiPortOpt.name, apiPortOpt.raw) : DEFAULT_API_PORT;
  const proxyOpt = pick('proxyPorts');
  const proxyPorts = proxyOpt ? parsePortList(proxyOpt.name, proxyOpt.raw) : [...DEFAULT_PROXY_PORTS];
  if (proxyPorts.length > MAX_PROXIES) throw invalidOption('--proxy-ports', `at most ${MAX_PROXIES} proxies`);
  const constructors = int('constructors', DEFAULT_CONSTRUCTORS, 1, MAX_CONSTRUCTORS);
  const directors = int('directors', DEFAULT_DIRECTORS, 0, MAX_UP_DIRECTORS);
  const directorPortOpt = pick('directorPort');
  const directorPort = directorPortOpt
    ? parseInteger(directorPortOpt.name, directorPortOpt.raw, 0, MAX_PORT)
    : 0;
  const allocatorCount = int('allocators', DEFAULT_ALLOCATORS, 1, MAX_ALLOCATORS);
  const zonesOpt = pick('zones');
  const zones = zonesOpt ? parseIdList(zonesOpt.name, zonesOpt.raw) : [...DEFAULT_ZONES];
  const portBase = int('portBase', DEFAULT_PORT_BASE, 1024, MAX_PORT);
  const portsPerAllocator = int('portsPerAllocator', DEFAULT_PORTS_PER_ALLOCATOR, 2, MAX_PORT);
  const capacityMb = int('capacityMb', defaultCapacityMb(host, allocatorCount), 1, 16 * 1024 * 1024);
  const cpusOpt = pick('cpus');
  const cpus = cpusOpt ? parseCpus(cpusOpt.name, cpusOpt.raw) : undefined;
  const metricsPortBase = int('metricsPortBase', 0, 0, MAX_PORT);
  const domain = pick('domain')?.raw ?? DEFAULT_DOMAIN;
  if (!/^[a-z0-9.-]{1,253}$/.test(domain)) throw invalidOption('--domain', 'expected a lowercase DNS name');
  const logLevel = pick('logLevel')?.raw ?? 'info';
  if (!isLogLevel(logLevel)) throw invalidOption('--log-level', 'expected error, warn, info or debug');
  const servicesRoot = pick('servicesRoot')?.raw;
  const modeOpt = pick('mode');
  const mode = modeOpt?.raw ?? 'process';
  if (!(UP_MODES as readonly string[]).includes(mode))
    throw invalidOption(modeOpt?.name ?? '--mode', `expected ${UP_MODES.join(' or ')}`);
  const hostPrefix = parseHostPrefix(pick('hostPrefix'));
  if (Math.max(allocatorCount, constructors, proxyPorts.length) > MAX_HOSTS)
    throw invalidOption('--allocators', `at most ${MAX_HOSTS} simulated hosts`);

  const allocators = Array.from({ length: allocatorCount }, (_, i) => {
    const from = portBase + i * portsPerAllocator;
    return Object.freeze({
      id: `allocator-${i + 1}`,
      zone: zones[i % zones.length]!,
      portRange: Object.freeze({ from, to: from + portsPerAllocator - 1 }),
      capacityMb,
    });
  });
  const config: UpConfig = {
    home,
    zk,
    apiPort,
    proxyPorts: Object.freeze(proxyPorts),
    constructors,
    directors,
    directorPort,
    allocators: Object.freeze(allocators),
    zones: Object.freeze(zones),
    ...(cpus === undefined ? {} : { cpus }),
    metricsPortBase,
    domain,
    logLevel,
    startTimeoutMs: int('timeout', DEFAULT_START_TIMEOUT_S, 1, 3600) * 1000,
    stopTimeoutMs: int('stopTimeout', DEFAULT_STOP_TIMEOUT_S, 1, 600) * 1000,
    ...(servicesRoot === undefined ? {} : { servicesRoot: resolve(cwd, servicesRoot) }),
    mode: mode as UpMode,
    hostPrefix,
    secure: parseSecure(pick('secure')),
  };
  checkPortLayout(config);
  checkDirectors(config);
  return Object.freeze(config);
}

/** `--zk-peer-ports <quorum>,<election>` of the directors' ensemble members. */
function withPeerPorts(
  zk: ZooKeeperSettings,
  opt: { name: string; raw: string } | undefined,
): ZooKeeperSettings {
  if (opt === undefined) return zk;
  const ports = parsePortList(opt.name, opt.raw);
  if (ports.length !== 2 || ports[0] === ports[1])
    throw invalidOption(opt.name, 'expected two different ports: <quorum>,<election>');
  return Object.freeze({ ...zk, peerPorts: Object.freeze({ quorum: ports[0]!, election: ports[1]! }) });
}

/** Three directors run the ensemble themselves: on hosts of their own, not with an external ZooKeeper. */
function checkDirectors(config: UpConfig): void {
  if (!UP_DIRECTOR_COUNTS.includes(config.directors))
    throw invalidOption('--directors', `expected ${UP_DIRECTOR_COUNTS.join(', ')}`);
  if (!directorsOwnZooKeeper(config)) return;
  if (hostCount(config) < config.directors)
    throw invalidOption('--directors', `${config.directors} directors need as many hosts (add allocators)`);
  if (!config.zk.embeddable)
    throw invalidOption('--directors', 'the directors run their own ZooKeeper: drop --zk / WHARF_ZK');
}

/** `--secure` / WHARF_SECURE: true, 1 or yes turn secure mode on; false, 0, no or absent leave it off. */
function parseSecure(opt: { name: string; raw: string } | undefined): boolean {
  if (opt === undefined) return false;
  if (/^(true|1|yes)$/i.test(opt.raw)) return true;
  if (/^(false|0|no)$/i.test(opt.raw)) return false;
  throw invalidOption(opt.name, 'expected true or false');
}

/** `--host-prefix`: '' when absent. */
function parseHostPrefix(opt: { name: string; raw: string } | undefined): string {
  const hostPrefix = opt?.raw ?? '';
  if (hostPrefix !== '' && !/^[a-z0-9][a-z0-9-]{0,30}$/.test(hostPrefix))
    throw invalidOption(opt!.name, 'expected lowercase letters, digits and dashes (at most 31)');
  return hostPrefix;
}

/** Per-allocator memory: an equal share of {@link HOST_MEMORY_SHARE} of RAM, within bounds. */
export function defaultCapacityMb(host: HostFacts, allocators: number): number {
  const shareMb = Math.floor(((host.totalMemoryBytes / (1024 * 1024)) * HOST_MEMORY_SHARE) / allocators);
  return Math.max(MIN_DEFAULT_CAPACITY_MB, Math.min(DEFAULT_CAPACITY_CAP_MB, shareMb));
}

function compileZooKeeper(
  pick: (key: 'zk' | 'zkPort' | 'zkChroot') => { name: string; raw: string } | undefined,
  home: string,
): ZooKeeperSettings {
  const [zkOpt, portOpt, chroot] = [pick('zk'), pick('zkPort'), pick('zkChroot')?.raw];
  const explicitPort = portOpt ? parsePort(portOpt.name, portOpt.raw) : undefined;
  const hosts: HostPort[] | undefined = zkOpt ? parseConnectString(zkOpt.name, zkOpt.raw) : undefined;
  const single = hosts?.length === 1 && isLoopbackHost(hosts[0]!.host) ? hosts[0] : undefined;
  const embeddedPort = explicitPort ?? single?.port ?? DEFAULT_ZK_PORT;
  if (chroot !== undefined && !/^(\/[A-Za-z0-9._-]+)+$/.test(chroot)) {
    throw invalidOption('WHARF_ZK_CHROOT', 'expected an absolute znode path such as /wharf');
  }
  return Object.freeze({
    connectString: zkOpt?.raw ?? `${LOOPBACK}:${embeddedPort}`,
    embeddable: hosts === undefined || single !== undefined,
    embeddedPort,
    dataDir: resolve(home, 'zookeeper'),
    ...(chroot === undefined ? {} : { chroot }),
  });
}

function checkPortLayout(config: UpConfig): void {
  const fixed = fixedPorts(config);
  const seen = new Map<number, string>();
  for (const { name, port } of fixed) {
    if (port > MAX_PORT) throw invalidOption('--metrics-port-base', 'metrics ports run past 65535');
    const other = seen.get(port);
    if (other !== undefined) throw invalidOption('ports', `${name} and ${other} both use port ${port}`);
    seen.set(port, name);
  }
  const last = config.allocators.at(-1)!.portRange.to;
  if (last > MAX_PORT) {
    throw invalidOption('--port-base', `allocator port ranges end at ${last}, past ${MAX_PORT}`);
  }
  for (const allocator of config.allocators) {
    const { from, to } = allocator.portRange;
    const clash = fixed.find(({ port }) => port >= from && port <= to);
    if (clash) {
      throw invalidOption(
        '--port-base',
        `${allocator.id}'s port range ${from}-${to} contains the ${clash.name} port ${clash.port}`,
      );
    }
  }
}

function parseCpus(name: string, raw: string): number {
  const value = Number(raw);
  if (!/^\d+(\.\d+)?$/.test(raw.trim()) || value <= 0)
    throw invalidOption(name, 'expected a positive number');
  return value;
}

/** The command-line flag of an option key (`apiPort` → `--api-port`). */
export function optionFlag(key: keyof UpOptions): string {
  return `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}
