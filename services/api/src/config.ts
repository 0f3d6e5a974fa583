/**
 * Configuration of the api service: the documented environment variables, their defaults and
 * their validation. `main.ts` passes `process.env` in; nothing else reads the environment.
 */
import { WharfError, isValidId } from '@wharf/model';
import { type EnvSetting, renderEnvHelp } from '@wharf/observability';
import { DEFAULT_REQUEST_ID_TTL_SECONDS } from './domain/request-marker';
import { DEFAULT_RATE_LIMIT, type RateLimit } from './http/rate-limit';

/** Default ZooKeeper connect string (docs/coordination.md). */
export const DEFAULT_ZK = '127.0.0.1:2181';
/** Default installation chroot. */
export const DEFAULT_ZK_CHROOT = '/wharf';
/** Default state directory. */
export const DEFAULT_WHARF_HOME = './.wharf';
/** Loopback by default: exposing the API is an explicit operator decision. */
export const DEFAULT_API_HOST = '127.0.0.1';
/** Default API port (ARCHITECTURE.md "Default ports"). */
export const DEFAULT_API_PORT = 12400;
/** Default deployment domain. */
export const DEFAULT_DOMAIN = 'localhost';
/** Default endpoint template; `{id}` is replaced by the deployment id. */
export const DEFAULT_PUBLIC_PROXY_URL = 'http://{id}.localhost:9200';
/** Default log level. */
export const DEFAULT_LOG_LEVEL = 'info';
/** Shortest request-id TTL: below a minute a client's own retries would outlive it. */
export const MIN_REQUEST_ID_TTL_SECONDS = 60;
/** Longest request-id TTL (30 days): markers are znodes, and a day's worth is already plenty. */
export const MAX_REQUEST_ID_TTL_SECONDS = 30 * 86_400;

const LOG_LEVELS = ['error', 'warn', 'info', 'debug'] as const;
/** A log level the api accepts. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/** The validated, frozen configuration of one api process. */
export interface ApiConfig {
  readonly zkConnect: string;
  readonly zkChroot: string;
  readonly home: string;
  readonly logLevel: LogLevel;
  readonly id: string;
  readonly host: string;
  readonly port: number;
  readonly domain: string;
  readonly publicProxyUrl: string;
  /** How long a create's `request_id` stays idempotent before its marker expires. */
  readonly requestIdTtlSeconds: number;
  /** Per-key limit of mutating requests; null when disabled (`WHARF_API_RATE_LIMIT=off`). */
  readonly rateLimit: Readonly<RateLimit> | null;
}

/** Environment variables, their defaults and meaning, as printed by `wharf-api --help`. */
export const API_ENV: readonly EnvSetting[] = [
  { name: 'WHARF_ZK', fallback: DEFAULT_ZK, description: 'ZooKeeper connect string' },
  { name: 'WHARF_ZK_CHROOT', fallback: DEFAULT_ZK_CHROOT, description: 'installation chroot in ZooKeeper' },
  {
    name: 'WHARF_HOME',
    fallback: DEFAULT_WHARF_HOME,
    description: 'state directory (credentials/api-key is written here)',
  },
  {
    name: 'WHARF_LOG_LEVEL',
    fallback: DEFAULT_LOG_LEVEL,
    description: `log level (${LOG_LEVELS.join(', ')})`,
  },
  { name: 'WHARF_ID', fallback: 'api-<hostname>-<pid>', description: 'this process id (a DNS label)' },
  { name: 'WHARF_API_HOST', fallback: DEFAULT_API_HOST, description: 'address to listen on' },
  {
    name: 'WHARF_API_PORT',
    fallback: String(DEFAULT_API_PORT),
    description: 'port to listen on (0: ephemeral)',
  },
  { name: 'WHARF_DOMAIN', fallback: DEFAULT_DOMAIN, description: 'deployment domain' },
  {
    name: 'WHARF_PUBLIC_PROXY_URL',
    fallback: DEFAULT_PUBLIC_PROXY_URL,
    description: 'endpoint URL template shown per deployment',
  },
  {
    name: 'WHARF_REQUEST_ID_TTL_SECONDS',
    fallback: String(DEFAULT_REQUEST_ID_TTL_SECONDS),
    description: `how long a create's request_id stays idempotent (${MIN_REQUEST_ID_TTL_SECONDS}-${MAX_REQUEST_ID_TTL_SECONDS})`,
  },
  {
    name: 'WHARF_API_RATE_LIMIT',
    fallback: `${DEFAULT_RATE_LIMIT.perSecond}:${DEFAULT_RATE_LIMIT.burst}`,
    description: 'mutating requests per API key: <per second>:<burst>, or off',
  },
];

