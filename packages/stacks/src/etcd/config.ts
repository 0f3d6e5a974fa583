/**
 * etcd's command line, rendered as a pure function of the instance context. Every flag is
 * explicit (etcd also reads `ETCD_*` variables; the environment is left empty so nothing else
 * can change its behaviour).
 */
import { isIP } from 'node:net';
import { assertId, WharfError } from '@wharf/model';
import { assertVersion, portOf } from '../endpoint';
import { baseUrl } from '../http-client';
import { assertKnownKeys, integerSetting, invalidSetting, stringSetting } from '../settings';
import { type ClusterInfo, type InstanceCommand, type InstanceContext, type MemberEndpoint } from '../types';

/** Resource key of the etcd stack. */
export const ETCD_KIND = 'etcd';
/** Versions a plan may ask for: Debian's etcd-server 3.4 is what this host runs. */
export const ETCD_VERSIONS: readonly string[] = Object.freeze(['3.4']);
/** Debian's etcd-server binary. */
export const ETCD_BINARY = '/usr/bin/etcd';
/** Image repository for container runtimes; the tag is the version, the argv is the same. */
export const ETCD_IMAGE_REPOSITORY = 'wharf/etcd';
/** Client (proxied) and peer (raft) ports. */
export const ETCD_PORT_NAMES: readonly string[] = Object.freeze(['client', 'peer']);

/** etcd's own default (100 ms): on one host or one LAN the round trip is far below it. */
export const DEFAULT_HEARTBEAT_INTERVAL_MS = 100;
/**
 * etcd's default (10 heartbeats). Shorter elections would start clusters faster, but on a busy
 * host an fsync stall could then cause spurious leader changes; plans may tune it.
 */
export const DEFAULT_ELECTION_TIMEOUT_MS = 1_000;
/**
 * Start offset between the members of a new cluster with Docker instances, by rank in the member
 * list (0, 300, 600 ms). etcd 3.4 asks the other members "were you bootstrapped already?" (`GET
 * /members` on their peer ports, 1 s timeout each, no flag to change it) after it has opened its
 * own peer listener but before it serves it. Members started within a few tens of milliseconds
 * of each other each find the others listening but not answering, wait the whole second for
 * each, and the first election comes 1–2 s late: 9 of 15 creates with Docker instances
 * (docs/benchmarks.md). 300 ms apart, each member asks while the earlier ones answer or are
 * about to: 0 of 15 (2 of 15 in a busier run; 200 ms let container-start jitter through more
 * often). Median plan-to-routable 2.45 s → 1.88 s, p95 3.97 s → 2.73 s. The last member
 * starting 600 ms later costs little: the first leader waits for all three to be connected
 * anyway (etcd fast-forwards its first election only then).
 * `user_settings.bootstrap_stagger_ms` overrides it (0: all at once).
 */
export const BOOTSTRAP_STAGGER_MS = 300;
/**
 * The same for process instances (or an unknown runtime), which start within milliseconds and
 * with little jitter: a shorter offset suffices, and a longer one only delays the last member.
 */
export const PROCESS_BOOTSTRAP_STAGGER_MS = 100;
/** etcd refuses an election timeout below 5 heartbeats. */
const MIN_ELECTIONS_PER_HEARTBEAT = 5;
/** Share of the instance's memory given to the backend quota: bbolt is memory-mapped and should fit in RAM. */
export const QUOTA_MEMORY_FRACTION = 0.5;
/** Smallest backend quota (64 MiB): below it a few thousand keys would trip the NOSPACE alarm. */
export const MIN_QUOTA_BACKEND_MB = 64;
/** Largest backend quota (8 GiB): etcd's documented maximum suggestion. */
export const MAX_QUOTA_BACKEND_MB = 8_192;
/** Raft entries between snapshots: etcd 3.5's default, which keeps memory far below 3.4's 100000. */
export const SNAPSHOT_COUNT = 10_000;
/** Keep one hour of history: bounds the backend's growth (3.4 never compacts by default). */
export const AUTO_COMPACTION_RETENTION = '1h';

