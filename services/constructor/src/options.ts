/** Options of {@link createConstructor}, compiled once: defaults filled, validated, frozen. */
import { WharfError, isValidId } from '@wharf/model';
import { createMetrics, nullLogger, type Logger, type Metrics } from '@wharf/observability';
import { type ZkSession } from '@wharf/zk';
import { DEFAULT_RUNNER_TIMING, type RunnerTiming } from './apply/runner-deps';
import { SYSTEM_CLOCK, type ConstructorClock } from './clock';
import { DEFAULT_DELIVERY_POLICY, type DeliveryPolicy } from './events/delivery-plan';
import { DEFAULT_DEAD_LETTER_RETENTION_DAYS } from './events/notifier';
import { DEFAULT_UNAVAILABLE_ALERT_MS } from './health/heartbeat';
import { DEFAULT_METERING_RETENTION_DAYS } from './metering/retention';
import { type LeaderElection } from './leader/worker-latch';
import { type StackResolver } from './stack-port';

/**
 * Default allocator loss grace: 1 s (see {@link DEFAULT_TIMING}). Allocators hold their live node
 * on a short session (`DEFAULT_LIVENESS_SESSION_TIMEOUT_MS`, 3 s), so a dead host is unroutable
 * ~4-5 s after it died; a live node re-created after a stall (new session) is back within it.
 */
export const DEFAULT_ALLOCATOR_LOSS_GRACE_MS = 1_000;

/**
 * Default recovery grace: 10 s. An allocator restart or a liveness session re-established after a
 * stall is back within a few seconds; a host gone for 10 s is treated as dead and its instances
 * are re-placed (ECE waits 10 minutes and then only for an operator's vacate).
 */
export const DEFAULT_ALLOCATOR_RECOVER_GRACE_MS = 10_000;

/** Timing keys where 0 means "off" rather than an invalid value. */
const ZERO_DISABLES: ReadonlySet<string> = new Set(['allocatorRecoverGraceMs']);

/** Every tunable wait of the constructor. */
export interface ConstructorTiming extends RunnerTiming {
  /** Slow safety resync of deployments and routes (watches drive everything; this catches misses). */
  resyncMs: number;
  /** Coalesces bursts of cache events into one pass over the deployments. */
  reconcileDebounceMs: number;
  /** Coalesces status flaps into one pass over the routes. */
  routeHealthDebounceMs: number;
  /** Pause before re-driving an attempt that was interrupted or whose runner failed. */
  retryMs: number;
  /**
   * How long an allocator may be without its live node before route health marks its instances
   * unroutable (`WHARF_ALLOCATOR_LOSS_GRACE_MS`).
   */
  allocatorLossGraceMs: number;
  /**
   * How long an allocator may be without its live node before its instances are re-placed by a
   * `recover` plan (`WHARF_ALLOCATOR_RECOVER_GRACE_MS`); 0 disables recovery.
   */
  allocatorRecoverGraceMs: number;
}

/**
 * Defaults: a 30 s resync is cheap and bounds the cost of a lost watch; 50 ms of debounce lets a
 * transaction's several node events land together; 250 ms of route debounce absorbs a restart
 * burst (restarting → running) without delaying a real failure noticeably; 1 s between retries
 * keeps a ZooKeeper hiccup from turning into a hot loop. Allocator loss grace: 1 s on top of the
 * allocator's 3 s liveness session, so a dead host is unroutable ~4-5 s after it died; a liveness
 * session re-established after a stall re-creates the node within it. An allocator restarted by
 * hand (SIGTERM, then start) may be without `live` for longer: its instances are unroutable for
 * those seconds, which the proxies absorb when other members are healthy.
 */
export const DEFAULT_TIMING: Readonly<ConstructorTiming> = Object.freeze({
  ...DEFAULT_RUNNER_TIMING,
  resyncMs: 30_000,
  reconcileDebounceMs: 50,
  routeHealthDebounceMs: 250,
  retryMs: 1_000,
  allocatorLossGraceMs: DEFAULT_ALLOCATOR_LOSS_GRACE_MS,
  allocatorRecoverGraceMs: DEFAULT_ALLOCATOR_RECOVER_GRACE_MS,
});

