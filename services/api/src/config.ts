/**
 * Configuration of the api service: the documented environment variables, their defaults and
 * their validation. `main.ts` passes `process.env` in; nothing else reads the environment.
 */
import { LOG_LEVELS, type EnvTable, type LogLevel, invalidConfig, serviceConfig } from '@wharf/observability';
import { DEFAULT_REQUEST_ID_TTL_SECONDS } from './domain/request-marker';
import { DEFAULT_RATE_LIMIT, type RateLimit } from './http/rate-limit';

const { EnvValueError, configFromEnv: parseEnv, defaultId, renderHelp, rows: r, parsers: p } = serviceConfig;

/** Loopback by default: exposing the API is an explicit operator decision. */
export const DEFAULT_API_HOST = '127.0.0.1';
/** Default API port (ARCHITECTURE.md "Default ports"). */
export const DEFAULT_API_PORT = 12400;
/** Default deployment domain. */
export const DEFAULT_DOMAIN = 'localhost';
/** Default endpoint template; `{id}` is replaced by the deployment id. */
export const DEFAULT_PUBLIC_PROXY_URL = 'http://{id}.localhost:9200';
/** Shortest request-id TTL: below a minute a client's own retries would outlive it. */
export const MIN_REQUEST_ID_TTL_SECONDS = 60;
/** Longest request-id TTL (30 days): markers are znodes, and a day's worth is already plenty. */
export const MAX_REQUEST_ID_TTL_SECONDS = 30 * 86_400;

/** Largest `WHARF_SNAPSHOT_INTERVAL_MS`: a day (the plans allow up to 9999 h; this is for tests). */
export const MAX_SNAPSHOT_INTERVAL_OVERRIDE_MS = 86_400_000;

/** A log level the api accepts. */
export type { LogLevel };

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
  /** PEM certificate files whose expiry the api exports (`WHARF_CERTIFICATE_FILES`). */
  readonly certificateFiles: readonly string[];
  /** PEM certificate the api serves HTTPS with (`WHARF_API_TLS_CERT`); '' for plain HTTP. */
  readonly tlsCertFile: string;
  /** Its private key (`WHARF_API_TLS_KEY`). */
  readonly tlsKeyFile: string;
  /** > 0: the interval of every deployment's scheduled snapshots (`WHARF_SNAPSHOT_INTERVAL_MS`). */
  readonly snapshotIntervalMs: number;
}

/** What {@link configFromEnv} needs besides the environment (host facts main.ts looks up). */
export interface ApiEnvContext {
  hostname: string;
  pid: number;
}

/** HTTPS (issue 11 §5): both files, or neither for plain HTTP (`npm start` on loopback). */
const TLS_ROWS: Pick<EnvTable<ApiConfig>, 'tlsCertFile' | 'tlsKeyFile'> = {
  tlsCertFile: {
    name: 'WHARF_API_TLS_CERT',
    default: '',
    shownDefault: '<none: plain HTTP>',
    description:
      'PEM certificate to serve HTTPS with (with WHARF_API_TLS_KEY; reloaded when the files change)',
    parse: parseOptionalPath,
  },
  tlsKeyFile: {
    name: 'WHARF_API_TLS_KEY',
    default: '',
    shownDefault: '<none>',
    description: 'PEM private key of WHARF_API_TLS_CERT',
    parse: parseOptionalPath,
  },
};