const SETTING_KEYS = [
  'heartbeat_interval_ms',
  'election_timeout_ms',
  'quota_backend_mb',
  'log_level',
  'bootstrap_stagger_ms',
  'authentication',
] as const;
const TOKEN_REGEX = /^[A-Za-z0-9._-]{1,128}$/;
const HOSTNAME_REGEX = /^[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$/;

/** Tunables read from `user_settings`. */
export interface EtcdSettings {
  heartbeatIntervalMs: number;
  electionTimeoutMs: number;
  quotaBackendMb?: number;
  logLevel: string;
  /** Start offset between a new cluster's members; undefined: the runtime's default. */
  bootstrapStaggerMs?: number;
  /**
   * Client authentication (`root` + the platform's user) turned on when the cluster is created;
   * default true. Read at creation only: later plans neither turn it on nor off.
   */
  authentication: boolean;
}

/** True unless `settings.authentication` is false (`authentication` must be a boolean when given). */
export function etcdAuthenticationWanted(settings: Record<string, unknown>): boolean {
  const value = settings.authentication;
  if (value !== undefined && typeof value !== 'boolean')
    throw invalidSetting('authentication', 'must be a boolean');
  return value !== false;
}

/** Validates etcd's `user_settings` and fills defaults. */
export function parseEtcdSettings(settings: Record<string, unknown>): EtcdSettings {
  assertKnownKeys(settings, SETTING_KEYS);
  const heartbeatIntervalMs = integerSetting(
    settings,
    'heartbeat_interval_ms',
    { min: 10, max: 5_000 },
    DEFAULT_HEARTBEAT_INTERVAL_MS,
  );
  const electionTimeoutMs = integerSetting(
    settings,
    'election_timeout_ms',
    { min: 50, max: 50_000 },
    DEFAULT_ELECTION_TIMEOUT_MS,
  );
  if (electionTimeoutMs < MIN_ELECTIONS_PER_HEARTBEAT * heartbeatIntervalMs) {
    throw invalidSetting(
      'election_timeout_ms',
      `must be at least ${MIN_ELECTIONS_PER_HEARTBEAT}x heartbeat_interval_ms`,
    );
  }
  const quota = integerSetting(settings, 'quota_backend_mb', { min: 16, max: MAX_QUOTA_BACKEND_MB }, 0);
  const logLevel = stringSetting(settings, 'log_level', /^(debug|info|warn|error)$/, 'info');
  const stagger =
    settings.bootstrap_stagger_ms === undefined
      ? undefined
      : integerSetting(settings, 'bootstrap_stagger_ms', { min: 0, max: 1_000 }, 0);
  return {
    heartbeatIntervalMs,
    electionTimeoutMs,
    logLevel,
    authentication: etcdAuthenticationWanted(settings),
    ...(stagger === undefined ? {} : { bootstrapStaggerMs: stagger }),
    ...(quota > 0 ? { quotaBackendMb: quota } : {}),
  };
}

/** Backend quota in bytes: half the instance memory within [64 MiB, 8 GiB], unless a setting says otherwise. */
export function quotaBackendBytes(memoryMb: number, overrideMb?: number): number {
  const mb =
    overrideMb ??
    Math.min(
      MAX_QUOTA_BACKEND_MB,
      Math.max(MIN_QUOTA_BACKEND_MB, Math.floor(memoryMb * QUOTA_MEMORY_FRACTION)),
    );
  return mb * 1_048_576;
}

function assertHost(host: string): void {
  if (isIP(host) === 0 && !HOSTNAME_REGEX.test(host)) {
    throw new WharfError('WHARF_STACK_ERROR', 'invalid member host', {
      details: { host: host.slice(0, 80) },
    });
  }
}

/** `http://host:peer` of a member. */
export function peerUrlOf(member: MemberEndpoint): string {
  assertHost(member.host);
  return baseUrl(member.host, portOf(member, 'peer'));
}

/** `http://host:client` of a member. */
export function clientUrlOf(member: MemberEndpoint): string {
  assertHost(member.host);
  return baseUrl(member.host, portOf(member, 'client'));
}

/** etcd's `--initial-cluster`: `name=peerURL,...` (names are ids, so never contain `=` or `,`). */
export function initialClusterOf(members: readonly MemberEndpoint[]): string {
  return members.map((m) => `${assertId('instance', m.name)}=${peerUrlOf(m)}`).join(',');
}

/** A cluster token unique to one bootstrap of one deployment. */
export function etcdClusterToken(deploymentId: string, nonce: string): string {
  const token = `wharf-${deploymentId}-${nonce}`;
  if (!TOKEN_REGEX.test(token)) {
    throw new WharfError('WHARF_STACK_ERROR', 'cluster token must be 1-128 of [A-Za-z0-9._-]', {
      details: { token },
    });
  }
  return token;
}

function assertSelfListed(ctx: InstanceContext, cluster: ClusterInfo): void {
  const self = cluster.members.find((m) => m.name === ctx.instanceId);
  if (
    !self ||
    peerUrlOf(self) !== baseUrl(ctx.host, portOf({ name: ctx.instanceId, ports: ctx.ports }, 'peer'))
  ) {
    throw new WharfError(
      'WHARF_STACK_ERROR',
      'the instance must be listed in its cluster members with its own peer URL',
      {
        details: { instance: ctx.instanceId },
      },
    );
  }
  if (!TOKEN_REGEX.test(cluster.token)) {
    throw new WharfError('WHARF_STACK_ERROR', 'invalid cluster token', {
      details: { instance: ctx.instanceId },
    });
  }
}

/** etcd's argv for one instance (new or joining member); pure. */
export function renderEtcdArgv(ctx: InstanceContext, binary: string = ETCD_BINARY): string[] {
  assertVersion(ETCD_KIND, ETCD_VERSIONS, ctx.version);
  assertId('instance', ctx.instanceId);
  assertHost(ctx.host);
  const bind = ctx.bindHost ?? ctx.host;
  assertHost(bind);
  assertSelfListed(ctx, ctx.cluster);
  const settings = parseEtcdSettings(ctx.settings);
  const client = portOf({ name: ctx.instanceId, ports: ctx.ports }, 'client');
  const peer = portOf({ name: ctx.instanceId, ports: ctx.ports }, 'peer');
  return [
    binary,
    `--name=${ctx.instanceId}`,
    `--data-dir=${ctx.dataDir}`,
    `--listen-client-urls=${baseUrl(bind, client)}`,
    `--advertise-client-urls=${baseUrl(ctx.host, client)}`,
    `--listen-peer-urls=${baseUrl(bind, peer)}`,
    `--initial-advertise-peer-urls=${baseUrl(ctx.host, peer)}`,
    `--initial-cluster=${initialClusterOf(ctx.cluster.members)}`,
    `--initial-cluster-state=${ctx.cluster.state}`,
    `--initial-cluster-token=${ctx.cluster.token}`,
    `--heartbeat-interval=${settings.heartbeatIntervalMs}`,
    `--election-timeout=${settings.electionTimeoutMs}`,
    `--quota-backend-bytes=${quotaBackendBytes(ctx.memoryMb, settings.quotaBackendMb)}`,
    `--snapshot-count=${SNAPSHOT_COUNT}`,
    '--auto-compaction-mode=periodic',
    `--auto-compaction-retention=${AUTO_COMPACTION_RETENTION}`,
    '--strict-reconfig-check=true',
    '--pre-vote=true',
    '--logger=zap',
    '--log-outputs=stderr',
    `--log-level=${settings.logLevel}`,
  ];
}

/** The full command of an etcd instance. */
export function etcdCommand(ctx: InstanceContext, binary: string = ETCD_BINARY): InstanceCommand {
  const command: InstanceCommand = {
    argv: renderEtcdArgv(ctx, binary),
    env: {},
    image: `${ETCD_IMAGE_REPOSITORY}:${ctx.version}`,
  };
  const stagger =
    parseEtcdSettings(ctx.settings).bootstrapStaggerMs ??
    (ctx.runtime === 'docker' ? BOOTSTRAP_STAGGER_MS : PROCESS_BOOTSTRAP_STAGGER_MS);
  const delay = bootstrapDelayMs(ctx.cluster, ctx.instanceId, stagger);
  return delay > 0 ? { ...command, startDelayMs: delay } : command;
}

/**
 * A new cluster's members start `staggerMs` apart in member-list order (the list is the same in
 * every member's spec); a member joining a running cluster starts at once.
 */
export function bootstrapDelayMs(cluster: ClusterInfo, instanceId: string, staggerMs: number): number {
  if (cluster.state !== 'new') return 0;
  const rank = cluster.members.findIndex((member) => member.name === instanceId);
  return rank > 0 ? rank * staggerMs : 0;
}
