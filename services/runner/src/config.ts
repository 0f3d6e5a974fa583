/**
 * The runner's settings from the environment and its command line: parsed and validated once, at
 * the boundary, into a frozen object. `main.ts` passes `process.env` and `argv` in.
 */
import { hostname } from 'node:os';
import { WharfError, isHostRole, isValidId, type HostRole } from '@wharf/model';
import {
  type EnvSetting,
  envReader,
  integerIn,
  isLogLevel,
  renderEnvHelp,
  type LogLevel,
} from '@wharf/observability';

/** Default api port on a coordinator host (ECE's admin console port in Wharf). */
export const DEFAULT_API_PORT = 12400;
/** Default proxy port. */
export const DEFAULT_PROXY_PORT = 9200;
/** Default allocator instance port range. */
export const DEFAULT_PORT_RANGE = '20000-20999';

/** Column the `--help` table pads variable names to (wider than the longest name, as before). */
const HELP_NAME_WIDTH = 26;

/** Every variable the runner reads (printed by `--help`). */
export const RUNNER_ENV: readonly EnvSetting[] = [
  { name: 'WHARF_ZK', fallback: '127.0.0.1:2181', description: 'ZooKeeper connect string' },
  { name: 'WHARF_ZK_CHROOT', fallback: '/wharf', description: 'ZooKeeper chroot of the installation' },
  { name: 'WHARF_HOME', fallback: './.wharf', description: 'state; services get <home>/hosts/<host>' },
  { name: 'WHARF_LOG_LEVEL', fallback: 'info', description: 'error | warn | info | debug' },
  { name: 'WHARF_HOST_ID', fallback: '<hostname>', description: 'this host id (--host-id)' },
  { name: 'WHARF_HOST_ADDRESS', fallback: '127.0.0.1', description: 'address services bind to (--address)' },
  { name: 'WHARF_ZONE', fallback: 'zone-a', description: 'availability zone (--zone)' },
  { name: 'WHARF_ROLES_TOKEN', fallback: '', description: 'roles token to join with (--token)' },
  {
    name: 'WHARF_ROLES',
    fallback: '',
    description: 'roles asked for when joining, comma-separated (--roles)',
  },
  {
    name: 'WHARF_BOOTSTRAP_ROLES',
    fallback: '',
    description: 'first host of a new installation: register with these roles (--bootstrap-roles)',
  },
  {
    name: 'WHARF_RUNNER_MODE',
    fallback: 'process',
    description: 'process | docker (wharf/<svc>:<version> containers, host networking)',
  },
  { name: 'WHARF_RUNNER_METRICS_PORT', fallback: '0', description: 'port of /metrics and /health' },
  { name: 'WHARF_API_PORT', fallback: String(DEFAULT_API_PORT), description: 'api port (coordinator)' },
  { name: 'WHARF_PROXY_PORT', fallback: String(DEFAULT_PROXY_PORT), description: 'proxy port (proxy)' },
  { name: 'WHARF_PORT_RANGE', fallback: DEFAULT_PORT_RANGE, description: 'instance ports (allocator)' },
  { name: 'WHARF_DOMAIN', fallback: 'localhost', description: 'deployment domain (api, proxy)' },
];

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
  readonly portRange: string;
  readonly domain: string;
}

/** `--help` text. */
export function helpText(): string {
  return [
    'Usage: wharf-runner [--token T --roles r,... | --bootstrap-roles r,...] [--host-id id] [--address a]',
    '                    [--zone z] [--zk addr]',
    '',
    'Host agent: registers this host in ZooKeeper, follows its roles and supervises the services',
    'they call for (coordinator: api + constructor, allocator, proxy; director: not yet).',
    '',
    'Environment:',
    ...renderEnvHelp(RUNNER_ENV, { nameWidth: HELP_NAME_WIDTH }),
    '',
  ].join('\n');
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

function defaultHostId(): string {
  const id = hostname()
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40);
  return isValidId(id) ? id : 'host';
}

