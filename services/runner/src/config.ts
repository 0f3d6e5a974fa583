/**
 * The runner's settings from the environment and its command line: parsed and validated once, at
 * the boundary, into a frozen object. `main.ts` passes `process.env` and `argv` in.
 */
import { hostname } from 'node:os';
import { WharfError, isHostRole, type HostRole } from '@wharf/model';
import {
  type EnvParser,
  type EnvProblem,
  type EnvTable,
  type LogLevel,
  serviceConfig,
} from '@wharf/observability';
import { RUNNER_SERVICES, type RunnerService } from './roles';

const {
  EnvValueError,
  configFromEnv: parseEnv,
  defaultId,
  invalidConfig,
  renderHelp,
  rows: r,
  parsers: p,
} = serviceConfig;

/** Default api port on a coordinator host (ECE's admin console port in Wharf). */
export const DEFAULT_API_PORT = 12400;
/** Default proxy port. */
export const DEFAULT_PROXY_PORT = 9200;
/** Default port of the director's enrolment endpoint (ARCHITECTURE.md, "Default ports"). */
export const DEFAULT_DIRECTOR_PORT = 12500;
/** Default allocator instance port range. */
export const DEFAULT_PORT_RANGE = '20000-20999';

/** Column the `--help` table pads variable names to (wider than the longest name, as before). */
const HELP_NAME_WIDTH = 26;

/** Command-line flags and the variable each overrides. */
const FLAGS: Readonly<Record<string, string>> = {
  '--token': 'WHARF_ROLES_TOKEN',
  '--roles': 'WHARF_ROLES',
  '--bootstrap-roles': 'WHARF_BOOTSTRAP_ROLES',
  '--host-id': 'WHARF_HOST_ID',
  '--address': 'WHARF_HOST_ADDRESS',
  '--zone': 'WHARF_ZONE',
  '--zk': 'WHARF_ZK',
};

/** The runner's validated settings. */
export interface RunnerConfig {
  readonly zkConnectString: string;
  readonly zkChroot: string;
  readonly home: string;
  readonly logLevel: LogLevel;
  readonly hostId: string;
  readonly address: string;
  readonly zone: string;
  readonly token: string | undefined;
  readonly roles: readonly HostRole[];
  /** Roles of the first host of a new installation (no token: there is no api yet). */
  readonly bootstrapRoles: readonly HostRole[];
  readonly mode: 'process' | 'docker';
  readonly metricsPort: number;
  readonly apiPort: number;
  readonly proxyPort: number;
  readonly directorPort: number;
  readonly portRange: string;
  readonly domain: string;
  /** Secure mode: `<dir>/<service>/` certificates for the runner and each service (else plain). */
  readonly tlsDir: string | undefined;
  /** Services the host starts before the runner (a director owning ZooKeeper); the runner skips them. */
  readonly hostServices: readonly RunnerService[];
}

/** A comma-separated list of host roles, deduplicated (blank: none). */
const roleList: EnvParser<readonly HostRole[]> = (raw) => {
  const names = raw
    .split(',')
    .map((role) => role.trim())
    .filter((r) => r !== '');
  if (!names.every(isHostRole)) throw new EnvValueError('roles are allocator, proxy, coordinator, director');
  return Object.freeze([...new Set(names)]);
};

/** A port number from `min` (0: any free port) to 65535. */
const portFrom = (min: number): EnvParser<number> => p.integer(min, 65535);

/** The settings that say who this host is and how it joins. */
type HostSettings = Pick<
  RunnerConfig,
  'hostId' | 'address' | 'zone' | 'token' | 'roles' | 'bootstrapRoles' | 'mode'
>;

/** Every variable the runner reads (printed by `--help`), with the host id defaulting to `hostName`. */
export function runnerEnv(hostName: string): EnvTable<RunnerConfig> {
  return {
    zkConnectString: r.zk,
    zkChroot: r.zkChroot,
    home: { ...r.home, description: 'state; services get <home>/hosts/<host>' },
    logLevel: r.logLevel,
    ...hostEnv(hostName),
    ...SERVICE_ENV,
  };
}

/** The variables of {@link HostSettings}, with the host id defaulting to `hostName`. */
function hostEnv(hostName: string): EnvTable<HostSettings> {
  return {
    hostId: {
      name: 'WHARF_HOST_ID',
      default: defaultId({ hostname: hostName }),
      shownDefault: '<hostname>',
      description: 'this host id (--host-id)',
      parse: p.validId,
    },
    address: {
      name: 'WHARF_HOST_ADDRESS',
      default: '127.0.0.1',
      description: 'address services bind to (--address)',
      parse: p.text,
    },
    zone: {
      name: 'WHARF_ZONE',
      default: 'zone-a',
      description: 'availability zone (--zone)',
      parse: p.validId,
    },
    token: {
      name: 'WHARF_ROLES_TOKEN',
      default: '',
      description: 'roles token to join with (--token)',
      parse: (raw) => raw || undefined,
    },
    roles: {
      name: 'WHARF_ROLES',
      default: '',
      description: 'roles asked for with a token, or certified in WHARF_TLS_DIR (--roles)',
      parse: roleList,
    },
    bootstrapRoles: {
      name: 'WHARF_BOOTSTRAP_ROLES',
      default: '',
      description: 'first host of a new installation: register with these roles (--bootstrap-roles)',
      parse: roleList,
    },
    mode: {
      name: 'WHARF_RUNNER_MODE',
      default: 'process',
      description: 'process | docker (wharf/<svc>:<version> containers, host networking)',
      parse: p.oneOf(['process', 'docker'] as const),
    },
  };
}

