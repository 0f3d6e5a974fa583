/**
 * The allocator's environment variables (docs/coordination.md) → options. Pure: `main.ts`
 * passes `process.env` and the host facts in, so this is tested without touching either.
 */
import { join, resolve } from 'node:path';
import { WharfError } from '@wharf/model';
import { type AllocatorOptions, parsePortRange, parseTags } from './config';

/** Longest id (a DNS label). */
const MAX_ID_LENGTH = 63;

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
}

/** Host facts used for defaults. */
export interface HostFacts {
  hostname: string;
  pid: number;
  totalMemoryMb: number;
  cpus: number;
  cwd: string;
}

/** The help text (`--help`). */
export const HELP = `wharf-allocator: runs the instances assigned to this host

Usage: wharf-allocator [--runtime process|docker|auto] [--help]

Options:
  --runtime <value>     process | docker | auto; overrides WHARF_RUNTIME (also --runtime=<value>)
  -h, --help            print this text and exit

Environment:
  WHARF_ID              allocator id (default allocator-<hostname>-<pid>, sanitised)
  WHARF_ZONE            availability zone (default zone-a)
  WHARF_ALLOCATOR_HOST  address instances bind and are reached on (default 127.0.0.1)
  WHARF_PORT_RANGE      instance ports, inclusive (default 20000-20999)
  WHARF_CAPACITY_MB     advertised memory (default 85% of host RAM)
  WHARF_CPUS            advertised CPUs (default: host cores)
  WHARF_TAGS            allocator tags, k=v,k2=v2 (default none)
  WHARF_RUNTIME         auto (default: docker when the engine answers within 1 s and holds the
                        stack images, else process) | process | docker; --runtime overrides it
  WHARF_HOME            state directory (default ./.wharf); instances under allocators/<id>/
  WHARF_ZK              ZooKeeper connect string (default 127.0.0.1:2181)
  WHARF_ZK_CHROOT       ZooKeeper chroot (default /wharf)
  WHARF_METRICS_PORT    /metrics and /health port on 127.0.0.1 (default 0: ephemeral)
  WHARF_LOG_LEVEL       error | warn | info | debug (default info)
  WHARF_STOP_INSTANCES  true: stop instances on SIGTERM (default false: a restarted allocator adopts them)
`;

/** The parsed command line. */
export interface CommandLine {
  help: boolean;
  /** The raw `--runtime` value, when given (validated by {@link settingsFromEnv}). */
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
 * Reads the settings from `env` (and `--runtime` from `argv`); throws `WHARF_VALIDATION` naming
 * the bad variable.
 */
export function settingsFromEnv(
  env: Readonly<Record<string, string | undefined>>,
  host: HostFacts,
  argv: readonly string[] = [],
): MainSettings {
  const home = resolve(host.cwd, env.WHARF_HOME || './.wharf');
  const id = env.WHARF_ID || defaultId(host.hostname, host.pid);
  const flag = parseCommandLine(argv).runtime;
  const runtime = flag ?? (env.WHARF_RUNTIME || DEFAULT_RUNTIME_CHOICE);
  if (!(RUNTIME_CHOICES as readonly string[]).includes(runtime)) {
    bad(
      flag === undefined ? 'WHARF_RUNTIME' : '--runtime',
      `must be one of ${RUNTIME_CHOICES.join(', ')} (got ${JSON.stringify(runtime)})`,
    );
  }
  const allocator: AllocatorOptions = {
    id,
    home,
    zone: env.WHARF_ZONE || 'zone-a',
    host: env.WHARF_ALLOCATOR_HOST || '127.0.0.1',
    hostMemoryMb: host.totalMemoryMb,
    hostCpus: host.cpus,
    runtimeKind: runtime === 'docker' ? 'docker' : 'process',
  };
  if (env.WHARF_PORT_RANGE) allocator.portRange = parsePortRange(env.WHARF_PORT_RANGE);
  if (env.WHARF_CAPACITY_MB) allocator.capacityMb = number('WHARF_CAPACITY_MB', env.WHARF_CAPACITY_MB);
  if (env.WHARF_CPUS) allocator.cpus = number('WHARF_CPUS', env.WHARF_CPUS);
  if (env.WHARF_TAGS) allocator.tags = parseTags(env.WHARF_TAGS);
  return {
    runtime: runtime as RuntimeChoice,
    allocator,
    zkConnect: env.WHARF_ZK || '127.0.0.1:2181',
    zkChroot: env.WHARF_ZK_CHROOT || '/wharf',
    logLevel: env.WHARF_LOG_LEVEL || 'info',
    metricsPort: env.WHARF_METRICS_PORT ? number('WHARF_METRICS_PORT', env.WHARF_METRICS_PORT) : 0,
    runtimeStateDir: join(home, 'allocators', id, 'runtime'),
    stopInstancesOnExit: env.WHARF_STOP_INSTANCES === 'true' || env.WHARF_STOP_INSTANCES === '1',
  };
}

/** `allocator-<hostname>-<pid>`, lowercased, with anything outside the id alphabet as `-`. */
export function defaultId(hostname: string, pid: number): string {
  const raw = `allocator-${hostname}-${pid}`.toLowerCase().replace(/[^a-z0-9-]+/g, '-');
  const trimmed = raw.replace(/-+/g, '-').slice(0, MAX_ID_LENGTH);
  return trimmed.replace(/^-+|-+$/g, '');
}

function number(name: string, text: string): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value < 0)
    bad(name, `must be a non-negative number (got ${JSON.stringify(text)})`);
  return value;
}

function bad(name: string, message: string): never {
  throw new WharfError('WHARF_VALIDATION', `${name} ${message}`, { details: [{ path: name, message }] });
}
