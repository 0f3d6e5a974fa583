/**
 * Validation of everything that reaches a process, a path or a name. A spec is checked once,
 * copied and frozen (`validateContainerSpec`), so later code never sees caller-owned objects.
 */
import { isIP } from 'node:net';
import { isAbsolute, normalize } from 'node:path';
import { WharfError } from '@wharf/model';
import { runtimeError } from './errors';
import { type ContainerSpec } from './types';

/** Container names: a lowercase id that is safe as a directory name and as a Docker name. */
export const CONTAINER_NAME_PATTERN = '^[a-z0-9][a-z0-9_.-]{0,62}$';
const NAME_REGEX = new RegExp(CONTAINER_NAME_PATTERN);
/** A bare program name, resolved through `PATH` (no directory part, so never relative to a cwd). */
const BARE_PROGRAM_REGEX = /^[A-Za-z0-9_][A-Za-z0-9._+-]{0,254}$/;
/** Port names, as the model's `Ports` schema spells them. */
const PORT_NAME_REGEX = /^[a-z][a-z0-9_]{0,31}$/;
/** Label keys in Docker's reverse-DNS style (`wharf.instance`). */
const LABEL_KEY_REGEX = /^[A-Za-z0-9][A-Za-z0-9._/-]{0,127}$/;
/** POSIX environment variable names. */
const ENV_KEY_REGEX = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
/** Docker image references, loosely: no whitespace, no shell metacharacters. */
const IMAGE_REGEX = /^[a-z0-9][a-z0-9._/:@-]{0,254}$/;

/** Most arguments in one argv: far above any real stack command, low enough to bound state files. */
const MAX_ARGV_ITEMS = 256;
/** Longest single argument (32 KiB): etcd's `--initial-cluster` for 64 members fits easily. */
const MAX_ARG_LENGTH = 32_768;
/** Most labels / env variables on one container: bounds the persisted state file. */
const MAX_MAP_ENTRIES = 128;
/** Longest label or env value. */
const MAX_VALUE_LENGTH = 4096;
/** Most named ports per container (the model allows 8). */
const MAX_PORTS = 8;
/** Largest memory size accepted (1 TiB), as in the model: anything bigger is a typo. */
const MAX_MEMORY_MB = 1_048_576;

/** True when `value` is a valid container name. */
export function isValidContainerName(value: unknown): value is string {
  return typeof value === 'string' && NAME_REGEX.test(value) && !value.includes('..');
}

/** Throws `WHARF_INVALID_ID` unless `value` is a valid container name. */
export function assertContainerName(value: unknown): string {
  if (!isValidContainerName(value)) {
    const shown = typeof value === 'string' ? JSON.stringify(value.slice(0, 80)) : typeof value;
    throw new WharfError(
      'WHARF_INVALID_ID',
      `invalid container name ${shown}: expected ${CONTAINER_NAME_PATTERN}`,
      {
        details: [{ path: 'name', message: `must match ${CONTAINER_NAME_PATTERN} without ".."` }],
      },
    );
  }
  return value;
}

function isCleanString(value: unknown, maxLength: number): value is string {
  return typeof value === 'string' && value.length <= maxLength && !value.includes('\0');
}

/** True when `value` is an absolute, already-normalised path (no `..`, no `//`, no trailing `/`). */
export function isCleanAbsolutePath(value: unknown): value is string {
  return (
    isCleanString(value, MAX_VALUE_LENGTH) && isAbsolute(value) && normalize(value) === value && value !== '/'
  );
}

/**
 * Returns a copy of `argv` or throws `WHARF_RUNTIME_ERROR`: it must be an array of strings (a
 * string command is refused: there is never a shell), and `argv[0]` an absolute path or a bare
 * program name. `allowEmpty` is for runtimes where an image supplies the default command.
 */
export function validateArgv(argv: unknown, options: { allowEmpty?: boolean } = {}): string[] {
  if (!Array.isArray(argv)) {
    throw runtimeError('command must be an argv array of strings, never a shell string', { field: 'argv' });
  }
  if (argv.length === 0 && options.allowEmpty !== true)
    throw runtimeError('argv is empty', { field: 'argv' });
  if (argv.length > MAX_ARGV_ITEMS) throw runtimeError('argv has too many items', { field: 'argv' });
  argv.forEach((arg: unknown, index) => {
    if (!isCleanString(arg, MAX_ARG_LENGTH)) {
      throw runtimeError('argv items must be strings without NUL bytes', { field: `argv[${index}]` });
    }
  });
  const program = argv[0] as string | undefined;
  if (program !== undefined && !isCleanAbsolutePath(program) && !BARE_PROGRAM_REGEX.test(program)) {
    throw runtimeError('argv[0] must be an absolute path or a bare program name', {
      field: 'argv[0]',
      value: String(program).slice(0, 80),
    });
  }
  return [...(argv as string[])];
}

function stringMap(value: unknown, field: string, keyRegex: RegExp): Record<string, string> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw runtimeError(`${field} must be an object of strings`, { field });
  }
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length > MAX_MAP_ENTRIES) throw runtimeError(`${field} has too many entries`, { field });
  const out: Record<string, string> = {};
  for (const [key, item] of entries) {
    if (!keyRegex.test(key)) throw runtimeError(`invalid ${field} key`, { field, key: key.slice(0, 80) });
    if (!isCleanString(item, MAX_VALUE_LENGTH)) throw runtimeError(`invalid ${field} value`, { field, key });
    out[key] = item;
  }
  return out;
}

