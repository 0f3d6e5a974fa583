/**
 * The constructor's settings from the environment (docs/coordination.md, "Configuration"):
 * parsed and validated once into a frozen object. `main.ts` passes `process.env` in; nothing
 * else reads the environment.
 */
import { WharfError, isValidId } from '@wharf/model';
import {
  type EnvSetting,
  envReader,
  integerIn,
  isLogLevel,
  renderEnvHelp,
  type LogLevel,
} from '@wharf/observability';
import { DEFAULT_ALLOCATOR_LOSS_GRACE_MS } from './options';

/** Every variable the constructor reads (printed by `--help`). */
export const CONSTRUCTOR_ENV: readonly EnvSetting[] = [
  { name: 'WHARF_ZK', fallback: '127.0.0.1:2181', description: 'ZooKeeper connect string (host:port,...)' },
  { name: 'WHARF_ZK_CHROOT', fallback: '/wharf', description: 'ZooKeeper chroot of the installation' },
  {
    name: 'WHARF_HOME',
    fallback: './.wharf',
    description: 'state directory (the constructor keeps no local state)',
  },
  { name: 'WHARF_LOG_LEVEL', fallback: 'info', description: 'error | warn | info | debug' },
  {
    name: 'WHARF_ID',
    fallback: 'constructor-<hostname>-<pid>',
    description: 'this constructor id (a valid id)',
  },
  {
    name: 'WHARF_METRICS_PORT',
    fallback: '0',
    description: 'port of /metrics and /health on 127.0.0.1 (0: any free port)',
  },
  {
    name: 'WHARF_ALLOCATOR_LOSS_GRACE_MS',
    fallback: String(DEFAULT_ALLOCATOR_LOSS_GRACE_MS),
    description:
      'how long an allocator may be without its live node before its instances are marked unroutable',
  },
];

/** Longest allocator loss grace accepted: a day (ECE's own disconnect timeout is 10 minutes). */
const MAX_ALLOCATOR_LOSS_GRACE_MS = 86_400_000;

/** The constructor's validated settings. */
export interface ConstructorConfig {
  readonly zkConnectString: string;
  readonly zkChroot: string;
  readonly home: string;
  readonly logLevel: LogLevel;
  readonly id: string;
  readonly metricsPort: number;
  readonly allocatorLossGraceMs: number;
}

/** Parses the environment; throws `WHARF_VALIDATION` listing every bad variable. */
export function configFromEnv(
  env: Readonly<Record<string, string | undefined>>,
  host: { hostname: string; pid: number },
): ConstructorConfig {
  const problems: { variable: string; message: string }[] = [];
  const read = envReader(env);
  const logLevel = read('WHARF_LOG_LEVEL', 'info');
  if (!isLogLevel(logLevel)) problems.push({ variable: 'WHARF_LOG_LEVEL', message: 'unknown level' });
  const id = read('WHARF_ID', defaultId(host.hostname, host.pid));
  if (!isValidId(id)) problems.push({ variable: 'WHARF_ID', message: 'must be a valid id' });
  const metricsPort = integerIn(read('WHARF_METRICS_PORT', '0'), 0, 65535);
  if (metricsPort === undefined) {
    problems.push({ variable: 'WHARF_METRICS_PORT', message: 'must be an integer 0-65535' });
  }
  const allocatorLossGraceMs = integerIn(
    read('WHARF_ALLOCATOR_LOSS_GRACE_MS', String(DEFAULT_ALLOCATOR_LOSS_GRACE_MS)),
    1,
    MAX_ALLOCATOR_LOSS_GRACE_MS,
  );
  if (allocatorLossGraceMs === undefined) {
    problems.push({
      variable: 'WHARF_ALLOCATOR_LOSS_GRACE_MS',
      message: `must be an integer 1-${MAX_ALLOCATOR_LOSS_GRACE_MS}`,
    });
  }
  const zkConnectString = read('WHARF_ZK', '127.0.0.1:2181');
  if (zkConnectString.includes('/'))
    problems.push({ variable: 'WHARF_ZK', message: 'host:port list without a chroot' });
  if (problems.length > 0 || metricsPort === undefined || allocatorLossGraceMs === undefined) {
    throw new WharfError('WHARF_VALIDATION', 'invalid constructor configuration', { details: problems });
  }
  return Object.freeze({
    zkConnectString,
    zkChroot: read('WHARF_ZK_CHROOT', '/wharf'),
    home: read('WHARF_HOME', './.wharf'),
    logLevel: logLevel as LogLevel,
    id,
    metricsPort,
    allocatorLossGraceMs,
  });
}

/** Longest host name part of a default id, leaving room for the prefix and a pid in 63 characters. */
const MAX_HOST_PART = 40;

/** `constructor-<hostname>-<pid>`, lowercased and reduced to the id alphabet. */
export function defaultId(hostname: string, pid: number): string {
  const host = hostname
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, MAX_HOST_PART)
    .replace(/-+$/, '');
  return `constructor-${host || 'host'}-${pid}`.replace(/-+/g, '-');
}

/** The `--help` text. */
export function helpText(): string {
  return [
    'wharf-constructor: the scheduler — turns pending plans into steps, places instances, drives them',
    '',
    'Usage: wharf-constructor [--help]',
    '',
    'Environment:',
    ...renderEnvHelp(CONSTRUCTOR_ENV),
    '',
    'Endpoints (on WHARF_METRICS_PORT): GET /metrics, GET /health',
    '',
  ].join('\n');
}
