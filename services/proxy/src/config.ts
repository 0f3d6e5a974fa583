/**
 * The proxy's settings from the environment: parsed and validated once, at the boundary, into a
 * frozen object. `main.ts` passes `process.env` in; nothing else reads the environment.
 */
import { availableParallelism, hostname } from 'node:os';
import { type EnvTable, type LogLevel, integerIn, invalidConfig, serviceConfig } from '@wharf/observability';
import { DEFAULT_HAPROXY_BIN } from './haproxy/haproxy-process';
import { DEFAULT_SLOTS, MAX_SLOTS } from './haproxy/render-config';
import { normaliseDomain } from './routing-key';
import { DEFAULT_TRAFFIC_FLUSH_MS } from './traffic-flush';

const { EnvValueError, configFromEnv: parseEnv, defaultId, renderHelp, rows: r, parsers: p } = serviceConfig;

/** Default listen address: loopback, so a fresh install exposes nothing until told to. */
export const DEFAULT_PROXY_HOST = '127.0.0.1';
/** Default port (ECE's proxy port). */
export const DEFAULT_PROXY_PORT = 9200;
/** Default TLS port (ECE's). */
export const DEFAULT_PROXY_TLS_PORT = 9243;

/**
 * `WHARF_PROXY_WORKERS=auto` runs one worker per core, up to this many. Each worker is a Node
 * process (~67 MB RSS idle) and the proxy usually shares its host with other roles (allocators
 * running instances), so `auto` does not grow with big hosts: set a number there.
 */
export const MAX_AUTO_WORKERS = 2;
/** `WHARF_PROXY_HAPROXY_THREADS=auto`: one thread per core up to this (HAProxy scales by threads). */
export const MAX_AUTO_HAPROXY_THREADS = 64;
/** Upper bound of an explicit `WHARF_PROXY_WORKERS`. */
export const MAX_WORKERS = 64;

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
  readonly tlsPort: number;
  /** The operator's certificate and key (PEM files); '' when unset. */
  readonly tlsCertFile: string;
  readonly tlsKeyFile: string;
  /** A Wharf CA store to issue the serving certificate from; '' when unset. */
  readonly tlsCaDir: string;
  /** How often traffic counts are written to ZooKeeper (ms); 0: traffic is not metered. */
  readonly trafficFlushMs: number;
  /** Who forwards requests: this process (`node`) or an HAProxy it programs (`haproxy`). */
  readonly dataPlane: ProxyDataPlaneKind;
  /** The HAProxy binary, its backend slots and threads (`dataPlane` `haproxy`). */
  readonly haproxyBin: string;
  readonly haproxySlots: number;
  readonly haproxyThreads: number;
}

/** The data planes `WHARF_PROXY_DATAPLANE` names. */
export type ProxyDataPlaneKind = 'node' | 'haproxy';

const TRAFFIC_FLUSH_ROW = {
  name: 'WHARF_PROXY_TRAFFIC_FLUSH_MS',
  default: String(DEFAULT_TRAFFIC_FLUSH_MS),
  description: 'how often per-deployment traffic counts are written to ZooKeeper (0: not metered)',
  parse: p.integer(0, 3_600_000),
};

/** Every variable the proxy reads (printed by `--help`), with defaults for this host. */
export function proxyEnv(pid: number, cores: number = availableParallelism()): EnvTable<ProxyConfig> {
  return {
    zkConnectString: r.zk,
    zkChroot: r.zkChroot,
    logLevel: { ...r.logLevel, description: 'error | warn | info | debug (debug logs every request)' },
    id: {
      name: 'WHARF_ID',
      default: defaultId({ prefix: 'proxy', hostname: hostname(), pid }),
      shownDefault: 'proxy-<hostname>-<pid>',
      description: 'this proxy id (a valid id)',
      parse: p.validId,
    },
    host: {
      name: 'WHARF_PROXY_HOST',
      default: DEFAULT_PROXY_HOST,
      description: 'address to listen on',
      parse: p.text,
    },
    port: {
      name: 'WHARF_PROXY_PORT',
      default: String(DEFAULT_PROXY_PORT),
      description: 'port to listen on (0: any)',
      parse: p.port,
    },
    domain: {
      name: 'WHARF_DOMAIN',
      default: 'localhost',
      description: 'deployments are reached at <id>.<domain>',
      parse: parseDomain,
    },
    zone: {
      name: 'WHARF_ZONE',
      default: 'zone-a',
      description: 'this proxy zone (same-zone instances preferred)',
      parse: p.validId,
    },
    workers: {
      name: 'WHARF_PROXY_WORKERS',
      default: '1',
      description: `processes serving requests: 1 (one process), 2-${MAX_WORKERS}, or auto (one per core, at most ${MAX_AUTO_WORKERS})`,
      parse: (raw) => {
        const workers = parseWorkers(raw, cores);
        if (workers === undefined) throw new EnvValueError(`must be auto or an integer 1-${MAX_WORKERS}`);
        return workers;
      },
    },
    tlsPort: {
      name: 'WHARF_PROXY_TLS_PORT',
      default: String(DEFAULT_PROXY_TLS_PORT),
      description: 'TLS port (HTTP/1.1 and h2), when a certificate is configured (0: any)',
      parse: p.port,
    },
    tlsCertFile: {
      name: 'WHARF_PROXY_TLS_CERT',
      default: '',
      shownDefault: '<none>',
      description: 'PEM certificate for *.<domain> (with WHARF_PROXY_TLS_KEY)',
      parse: p.text,
    },
    tlsKeyFile: {
      name: 'WHARF_PROXY_TLS_KEY',
      default: '',
      shownDefault: '<none>',
      description: 'PEM private key of WHARF_PROXY_TLS_CERT',
      parse: p.text,
    },
    tlsCaDir: {
      name: 'WHARF_PROXY_TLS_CA_DIR',
      default: '',
      shownDefault: '<none>',
      description: 'Wharf CA store (ca.pem, ca.key) to issue the *.<domain> certificate from at start',
      parse: p.text,
    },
    trafficFlushMs: TRAFFIC_FLUSH_ROW,
    ...haproxyRows(cores),
  };
}