function validatePorts(value: unknown): Record<string, number> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw runtimeError('ports must be an object of port numbers', { field: 'ports' });
  }
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length > MAX_PORTS) throw runtimeError('too many ports', { field: 'ports' });
  const out: Record<string, number> = {};
  for (const [name, port] of entries) {
    if (!PORT_NAME_REGEX.test(name)) throw runtimeError('invalid port name', { field: 'ports', name });
    if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) {
      throw runtimeError('invalid port number', { field: 'ports', name });
    }
    if (Object.values(out).includes(port))
      throw runtimeError('duplicate port number', { field: 'ports', port });
    out[name] = port;
  }
  return out;
}

function validateNumbers(spec: Record<string, unknown>): Pick<ContainerSpec, 'memoryMb' | 'cpuQuota'> {
  const { memoryMb, cpuQuota } = spec;
  if (
    typeof memoryMb !== 'number' ||
    !Number.isInteger(memoryMb) ||
    memoryMb < 1 ||
    memoryMb > MAX_MEMORY_MB
  ) {
    throw runtimeError('memoryMb must be a positive integer', { field: 'memoryMb' });
  }
  if (cpuQuota !== undefined && (typeof cpuQuota !== 'number' || !(cpuQuota > 0 && cpuQuota <= 1))) {
    throw runtimeError('cpuQuota must be a fraction of the host in (0, 1]', { field: 'cpuQuota' });
  }
  return cpuQuota === undefined ? { memoryMb } : { memoryMb, cpuQuota };
}

function validatePaths(spec: Record<string, unknown>): Pick<ContainerSpec, 'dataDir' | 'workDir'> {
  if (!isCleanAbsolutePath(spec.dataDir)) {
    throw runtimeError('dataDir must be a normalised absolute path', { field: 'dataDir' });
  }
  if (spec.workDir !== undefined && !isCleanAbsolutePath(spec.workDir)) {
    throw runtimeError('workDir must be a normalised absolute path', { field: 'workDir' });
  }
  return spec.workDir === undefined
    ? { dataDir: spec.dataDir }
    : { dataDir: spec.dataDir, workDir: spec.workDir };
}

/**
 * Checks every field of a spec and returns a frozen deep copy. `WHARF_INVALID_ID` for the name,
 * `WHARF_RUNTIME_ERROR` (with `details.field`) for anything else.
 */
export function validateContainerSpec(
  input: unknown,
  options: { allowEmptyArgv?: boolean } = {},
): ContainerSpec {
  if (typeof input !== 'object' || input === null) throw runtimeError('spec must be an object', {});
  const spec = input as Record<string, unknown>;
  const name = assertContainerName(spec.name);
  if (spec.image !== undefined && !(typeof spec.image === 'string' && IMAGE_REGEX.test(spec.image))) {
    throw runtimeError('invalid image reference', { field: 'image' });
  }
  if (typeof spec.hostAddress !== 'string' || isIP(spec.hostAddress) === 0) {
    throw runtimeError('hostAddress must be an IP address literal', { field: 'hostAddress' });
  }
  const out: ContainerSpec = {
    name,
    labels: stringMap(spec.labels ?? {}, 'labels', LABEL_KEY_REGEX),
    argv: validateArgv(spec.argv, {
      allowEmpty: options.allowEmptyArgv === true && spec.image !== undefined,
    }),
    env: stringMap(spec.env ?? {}, 'env', ENV_KEY_REGEX),
    ...validatePaths(spec),
    ...validateNumbers(spec),
    hostAddress: spec.hostAddress,
    ports: validatePorts(spec.ports ?? {}),
    ...(spec.image === undefined ? {} : { image: spec.image as string }),
    ...validateDockerExtras(spec),
  };
  return deepFreeze(out);
}

const BIND_REGEX = /^(\/[^:\0]*):(\/[^:\0]*)(:(ro|rw))?$/;

/** `extraBinds` (absolute `src:dst[:ro|rw]`) and `groupAdd` (numeric gids): Docker-only extras. */
function validateDockerExtras(spec: Record<string, unknown>): Pick<ContainerSpec, 'extraBinds' | 'groupAdd'> {
  const out: Pick<ContainerSpec, 'extraBinds' | 'groupAdd'> = {};
  if (spec.extraBinds !== undefined) {
    const binds = spec.extraBinds;
    if (
      !Array.isArray(binds) ||
      binds.some((b) => typeof b !== 'string' || !BIND_REGEX.test(b) || b.includes('..'))
    ) {
      throw runtimeError('extraBinds must be absolute host:container[:ro|rw] paths', { field: 'extraBinds' });
    }
    out.extraBinds = [...(binds as string[])];
  }
  if (spec.groupAdd !== undefined) {
    const groups = spec.groupAdd;
    if (!Array.isArray(groups) || groups.some((g) => typeof g !== 'string' || !/^\d+$/.test(g))) {
      throw runtimeError('groupAdd must be numeric gids', { field: 'groupAdd' });
    }
    out.groupAdd = [...(groups as string[])];
  }
  return out;
}

function deepFreeze<T extends object>(value: T): T {
  for (const item of Object.values(value)) {
    if (typeof item === 'object' && item !== null) deepFreeze(item as object);
  }
  return Object.freeze(value);
}
