/**
 * The proxy's settings from the environment: parsed and validated once, at the boundary, into a
 * frozen object. `main.ts` passes `process.env` in; nothing else reads the environment.
 */
import { availableParallelism, hostname } from 'node:os';
import { WharfError, isValidId } from '@wharf/model';
import {
  type EnvSetting,
  envReader,
  integerIn,
  isLogLevel,
  renderEnvHelp,
  type LogLevel,
} from '@wharf/observability';
import { normaliseDomain } from './routing-key';

/** Default listen address: loopback, so a fresh install exposes nothing until told to. */
export const DEFAULT_PROXY_HOST = '127.0.0.1';
/** Default port (ECE's proxy port). */
export const DEFAULT_PROXY_PORT = 9200;

/**
 * `WHARF_PROXY_WORKERS=auto` runs one worker per core, up to this many. Each worker is a Node
 * process (~67 MB RSS idle) and the proxy usually shares its host with other roles (allocators
 * running instances), so `auto` does not grow with big hosts: set a number there.
 */
export const MAX_AUTO_WORKERS = 2;
/** Upper bound of an explicit `WHARF_PROXY_WORKERS`. */
export const MAX_WORKERS = 64;

/** One documented environment variable (the shared row type of @wharf/observability). */
export type EnvVariable = EnvSetting;

/** Every variable the proxy reads (printed by `--help`). */
export const PROXY_ENV: readonly EnvVariable[] = [
  { name: 'WHARF_ZK', fallback: '127.0.0.1:2181', description: 'ZooKeeper connect string (host:port,...)' },
  { name: 'WHARF_ZK_CHROOT', fallback: '/wharf', description: 'ZooKeeper chroot of the installation' },
  { name: 'WHARF_HOME', fallback: './.wharf', description: 'state directory (unused by the proxy)' },
  {
    name: 'WHARF_LOG_LEVEL',
    fallback: 'info',
    description: 'error | warn | info | debug (debug logs every request)',
  },
  { name: 'WHARF_ID', fallback: 'proxy-<hostname>-<pid>', description: 'this proxy id (a valid id)' },
  { name: 'WHARF_PROXY_HOST', fallback: DEFAULT_PROXY_HOST, description: 'address to listen on' },
  {
    name: 'WHARF_PROXY_PORT',
    fallback: String(DEFAULT_PROXY_PORT),
    description: 'port to listen on (0: any)',
  },
  { name: 'WHARF_DOMAIN', fallback: 'localhost', description: 'deployments are reached at <id>.<domain>' },
  { name: 'WHARF_ZONE', fallback: 'zone-a', description: 'this proxy zone (same-zone instances preferred)' },
  {
    name: 'WHARF_PROXY_WORKERS',
    fallback: '1',
    description: `processes serving requests: 1 (one process), 2-${MAX_WORKERS}, or auto (one per core, at most ${MAX_AUTO_WORKERS})`,
  },
];

/** The proxy's validated settings. */
export interface ProxyConfig {
  readonly zkConnectString: string;
  readonly zkChroot: string;
  readonly logLevel: LogLevel;
  readonly id: string;
  readonly host: string;
  readonly port: number;
  readonly domain: string;
  readonly zone: string;
  /** Worker processes; 1 means the single-process proxy (no primary). */
  readonly workers: number;
}

/** Parses the environment; throws `WHARF_VALIDATION` listing every bad variable. */
export function configFromEnv(
  env: Readonly<Record<string, string | undefined>>,
  pid: number,
  cores: number = availableParallelism(),
): ProxyConfig {
  const problems: { variable: string; message: string }[] = [];
  const read = envReader(env);
  const logLevel = read('WHARF_LOG_LEVEL', 'info');
  if (!isLogLevel(logLevel)) problems.push({ variable: 'WHARF_LOG_LEVEL', message: 'unknown level' });
  const id = read('WHARF_ID', defaultId(pid));
  if (!isValidId(id)) problems.push({ variable: 'WHARF_ID', message: 'must be a valid id' });
  const zone = read('WHARF_ZONE', 'zone-a');
  if (!isValidId(zone)) problems.push({ variable: 'WHARF_ZONE', message: 'must be a valid id' });
  const port = integerIn(read('WHARF_PROXY_PORT', String(DEFAULT_PROXY_PORT)), 0, 65535);
  if (port === undefined) {
    problems.push({ variable: 'WHARF_PROXY_PORT', message: 'must be an integer 0-65535' });
  }
  const workers = parseWorkers(read('WHARF_PROXY_WORKERS', '1'), cores);
  if (workers === undefined) {
    problems.push({
      variable: 'WHARF_PROXY_WORKERS',
      message: `must be auto or an integer 1-${MAX_WORKERS}`,
    });
  }
  const domain = normaliseDomain(read('WHARF_DOMAIN', 'localhost'));
  if (!/^[a-z0-9.-]+$/.test(domain))
    problems.push({ variable: 'WHARF_DOMAIN', message: 'must be a host name' });
  if (problems.length > 0 || port === undefined || workers === undefined) {
    throw new WharfError('WHARF_VALIDATION', 'invalid proxy configuration', { details: problems });
  }
  return Object.freeze({
    zkConnectString: read('WHARF_ZK', '127.0.0.1:2181'),
    zkChroot: read('WHARF_ZK_CHROOT', '/wharf'),
    logLevel: logLevel as LogLevel,
    id,
    host: read('WHARF_PROXY_HOST', DEFAULT_PROXY_HOST),
    port,
    domain,
    zone,
    workers,
  });
}

/** `auto` → cores capped at {@link MAX_AUTO_WORKERS}; else an integer 1..{@link MAX_WORKERS}. */
export function parseWorkers(value: string, cores: number): number | undefined {
  if (value.trim().toLowerCase() === 'auto') return Math.max(1, Math.min(cores, MAX_AUTO_WORKERS));
  return integerIn(value, 1, MAX_WORKERS);
}

/** `proxy-<hostname>-<pid>`, lowercased and reduced to the id alphabet. */
export function defaultId(pid: number): string {
  const host = hostname()
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40);
  return `proxy-${host || 'host'}-${pid}`.replace(/-+/g, '-');
}

/** The `--help` text. */
export function helpText(): string {
  return [
    'wharf-proxy: routes <deployment-id>.<domain> requests to healthy instances',
    '',
    'Usage: wharf-proxy [--help]',
    '',
    'Environment:',
    ...renderEnvHelp(PROXY_ENV),
    '',
    'Endpoints (requests that name no deployment): GET /_health, GET /_metrics',
    '',
  ].join('\n');
}
