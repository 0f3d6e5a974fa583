/**
 * The constructor's settings from the environment (docs/coordination.md, "Configuration"):
 * parsed and validated once into a frozen object. `main.ts` passes `process.env` in; nothing
 * else reads the environment.
 */
import { type EnvTable, type LogLevel, serviceConfig } from '@wharf/observability';
import { DEFAULT_LEADER_SESSION_TIMEOUT_MS, MIN_SESSION_TIMEOUT_MS } from '@wharf/zk';
import { DEFAULT_DRAIN_MS } from './core/drain';
import {
  DEFAULT_ALLOCATOR_LOSS_GRACE_MS,
  DEFAULT_ALLOCATOR_RECOVER_GRACE_MS,
  DEFAULT_HEARTBEAT_FLUSH_MS,
  DEFAULT_HEARTBEAT_INTERVAL_MS,
  DEFAULT_METERING_RETENTION_DAYS,
  DEFAULT_METERING_TICK_MS,
  DEFAULT_NOTIFIER_TICK_MS,
} from './options';
import { DEFAULT_UNAVAILABLE_ALERT_MS } from './health/heartbeat';
import { DEFAULT_DEAD_LETTER_RETENTION_DAYS } from './events/notifier';

const { configFromEnv: parseEnv, defaultId, renderHelp, rows: r, parsers: p } = serviceConfig;

/** Longest allocator loss grace accepted: a day (ECE's own disconnect timeout is 10 minutes). */
const MAX_ALLOCATOR_LOSS_GRACE_MS = 86_400_000;

/** Longest drain period accepted: a minute is far past any request an etcd member would finish. */
const MAX_DRAIN_MS = 60_000;

/** Longest leader session timeout accepted: ZooKeeper's own default ceiling (20 ticks of 2 s). */
const MAX_LEADER_SESSION_TIMEOUT_MS = 40_000;

/** The constructor's validated settings. */
export interface ConstructorConfig {
  readonly zkConnectString: string;
  readonly zkChroot: string;
  readonly home: string;
  readonly logLevel: LogLevel;
  readonly id: string;
  readonly metricsPort: number;
  readonly allocatorLossGraceMs: number;
  readonly allocatorRecoverGraceMs: number;
  readonly heartbeatIntervalMs: number;
  readonly heartbeatFlushMs: number;
  readonly meteringTickMs: number;
  readonly meteringRetentionDays: number;
  readonly notifierTickMs: number;
  readonly deadLetterRetentionDays: number;
  readonly unavailableAlertMs: number;
  readonly leaderSessionTimeoutMs: number;
  readonly drainMs: number;
  readonly groupCommit: boolean;
  readonly leaderWorker: boolean;
}

/** Host facts the defaults derive from. */
export interface HostFacts {
  hostname: string;
  pid: number;
}

/** Every variable the constructor reads (printed by `--help`), with defaults for `host`. */
export function constructorEnv(host: HostFacts): EnvTable<ConstructorConfig> {
  return {
    zkConnectString: { ...r.zk, parse: p.zkConnect },
    zkChroot: r.zkChroot,
    home: { ...r.home, description: 'state directory (the constructor keeps no local state)' },
    logLevel: r.logLevel,
    id: {
      name: 'WHARF_ID',
      default: defaultId({ prefix: 'constructor', ...host }),
      shownDefault: 'constructor-<hostname>-<pid>',
      description: 'this constructor id (a valid id)',
      parse: p.validId,
    },
    metricsPort: {
      name: 'WHARF_METRICS_PORT',
      default: '0',
      description: 'port of /metrics and /health on 127.0.0.1 (0: any free port)',
      parse: p.port,
    },
    allocatorLossGraceMs: {
      name: 'WHARF_ALLOCATOR_LOSS_GRACE_MS',
      default: String(DEFAULT_ALLOCATOR_LOSS_GRACE_MS),
      description:
        'how long an allocator may be without its live node before its instances are marked unroutable',
      parse: p.integer(1, MAX_ALLOCATOR_LOSS_GRACE_MS),
    },
    allocatorRecoverGraceMs: {
      name: 'WHARF_ALLOCATOR_RECOVER_GRACE_MS',
      default: String(DEFAULT_ALLOCATOR_RECOVER_GRACE_MS),
      description:
        'how long an allocator may be without its live node before its instances are re-placed elsewhere by a recover plan (0: never)',
      parse: p.integer(0, MAX_ALLOCATOR_LOSS_GRACE_MS),
    },
    ...leaderLoopsEnv(),
    leaderSessionTimeoutMs: {
      name: 'WHARF_LEADER_SESSION_TIMEOUT_MS',
      default: String(DEFAULT_LEADER_SESSION_TIMEOUT_MS),
      description:
        'timeout of the ZooKeeper session holding the leader latch node: a standby takes over this long after the leader died (the server clamps it to 2-20 ticks)',
      parse: p.integer(MIN_SESSION_TIMEOUT_MS, MAX_LEADER_SESSION_TIMEOUT_MS),
    },
    drainMs: {
      name: 'WHARF_DRAIN_MS',
      default: String(DEFAULT_DRAIN_MS),
      description:
        'how long an instance is listed unroutable (draining) before it leaves its route and stops, so requests in flight finish',
      parse: p.integer(1, MAX_DRAIN_MS),
    },
    groupCommit: {
      name: 'WHARF_CONSTRUCTOR_GROUP_COMMIT',
      default: 'off',
      description:
        'on: the writes the attempts issue in one event-loop turn go to ZooKeeper as one multi-op transaction (fewer requests; not measured faster end to end yet, docs/benchmarks.md)',
      parse: (raw) => p.oneOf(['on', 'off'] as const)(raw) === 'on',
    },
    leaderWorker: {
      name: 'WHARF_CONSTRUCTOR_LEADER_WORKER',
      default: 'on',
      description:
        'on: the leader latch and its session run in a worker thread, so a busy event loop cannot starve the short leader session (off: on the main thread, as before; docs/benchmarks.md)',
      parse: (raw) => p.oneOf(['on', 'off'] as const)(raw) === 'on',
    },
  };
}