/** Options of a constructor. */
export interface ConstructorOptions {
  /** A started ZooKeeper session (chroot already applied); the caller owns and closes it. */
  zk: ZkSession;
  /**
   * A started session with a short timeout for the leader latch only, so a standby takes over
   * seconds after a leader's host died while `zk` keeps its long timeout. Default: `zk`. The
   * caller owns and closes it.
   */
  leaderZk?: ZkSession;
  /**
   * The election to join instead of a {@link LeaderLatch} on `leaderZk` (`main.ts`: a
   * {@link WorkerLeaderLatch}, whose session no event-loop stall can starve). Called once.
   */
  election?: (latchPath: string, id: string) => LeaderElection;
  /** This constructor's id: the leader latch id and `/services/constructor/<id>`. */
  id: string;
  /** Finds the stack pack of a kind. */
  stacks: StackResolver;
  logger?: Logger;
  /** The service's metrics registry (`createMetrics('constructor')`); a fresh one when omitted. */
  metrics?: Metrics;
  clock?: ConstructorClock;
  timing?: Partial<ConstructorTiming>;
  /** Serve `/metrics` and `/health` on this port (0: any free port); no server when omitted. */
  metricsPort?: number;
  /**
   * Group commit on `zk` (`ZkSession.enableGroupCommit`): the writes of one event-loop turn go out
   * as one MULTI. Default off: fewer requests, but not measured faster end to end yet.
   */
  groupCommit?: boolean;
  /** Interface of the observability server. Default loopback. */
  metricsHost?: string;
  /** Address written in the service registration. */
  address?: string;
  /** Version written in the service registration. */
  version?: string;
  /** Between two heartbeat rounds of the leader (`health/heartbeat.ts`); 0: no heartbeat. Default 10 s. */
  heartbeatIntervalMs?: number;
  /** Between two writes of the heartbeat's counts. Default 60 s. */
  heartbeatFlushMs?: number;
  /** The metering tick (`metering/metering-loop.ts`); 0: no metering. Default 60 s. */
  meteringTickMs?: number;
  /** Metering day documents older than this many days are deleted (0: kept forever). Default 400. */
  meteringRetentionDays?: number;
  /** Between two rounds of the webhook notifier (`events/notifier.ts`); 0: none. Default 1 s. */
  notifierTickMs?: number;
  /** Webhook retries and dead-lettering; default `DEFAULT_DELIVERY_POLICY`. */
  deliveryPolicy?: DeliveryPolicy;
  /** Dead letters older than this many days are deleted (0: kept, up to 100 per target). Default 30. */
  deadLetterRetentionDays?: number;
  /** A deployment failing every heartbeat probe this long is reported. Default 60 s. */
  unavailableAlertMs?: number;
}

/** {@link ConstructorOptions} with defaults filled in. */
export interface CompiledConstructorOptions {
  readonly zk: ZkSession;
  readonly leaderZk: ZkSession;
  readonly election: ((latchPath: string, id: string) => LeaderElection) | undefined;
  readonly id: string;
  readonly stacks: StackResolver;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly clock: ConstructorClock;
  readonly timing: Readonly<ConstructorTiming>;
  readonly metricsPort: number | undefined;
  readonly groupCommit: boolean;
  readonly metricsHost: string;
  readonly address: string;
  readonly version: string;
  readonly heartbeatIntervalMs: number;
  readonly heartbeatFlushMs: number;
  readonly meteringTickMs: number;
  readonly meteringRetentionDays: number;
  readonly notifierTickMs: number;
  readonly deliveryPolicy: DeliveryPolicy;
  readonly deadLetterRetentionDays: number;
  readonly unavailableAlertMs: number;
}

