/**
 * The allocator's environment variables (docs/coordination.md) → settings, through the shared
 * `EnvTable` of @wharf/observability. Pure: `main.ts` passes `process.env` and the host facts in,
 * so this is tested without touching either.
 */
import { join, resolve } from 'node:path';
import { WharfError, isWharfError } from '@wharf/model';
import { type EnvParser, type EnvTable, serviceConfig } from '@wharf/observability';
import { DEFAULT_LIVENESS_SESSION_TIMEOUT_MS, MIN_SESSION_TIMEOUT_MS } from '@wharf/zk';
import {
  type AllocatorOptions,
  DEFAULT_PORT_RANGE,
  type PortRange,
  parsePortRange,
  parseTags,
} from './options';

/** Longest liveness session timeout accepted: ZooKeeper's own default ceiling (20 ticks of 2 s). */
const MAX_LIVENESS_SESSION_TIMEOUT_MS = 40_000;

const { EnvValueError, configFromEnv: parseEnv, defaultId, renderHelp, rows: r, parsers: p } = serviceConfig;

/** `WHARF_RUNTIME` / `--runtime`: a runtime, or `auto` (Docker when it is ready, else processes). */
export type RuntimeChoice = 'process' | 'docker' | 'auto';
/** Values `WHARF_RUNTIME` and `--runtime` accept. */
export const RUNTIME_CHOICES: readonly RuntimeChoice[] = Object.freeze(['process', 'docker', 'auto']);
/**
 * Default runtime: `auto` (the rule: Docker when the engine answers, else processes).
 * Launchers that rely on host commands (the http stack's `user_settings.command`, which has no
 * image) must pass `WHARF_RUNTIME=process` or `--runtime process` explicitly.
 */
export const DEFAULT_RUNTIME_CHOICE: RuntimeChoice = 'auto';

/** Everything `main.ts` needs besides the allocator options. */
export interface MainSettings {
  /** Which runtime to use; `auto` is resolved by `main.ts` with {@link resolveRuntime}. */
  runtime: RuntimeChoice;
  allocator: AllocatorOptions;
  zkConnect: string;
  zkChroot: string;
  logLevel: string;
  metricsPort: number;
  /** Where the process runtime keeps its state (`<home>/allocators/<id>/runtime`). */
  runtimeStateDir: string;
  /** Stop instances on SIGTERM/SIGINT instead of leaving them for the next allocator. */
  stopInstancesOnExit: boolean;
  /** Timeout of the session that holds the `live` node (`WHARF_LIVENESS_SESSION_TIMEOUT_MS`). */
  livenessSessionTimeoutMs: number;
}

/** Host facts used for defaults. */
export interface HostFacts {
  hostname: string;
  pid: number;
  totalMemoryMb: number;
  cpus: number;
  cwd: string;
}

/** The variables as read, before they become {@link MainSettings}. */
interface AllocatorEnv {
  id: string;
  zone: string;
  host: string;
  portRange: PortRange | undefined;
  capacityMb: number | undefined;
  cpus: number | undefined;
  tags: Record<string, string> | undefined;
  runtime: RuntimeChoice;
  home: string;
  zkConnect: string;
  zkChroot: string;
  metricsPort: number;
  logLevel: string;
  stopInstancesOnExit: boolean;
  livenessSessionTimeoutMs: number;
}

/** Every variable the allocator reads (printed by `--help`), with defaults for `host`. */
export function allocatorEnv(host: HostFacts): EnvTable<AllocatorEnv> {
  const row = <T>(
    name: string,
    fallback: string,
    description: string,
    parse: EnvParser<T>,
    shown?: string,
  ) => ({
    name,
    default: fallback,
    description,
    parse,
    ...(shown === undefined ? {} : { shownDefault: shown }),
  });
  const range = `${DEFAULT_PORT_RANGE.from}-${DEFAULT_PORT_RANGE.to}`;
  return {
    id: row(
      'WHARF_ID',
      defaultId({ prefix: 'allocator', ...host }),
      'allocator id',
      p.text,
      'allocator-<hostname>-<pid>',
    ),
    zone: row('WHARF_ZONE', 'zone-a', 'availability zone', p.text),
    host: row('WHARF_ALLOCATOR_HOST', '127.0.0.1', 'address instances bind and are reached on', p.text),
    portRange: row('WHARF_PORT_RANGE', '', 'instance ports, inclusive', optional(parsePortRange), range),
    capacityMb: row('WHARF_CAPACITY_MB', '', 'advertised memory', optional(nonNegative), '85% of host RAM'),
    cpus: row('WHARF_CPUS', '', 'advertised CPUs', optional(nonNegative), 'host cores'),
    tags: row('WHARF_TAGS', '', 'allocator tags, k=v,k2=v2', optional(parseTags)),
    runtime: row(
      'WHARF_RUNTIME',
      DEFAULT_RUNTIME_CHOICE,
      'auto (docker when the engine answers within 1 s and holds the stack images, else process) | process | docker; --runtime overrides it',
      p.oneOf(RUNTIME_CHOICES),
    ),
    home: row('WHARF_HOME', './.wharf', 'state directory; instances under allocators/<id>/', (raw) =>
      resolve(host.cwd, raw),
    ),
    zkConnect: r.zk,
    zkChroot: r.zkChroot,
    metricsPort: row(
      'WHARF_METRICS_PORT',
      '0',
      '/metrics and /health port on 127.0.0.1 (0: ephemeral)',
      p.port,
    ),
    logLevel: { ...r.logLevel, parse: p.text },
    stopInstancesOnExit: row(
      'WHARF_STOP_INSTANCES',
      'false',
      'true: stop instances on SIGTERM (false: a restarted allocator adopts them)',
      (raw) => raw === 'true' || raw === '1',
    ),
    livenessSessionTimeoutMs: row(
      'WHARF_LIVENESS_SESSION_TIMEOUT_MS',
      String(DEFAULT_LIVENESS_SESSION_TIMEOUT_MS),
      'timeout of the ZooKeeper session holding the live node: a dead host is noticed this long after it died (the server clamps it to 2-20 ticks)',
      p.integer(MIN_SESSION_TIMEOUT_MS, MAX_LIVENESS_SESSION_TIMEOUT_MS),
    ),
  };
}