/** The HAProxy data plane's variables (`haproxy/`). */
function haproxyRows(cores: number): Pick<EnvTable<ProxyConfig>, DataPlaneKey> {
  return {
    dataPlane: {
      name: 'WHARF_PROXY_DATAPLANE',
      default: 'node',
      description: 'node (this process forwards) or haproxy (an HAProxy it programs forwards)',
      parse: (raw) => {
        const value = raw.trim().toLowerCase();
        if (value !== 'node' && value !== 'haproxy') throw new EnvValueError('must be node or haproxy');
        return value;
      },
    },
    haproxyBin: {
      name: 'WHARF_PROXY_HAPROXY_BIN',
      default: DEFAULT_HAPROXY_BIN,
      description: 'HAProxy binary (WHARF_PROXY_DATAPLANE=haproxy)',
      parse: p.text,
    },
    haproxySlots: {
      name: 'WHARF_PROXY_HAPROXY_SLOTS',
      default: String(DEFAULT_SLOTS),
      description: 'deployments HAProxy routes itself (more fall through to this process)',
      parse: p.integer(1, MAX_SLOTS),
    },
    haproxyThreads: {
      name: 'WHARF_PROXY_HAPROXY_THREADS',
      default: 'auto',
      description: `HAProxy threads: auto (one per core, at most ${MAX_AUTO_HAPROXY_THREADS}) or 1-64`,
      parse: (raw) => {
        if (raw.trim().toLowerCase() === 'auto')
          return Math.max(1, Math.min(cores, MAX_AUTO_HAPROXY_THREADS));
        const threads = integerIn(raw, 1, 64);
        if (threads === undefined) throw new EnvValueError('must be auto or an integer 1-64');
        return threads;
      },
    },
  };
}

type DataPlaneKey = 'dataPlane' | 'haproxyBin' | 'haproxySlots' | 'haproxyThreads';

/** Parses the environment; throws `WHARF_VALIDATION` listing every bad variable. */
export function configFromEnv(
  env: Readonly<Record<string, string | undefined>>,
  pid: number,
  cores: number = availableParallelism(),
): ProxyConfig {
  const config = parseEnv(proxyEnv(pid, cores), env, 'proxy configuration');
  const problem = tlsProblem(config) ?? dataPlaneProblem(config);
  if (problem !== undefined) throw invalidConfig('proxy configuration', [problem]);
  return config;
}

/** HAProxy is the data plane of a one-process proxy (its threads are the workers). */
function dataPlaneProblem(
  config: ProxyConfig,
): { path: string; variable: string; message: string } | undefined {
  if (config.dataPlane !== 'haproxy' || config.workers === 1) return undefined;
  const variable = 'WHARF_PROXY_WORKERS';
  return { path: variable, variable, message: 'WHARF_PROXY_DATAPLANE=haproxy runs one process (set 1)' };
}

/** The certificate comes from exactly one place: both files, or the CA store. */
function tlsProblem(config: ProxyConfig): { path: string; variable: string; message: string } | undefined {
  const { tlsCertFile: cert, tlsKeyFile: key, tlsCaDir: caDir } = config;
  if ((cert === '') !== (key === '')) {
    const variable = cert === '' ? 'WHARF_PROXY_TLS_CERT' : 'WHARF_PROXY_TLS_KEY';
    return { path: variable, variable, message: 'WHARF_PROXY_TLS_CERT and WHARF_PROXY_TLS_KEY go together' };
  }
  if (cert !== '' && caDir !== '') {
    const variable = 'WHARF_PROXY_TLS_CA_DIR';
    return {
      path: variable,
      variable,
      message: 'give either a certificate (CERT/KEY) or a CA store, not both',
    };
  }
  return undefined;
}

function parseDomain(raw: string): string {
  const domain = normaliseDomain(raw);
  if (!/^[a-z0-9.-]+$/.test(domain)) throw new EnvValueError('must be a host name');
  return domain;
}

/** `auto` → cores capped at {@link MAX_AUTO_WORKERS}; else an integer 1..{@link MAX_WORKERS}. */
export function parseWorkers(value: string, cores: number): number | undefined {
  if (value.trim().toLowerCase() === 'auto') return Math.max(1, Math.min(cores, MAX_AUTO_WORKERS));
  return integerIn(value, 1, MAX_WORKERS);
}

/** The `--help` text. */
export function helpText(): string {
  return renderHelp(proxyEnv(0, 1), {
    title: 'wharf-proxy: routes <deployment-id>.<domain> requests to healthy instances',
    usage: ['Usage: wharf-proxy [--help]'],
    notes: ['Endpoints (requests that name no deployment): GET /_health, GET /_metrics'],
  });
}