/** Parses environment plus flags; throws `WHARF_VALIDATION` listing every bad setting. */
export function parseRunnerConfig(
  env: Readonly<Record<string, string | undefined>>,
  argv: readonly string[],
): RunnerConfig {
  const merged: Record<string, string | undefined> = { ...env, ...flagsToEnv(argv) };
  const problems: { path: string; message: string }[] = [];
  const read = envReader(merged);
  const logLevel = read('WHARF_LOG_LEVEL', 'info');
  if (!isLogLevel(logLevel)) problems.push({ path: 'WHARF_LOG_LEVEL', message: 'unknown level' });
  const hostId = read('WHARF_HOST_ID', defaultHostId());
  if (!isValidId(hostId)) problems.push({ path: 'WHARF_HOST_ID', message: 'must be a valid id' });
  const zone = read('WHARF_ZONE', 'zone-a');
  if (!isValidId(zone)) problems.push({ path: 'WHARF_ZONE', message: 'must be a valid id' });
  const mode = read('WHARF_RUNNER_MODE', 'process');
  if (mode !== 'process' && mode !== 'docker')
    problems.push({ path: 'WHARF_RUNNER_MODE', message: 'must be process or docker' });
  const roleList = (name: string): HostRole[] => {
    const names = read(name, '')
      .split(',')
      .map((r) => r.trim())
      .filter((r) => r !== '');
    const valid = names.filter(isHostRole);
    if (valid.length !== names.length)
      problems.push({ path: name, message: 'roles are allocator, proxy, coordinator, director' });
    return valid;
  };
  const roles = roleList('WHARF_ROLES');
  const bootstrapRoles = roleList('WHARF_BOOTSTRAP_ROLES');
  const token = read('WHARF_ROLES_TOKEN', '') || undefined;
  if (token === undefined && roles.length > 0)
    problems.push({ path: 'WHARF_ROLES', message: 'roles can only be asked for with a token' });
  if (token !== undefined && bootstrapRoles.length > 0)
    problems.push({
      path: 'WHARF_BOOTSTRAP_ROLES',
      message: 'bootstrap (first host) and joining with a token exclude each other',
    });
  const port = (name: string, fallback: number, min = 1): number => {
    const n = integerIn(read(name, String(fallback)), min, 65535);
    if (n === undefined) problems.push({ path: name, message: `must be an integer ${min}-65535` });
    return n ?? fallback;
  };
  const metricsPort = port('WHARF_RUNNER_METRICS_PORT', 0, 0);
  const apiPort = port('WHARF_API_PORT', DEFAULT_API_PORT);
  const proxyPort = port('WHARF_PROXY_PORT', DEFAULT_PROXY_PORT);
  const portRange = read('WHARF_PORT_RANGE', DEFAULT_PORT_RANGE);
  if (!/^\d{1,5}-\d{1,5}$/.test(portRange))
    problems.push({ path: 'WHARF_PORT_RANGE', message: 'must be <from>-<to>' });
  if (problems.length > 0)
    throw new WharfError('WHARF_VALIDATION', 'invalid runner configuration', { details: problems });
  return Object.freeze({
    zkConnectString: read('WHARF_ZK', '127.0.0.1:2181'),
    zkChroot: read('WHARF_ZK_CHROOT', '/wharf'),
    home: read('WHARF_HOME', './.wharf'),
    logLevel: logLevel as LogLevel,
    hostId,
    address: read('WHARF_HOST_ADDRESS', '127.0.0.1'),
    zone,
    token,
    roles: Object.freeze([...new Set(roles)]),
    bootstrapRoles: Object.freeze([...new Set(bootstrapRoles)]),
    mode: mode === 'docker' ? ('docker' as const) : ('process' as const),
    metricsPort,
    apiPort,
    proxyPort,
    portRange,
    domain: read('WHARF_DOMAIN', 'localhost'),
  });
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