/** The ports and names of the services the runner starts. */
const SERVICE_ENV: EnvTable<
  Pick<
    RunnerConfig,
    | 'metricsPort'
    | 'apiPort'
    | 'proxyPort'
    | 'directorPort'
    | 'portRange'
    | 'domain'
    | 'tlsDir'
    | 'hostServices'
  >
> = {
  hostServices: {
    name: 'WHARF_HOST_SERVICES',
    default: '',
    description: 'services the host runs itself before the runner (director), comma-separated',
    parse: (raw) => {
      const names = raw
        .split(',')
        .map((n) => n.trim())
        .filter((n) => n !== '');
      if (!names.every((n) => (RUNNER_SERVICES as readonly string[]).includes(n)))
        throw new EnvValueError(`services are ${RUNNER_SERVICES.join(', ')}`);
      return Object.freeze(names as RunnerService[]);
    },
  },
  tlsDir: {
    name: 'WHARF_TLS_DIR',
    default: '',
    description: 'secure mode: <dir>/<service>/{ca,cert,key}.pem from `wharf host enrol`',
    parse: (raw) => raw || undefined,
  },
  metricsPort: {
    name: 'WHARF_RUNNER_METRICS_PORT',
    default: '0',
    description: 'port of /metrics and /health',
    parse: portFrom(0),
  },
  apiPort: {
    name: 'WHARF_API_PORT',
    default: String(DEFAULT_API_PORT),
    description: 'api port (coordinator)',
    parse: portFrom(1),
  },
  proxyPort: {
    name: 'WHARF_PROXY_PORT',
    default: String(DEFAULT_PROXY_PORT),
    description: 'proxy port (proxy)',
    parse: portFrom(1),
  },
  directorPort: {
    name: 'WHARF_DIRECTOR_PORT',
    default: String(DEFAULT_DIRECTOR_PORT),
    description: 'director enrolment port (director)',
    parse: portFrom(1),
  },
  portRange: {
    name: 'WHARF_PORT_RANGE',
    default: DEFAULT_PORT_RANGE,
    description: 'instance ports (allocator)',
    parse: (raw) => {
      if (!/^\d{1,5}-\d{1,5}$/.test(raw)) throw new EnvValueError('must be <from>-<to>');
      return raw;
    },
  },
  domain: {
    name: 'WHARF_DOMAIN',
    default: 'localhost',
    description: 'deployment domain (api, proxy)',
    parse: p.text,
  },
};

/** `--help` text. */
export function helpText(): string {
  return renderHelp(runnerEnv('host'), {
    title: 'wharf-runner: the host agent',
    usage: [
      'Usage: wharf-runner [--token T --roles r,... | --bootstrap-roles r,...] [--host-id id] [--address a]',
      '                    [--zone z] [--zk addr]',
    ],
    intro: [
      'Host agent: registers this host in ZooKeeper, follows its roles and supervises the services',
      'they call for (coordinator: api + constructor, allocator, proxy, director).',
    ],
    nameWidth: HELP_NAME_WIDTH,
  });
}

/** Flags as variables: `--zone z` and `--zone=z` both become `WHARF_ZONE=z`. */
export function flagsToEnv(argv: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [flag, inline] = arg.includes('=')
      ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)]
      : [arg, undefined];
    const name = FLAGS[flag];
    if (name === undefined)
      throw new WharfError('WHARF_VALIDATION', `unknown option ${flag}`, {
        details: [{ path: flag, message: 'unknown option' }],
      });
    const value = inline ?? argv[++i];
    if (value === undefined)
      throw new WharfError('WHARF_VALIDATION', `${flag} needs a value`, {
        details: [{ path: flag, message: 'needs a value' }],
      });
    out[name] = value;
  }
  return out;
}

/** Parses environment plus flags; throws `WHARF_VALIDATION` listing every bad setting. */
export function configFromEnv(
  env: Readonly<Record<string, string | undefined>>,
  argv: readonly string[],
  hostName: string = hostname(),
): RunnerConfig {
  const config = parseEnv(runnerEnv(hostName), { ...env, ...flagsToEnv(argv) }, 'runner configuration');
  const problems: EnvProblem[] = [];
  const problem = (variable: string, message: string) => problems.push({ path: variable, variable, message });
  if (config.token === undefined && config.roles.length > 0 && config.tlsDir === undefined)
    problem('WHARF_ROLES', 'roles can only be asked for with a token, or certified (WHARF_TLS_DIR)');
  if (config.token === undefined && config.roles.length > 0 && config.bootstrapRoles.length > 0)
    problem('WHARF_ROLES', 'certified roles and bootstrap roles exclude each other');
  if (config.token !== undefined && config.bootstrapRoles.length > 0)
    problem('WHARF_BOOTSTRAP_ROLES', 'bootstrap (first host) and joining with a token exclude each other');
  if (problems.length > 0) throw invalidConfig('runner configuration', problems);
  return config;
}
/** Environment the runner's services inherit: its own minus runner-only secrets. */
export function inheritedEnv(
  env: Readonly<Record<string, string | undefined>>,
): Record<string, string | undefined> {
  const out = { ...env };
  delete out.WHARF_ROLES_TOKEN;
  delete out.WHARF_ROLES;
  return out;
}