/** The variables of the leader's platform-wide loops: heartbeat, metering, webhooks. */
function leaderLoopsEnv(): Pick<
  EnvTable<ConstructorConfig>,
  | 'heartbeatIntervalMs'
  | 'heartbeatFlushMs'
  | 'meteringTickMs'
  | 'meteringRetentionDays'
  | 'notifierTickMs'
  | 'deadLetterRetentionDays'
  | 'unavailableAlertMs'
> {
  return {
    heartbeatIntervalMs: {
      name: 'WHARF_HEARTBEAT_INTERVAL_MS',
      default: String(DEFAULT_HEARTBEAT_INTERVAL_MS),
      description: 'between two probes of each deployment through a proxy, by the leader (0: no heartbeat)',
      parse: p.integer(0, 3_600_000),
    },
    heartbeatFlushMs: {
      name: 'WHARF_HEARTBEAT_FLUSH_MS',
      default: String(DEFAULT_HEARTBEAT_FLUSH_MS),
      description: 'between two writes of the heartbeat counts to /availability/<deployment>',
      parse: p.integer(100, 3_600_000),
    },
    meteringTickMs: {
      name: 'WHARF_METERING_TICK_MS',
      default: String(DEFAULT_METERING_TICK_MS),
      description: 'the usage metering unit: running instances are counted once per tick (0: no metering)',
      parse: p.integer(0, 3_600_000),
    },
    meteringRetentionDays: {
      name: 'WHARF_METERING_RETENTION_DAYS',
      default: String(DEFAULT_METERING_RETENTION_DAYS),
      description: 'metering day records older than this many days are deleted by the leader (0: never)',
      parse: p.integer(0, 36_500),
    },
    notifierTickMs: {
      name: 'WHARF_NOTIFIER_TICK_MS',
      default: String(DEFAULT_NOTIFIER_TICK_MS),
      description: 'between two rounds of webhook deliveries by the leader (0: no webhooks)',
      parse: p.integer(0, 600_000),
    },
    deadLetterRetentionDays: {
      name: 'WHARF_DEAD_LETTER_RETENTION_DAYS',
      default: String(DEFAULT_DEAD_LETTER_RETENTION_DAYS),
      description: 'webhook dead letters older than this many days are deleted by the leader (0: never)',
      parse: p.integer(0, 36_500),
    },
    unavailableAlertMs: {
      name: 'WHARF_UNAVAILABLE_ALERT_MS',
      default: String(DEFAULT_UNAVAILABLE_ALERT_MS),
      description:
        'a deployment failing every heartbeat probe this long is reported (deployment-unavailable)',
      parse: p.integer(0, 86_400_000),
    },
  };
}

/** Parses the environment; throws `WHARF_VALIDATION` listing every bad variable. */
export function configFromEnv(
  env: Readonly<Record<string, string | undefined>>,
  host: HostFacts,
): ConstructorConfig {
  return parseEnv(constructorEnv(host), env, 'constructor configuration');
}

/** The `--help` text. */
export function helpText(): string {
  return renderHelp(constructorEnv({ hostname: 'host', pid: 0 }), {
    title: 'wharf-constructor: the scheduler — turns pending plans into steps, places instances, drives them',
    usage: ['Usage: wharf-constructor [--help]'],
    notes: ['Endpoints (on WHARF_METRICS_PORT): GET /metrics, GET /health'],
  });
}