/** Environment variables, their defaults, meaning and parsers, as printed by `wharf-api --help`. */
export function apiEnv(ctx: ApiEnvContext): EnvTable<ApiConfig> {
  return {
    zkConnect: r.zk,
    zkChroot: { ...r.zkChroot, parse: parseChroot },
    home: { ...r.home, description: 'state directory (credentials/api-key is written here)' },
    logLevel: { ...r.logLevel, description: `log level (${Object.keys(LOG_LEVELS).join(', ')})` },
    id: {
      name: 'WHARF_ID',
      default: defaultId({ prefix: 'api', ...ctx }),
      shownDefault: 'api-<hostname>-<pid>',
      description: 'this process id (a DNS label)',
      parse: p.validId,
    },
    host: {
      name: 'WHARF_API_HOST',
      default: DEFAULT_API_HOST,
      description: 'address to listen on',
      parse: p.text,
    },
    port: {
      name: 'WHARF_API_PORT',
      default: String(DEFAULT_API_PORT),
      description: 'port to listen on (0: ephemeral)',
      parse: p.port,
    },
    domain: {
      name: 'WHARF_DOMAIN',
      default: DEFAULT_DOMAIN,
      description: 'deployment domain',
      parse: p.text,
    },
    publicProxyUrl: {
      name: 'WHARF_PUBLIC_PROXY_URL',
      default: DEFAULT_PUBLIC_PROXY_URL,
      description: 'endpoint URL template shown per deployment',
      parse: (raw) => {
        if (!raw.includes('{id}')) throw new EnvValueError('must contain {id}');
        return raw;
      },
    },
    requestIdTtlSeconds: {
      name: 'WHARF_REQUEST_ID_TTL_SECONDS',
      default: String(DEFAULT_REQUEST_ID_TTL_SECONDS),
      description: `how long a create's request_id stays idempotent (${MIN_REQUEST_ID_TTL_SECONDS}-${MAX_REQUEST_ID_TTL_SECONDS})`,
      parse: p.integer(MIN_REQUEST_ID_TTL_SECONDS, MAX_REQUEST_ID_TTL_SECONDS),
    },
    rateLimit: {
      name: 'WHARF_API_RATE_LIMIT',
      default: `${DEFAULT_RATE_LIMIT.perSecond}:${DEFAULT_RATE_LIMIT.burst}`,
      description: 'mutating requests per API key: <per second>:<burst>, or off',
      parse: parseRateLimit,
    },
    snapshotIntervalMs: {
      name: 'WHARF_SNAPSHOT_INTERVAL_MS',
      default: '0',
      description:
        "interval of every scheduled snapshot in ms, overriding the plans' settings.snapshot.interval (tests); 0: the plans'",
      parse: p.integer(0, MAX_SNAPSHOT_INTERVAL_OVERRIDE_MS),
    },
    ...TLS_ROWS,
    certificateFiles: {
      name: 'WHARF_CERTIFICATE_FILES',
      default: '',
      description: 'comma-separated absolute paths of PEM certificates whose expiry /metrics reports',
      parse: parseCertificateFiles,
    },
  };
}

/** `--help` text. */
export function helpText(version: string): string {
  return renderHelp(apiEnv({ hostname: 'host', pid: 0 }), {
    title: `wharf-api ${version}: the Wharf REST API (/api/v1) with API-key authentication.`,
    usage: ['Usage: wharf-api [--help]'],
    notes: [
      'On first start it creates the ZooKeeper layout and an API key, printed once and saved to',
      '$WHARF_HOME/credentials/api-key (mode 0600).',
    ],
  });
}

function parseChroot(raw: string): string {
  if (!/^(\/[A-Za-z0-9._-]+)+$/.test(raw) || raw.split('/').some((s) => s === '.' || s === '..')) {
    throw new EnvValueError('must be an absolute znode path such as /wharf');
  }
  return raw;
}

function parseCertificateFiles(raw: string): readonly string[] {
  const files = raw.split(',').filter((f) => f.trim() !== '');
  if (files.some((f) => !f.startsWith('/') || f.includes('\0'))) {
    throw new EnvValueError('must be comma-separated absolute paths');
  }
  return Object.freeze(files);
}

/** Largest rate or burst accepted: beyond this the limit is "off" in all but name. */
const MAX_RATE = 1_000_000;

function parseRateLimit(raw: string): Readonly<RateLimit> | null {
  if (raw === 'off') return null;
  const match = /^(\d{1,7}):(\d{1,7})$/.exec(raw);
  const perSecond = Number(match?.[1]);
  const burst = Number(match?.[2]);
  if (!match || perSecond < 1 || burst < 1 || perSecond > MAX_RATE || burst > MAX_RATE) {
    throw new EnvValueError('must be <per second>:<burst> (positive integers, e.g. 50:100) or off');
  }
  return Object.freeze({ perSecond, burst });
}

/** Validates the environment once and returns the frozen configuration. */
export function configFromEnv(
  env: Readonly<Record<string, string | undefined>>,
  ctx: ApiEnvContext,
): ApiConfig {
  const config = parseEnv(apiEnv(ctx), env, 'api configuration');
  if ((config.tlsCertFile === '') !== (config.tlsKeyFile === '')) {
    const variable = config.tlsCertFile === '' ? 'WHARF_API_TLS_CERT' : 'WHARF_API_TLS_KEY';
    throw invalidConfig('api configuration', [
      { path: variable, variable, message: 'WHARF_API_TLS_CERT and WHARF_API_TLS_KEY go together' },
    ]);
  }
  // The served certificate's expiry is a metric like any other listed file.
  if (config.tlsCertFile !== '' && !config.certificateFiles.includes(config.tlsCertFile)) {
    return { ...config, certificateFiles: Object.freeze([...config.certificateFiles, config.tlsCertFile]) };
  }
  return config;
}

function parseOptionalPath(raw: string): string {
  if (raw === '') return raw;
  if (!raw.startsWith('/') || raw.includes('\0')) throw new EnvValueError('must be an absolute path');
  return raw;
}