/** `--help` text. */
export function helpText(version: string): string {
  return [
    `wharf-api ${version}: the Wharf REST API (/api/v1) with API-key authentication.`,
    '',
    'Usage: wharf-api [--help]',
    '',
    'Environment:',
    ...renderEnvHelp(API_ENV),
    '',
    'On first start it creates the ZooKeeper layout and an API key, printed once and saved to',
    '$WHARF_HOME/credentials/api-key (mode 0600).',
    '',
  ].join('\n');
}

/** Turns any string into a valid id (lowercase DNS label), e.g. for `api-<hostname>-<pid>`. */
export function sanitiseId(raw: string): string {
  const cleaned = raw
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+/, '')
    .slice(0, 63)
    .replace(/-+$/, '');
  return cleaned === '' ? 'api' : cleaned;
}

/** `api-<hostname>-<pid>`, the host part shortened so the pid always survives the 63-char limit. */
export function defaultId(ctx: ApiEnvContext): string {
  const suffix = `-${ctx.pid}`;
  const host = sanitiseId(`api-${ctx.hostname}`)
    .slice(0, 63 - suffix.length)
    .replace(/-+$/, '');
  return `${host}${suffix}`;
}

function bad(name: string, message: string): WharfError {
  return new WharfError('WHARF_VALIDATION', `invalid ${name}: ${message}`, {
    details: [{ path: name, message }],
  });
}

function parsePort(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d{1,5}$/.test(raw) || Number(raw) > 65535) throw bad(name, 'must be a port number 0-65535');
  return Number(raw);
}

function parseIntIn(
  name: string,
  raw: string | undefined,
  min: number,
  max: number,
  fallback: number,
): number {
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d{1,10}$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw bad(name, `must be an integer ${min}-${max}`);
  }
  return Number(raw);
}

/** Largest rate or burst accepted: beyond this the limit is "off" in all but name. */
const MAX_RATE = 1_000_000;

function parseRateLimit(raw: string | undefined): Readonly<RateLimit> | null {
  if (raw === undefined || raw === '') return DEFAULT_RATE_LIMIT;
  if (raw === 'off') return null;
  const match = /^(\d{1,7}):(\d{1,7})$/.exec(raw);
  const perSecond = Number(match?.[1]);
  const burst = Number(match?.[2]);
  if (!match || perSecond < 1 || burst < 1 || perSecond > MAX_RATE || burst > MAX_RATE) {
    throw bad('WHARF_API_RATE_LIMIT', 'must be <per second>:<burst> (positive integers, e.g. 50:100) or off');
  }
  return Object.freeze({ perSecond, burst });
}

/** What {@link parseApiEnv} needs besides the environment (host facts main.ts looks up). */
export interface ApiEnvContext {
  hostname: string;
  pid: number;
}

/** Validates the environment once and returns the frozen configuration. */
export function parseApiEnv(
  env: Readonly<Record<string, string | undefined>>,
  ctx: ApiEnvContext,
): ApiConfig {
  const logLevel = env.WHARF_LOG_LEVEL || DEFAULT_LOG_LEVEL;
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    throw bad('WHARF_LOG_LEVEL', `must be one of ${LOG_LEVELS.join(', ')}`);
  }
  const id = env.WHARF_ID || defaultId(ctx);
  if (!isValidId(id)) throw bad('WHARF_ID', 'must be a lowercase DNS label');
  const chroot = env.WHARF_ZK_CHROOT || DEFAULT_ZK_CHROOT;
  if (!/^(\/[A-Za-z0-9._-]+)+$/.test(chroot) || chroot.split('/').some((s) => s === '.' || s === '..')) {
    throw bad('WHARF_ZK_CHROOT', 'must be an absolute znode path such as /wharf');
  }
  const publicProxyUrl = env.WHARF_PUBLIC_PROXY_URL || DEFAULT_PUBLIC_PROXY_URL;
  if (!publicProxyUrl.includes('{id}')) throw bad('WHARF_PUBLIC_PROXY_URL', 'must contain {id}');
  return Object.freeze({
    zkConnect: env.WHARF_ZK || DEFAULT_ZK,
    zkChroot: chroot,
    home: env.WHARF_HOME || DEFAULT_WHARF_HOME,
    logLevel: logLevel as LogLevel,
    id,
    host: env.WHARF_API_HOST || DEFAULT_API_HOST,
    port: parsePort('WHARF_API_PORT', env.WHARF_API_PORT, DEFAULT_API_PORT),
    domain: env.WHARF_DOMAIN || DEFAULT_DOMAIN,
    publicProxyUrl,
    requestIdTtlSeconds: parseIntIn(
      'WHARF_REQUEST_ID_TTL_SECONDS',
      env.WHARF_REQUEST_ID_TTL_SECONDS,
      MIN_REQUEST_ID_TTL_SECONDS,
      MAX_REQUEST_ID_TTL_SECONDS,
      DEFAULT_REQUEST_ID_TTL_SECONDS,
    ),
    rateLimit: parseRateLimit(env.WHARF_API_RATE_LIMIT),
  });
}