/** The heartbeat probes each deployment every 10 s and writes its counts every minute. */
export const DEFAULT_HEARTBEAT_INTERVAL_MS = 10_000;
export const DEFAULT_HEARTBEAT_FLUSH_MS = 60_000;
/** Usage is metered per minute. */
export const DEFAULT_METERING_TICK_MS = 60_000;
export { DEFAULT_METERING_RETENTION_DAYS };
/** New events reach webhooks within a second; a round with nothing new costs two reads. */
export const DEFAULT_NOTIFIER_TICK_MS = 1_000;

/** Loopback: metrics and health are not for the whole network. */
const DEFAULT_METRICS_HOST = '127.0.0.1';
/** Reported when the caller does not say. */
const DEFAULT_VERSION = '0.1.0';

/** Fills defaults and validates once. Throws `WHARF_VALIDATION` on a bad option. */
export function compileConstructorOptions(options: ConstructorOptions): CompiledConstructorOptions {
  if (!isValidId(options.id)) invalid('id', options.id, 'must be a valid id (lowercase DNS label)');
  const timing = { ...DEFAULT_TIMING, ...options.timing };
  for (const [key, value] of Object.entries(timing)) {
    if (ZERO_DISABLES.has(key) && value === 0) continue;
    if (!Number.isFinite(value) || value <= 0) invalid(`timing.${key}`, value, 'must be a positive number');
  }
  if (
    options.metricsPort !== undefined &&
    !(Number.isInteger(options.metricsPort) && options.metricsPort >= 0 && options.metricsPort <= 65535)
  ) {
    invalid('metricsPort', options.metricsPort, 'must be a port number (0 for any)');
  }
  for (const key of [
    'heartbeatIntervalMs',
    'heartbeatFlushMs',
    'meteringTickMs',
    'meteringRetentionDays',
    'notifierTickMs',
    'deadLetterRetentionDays',
    'unavailableAlertMs',
  ] as const) {
    const value = options[key];
    if (value !== undefined && !(Number.isInteger(value) && value >= 0))
      invalid(key, value, 'must be a whole number of ms (0: off)');
  }
  return Object.freeze({
    zk: options.zk,
    leaderZk: options.leaderZk ?? options.zk,
    election: options.election,
    id: options.id,
    stacks: options.stacks,
    logger: (options.logger ?? nullLogger).child({ constructor: options.id }),
    metrics: options.metrics ?? createMetrics('constructor'),
    clock: options.clock ?? SYSTEM_CLOCK,
    timing: Object.freeze(timing),
    metricsPort: options.metricsPort,
    groupCommit: options.groupCommit ?? false,
    metricsHost: options.metricsHost ?? DEFAULT_METRICS_HOST,
    address: options.address ?? DEFAULT_METRICS_HOST,
    version: options.version ?? DEFAULT_VERSION,
    heartbeatIntervalMs: options.heartbeatIntervalMs ?? DEFAULT_HEARTBEAT_INTERVAL_MS,
    heartbeatFlushMs: options.heartbeatFlushMs ?? DEFAULT_HEARTBEAT_FLUSH_MS,
    meteringTickMs: options.meteringTickMs ?? DEFAULT_METERING_TICK_MS,
    meteringRetentionDays: options.meteringRetentionDays ?? DEFAULT_METERING_RETENTION_DAYS,
    notifierTickMs: options.notifierTickMs ?? DEFAULT_NOTIFIER_TICK_MS,
    deliveryPolicy: options.deliveryPolicy ?? DEFAULT_DELIVERY_POLICY,
    deadLetterRetentionDays: options.deadLetterRetentionDays ?? DEFAULT_DEAD_LETTER_RETENTION_DAYS,
    unavailableAlertMs: options.unavailableAlertMs ?? DEFAULT_UNAVAILABLE_ALERT_MS,
  });
}

function invalid(option: string, value: unknown, reason: string): never {
  throw new WharfError('WHARF_VALIDATION', `invalid constructor option ${option}: ${reason}`, {
    details: [{ path: option, message: reason, value }],
  });
}