/** The help text (`--help`). */
export const HELP = renderHelp(
  allocatorEnv({ hostname: 'host', pid: 0, totalMemoryMb: 0, cpus: 0, cwd: '.' }),
  {
    title: 'wharf-allocator: runs the instances assigned to this host',
    usage: ['Usage: wharf-allocator [--runtime process|docker|auto] [--help]'],
    intro: [
      'Options:',
      '  --runtime <value>     process | docker | auto; overrides WHARF_RUNTIME (also --runtime=<value>)',
      '  -h, --help            print this text and exit',
    ],
  },
);

/** The parsed command line. */
export interface CommandLine {
  help: boolean;
  /** The raw `--runtime` value, when given (validated by {@link configFromEnv}). */
  runtime?: string;
}

/**
 * Parses `argv` (without node and the script): `--help`/`-h`, `--runtime <v>` or `--runtime=<v>`.
 * Throws `WHARF_VALIDATION` naming the argument for anything else, or a `--runtime` without value.
 */
export function parseCommandLine(argv: readonly string[]): CommandLine {
  const line: CommandLine = { help: false };
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] ?? '';
    if (arg === '--help' || arg === '-h') {
      line.help = true;
    } else if (arg.startsWith('--runtime=')) {
      line.runtime = arg.slice('--runtime='.length);
    } else if (arg === '--runtime') {
      const value = argv[i + 1];
      if (value === undefined || value.startsWith('-')) {
        bad('--runtime', `needs a value: one of ${RUNTIME_CHOICES.join(', ')}`);
      }
      line.runtime = value;
      i += 1;
    } else {
      bad(arg, 'is not a known argument (see --help)');
    }
  }
  return line;
}

/** `auto` → docker when the engine is ready (`dockerReady`), else process; others unchanged. */
export function resolveRuntime(choice: RuntimeChoice, dockerReady: boolean): 'process' | 'docker' {
  if (choice === 'auto') return dockerReady ? 'docker' : 'process';
  return choice;
}

/**
 * Reads the settings from `env` (and `--runtime` from `argv`, which beats `WHARF_RUNTIME`);
 * throws `WHARF_VALIDATION` naming every bad variable, or the bad flag.
 */
export function configFromEnv(
  env: Readonly<Record<string, string | undefined>>,
  host: HostFacts,
  argv: readonly string[] = [],
): MainSettings {
  const flag = parseCommandLine(argv).runtime;
  if (flag !== undefined && !(RUNTIME_CHOICES as readonly string[]).includes(flag)) {
    bad('--runtime', `must be one of ${RUNTIME_CHOICES.join(', ')} (got ${JSON.stringify(flag)})`);
  }
  const read = parseEnv(
    allocatorEnv(host),
    flag === undefined ? env : { ...env, WHARF_RUNTIME: flag },
    'allocator configuration',
  );
  const allocator: AllocatorOptions = {
    id: read.id,
    home: read.home,
    zone: read.zone,
    host: read.host,
    hostMemoryMb: host.totalMemoryMb,
    hostCpus: host.cpus,
    runtimeKind: read.runtime === 'docker' ? 'docker' : 'process',
    ...(read.portRange === undefined ? {} : { portRange: read.portRange }),
    ...(read.capacityMb === undefined ? {} : { capacityMb: read.capacityMb }),
    ...(read.cpus === undefined ? {} : { cpus: read.cpus }),
    ...(read.tags === undefined ? {} : { tags: read.tags }),
  };
  return {
    runtime: read.runtime,
    allocator,
    zkConnect: read.zkConnect,
    zkChroot: read.zkChroot,
    logLevel: read.logLevel,
    metricsPort: read.metricsPort,
    runtimeStateDir: join(read.home, 'allocators', read.id, 'runtime'),
    stopInstancesOnExit: read.stopInstancesOnExit,
    livenessSessionTimeoutMs: read.livenessSessionTimeoutMs,
  };
}

/** `parse`, with `''` (unset) as undefined and its `WHARF_VALIDATION` as a bad value. */
function optional<T>(parse: (raw: string) => T): EnvParser<T | undefined> {
  return (raw) => {
    if (raw === '') return undefined;
    try {
      return parse(raw);
    } catch (err) {
      if (isWharfError(err, 'WHARF_VALIDATION')) throw new EnvValueError(err.message);
      throw err;
    }
  };
}

function nonNegative(text: string): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value < 0)
    throw new EnvValueError(`must be a non-negative number (got ${JSON.stringify(text)})`);
  return value;
}

function bad(name: string, message: string): never {
  throw new WharfError('WHARF_VALIDATION', `${name} ${message}`, { details: [{ path: name, message }] });
}
