/**
 * Pure mapping between a `ContainerSpec` and Docker's create options, and from Docker's inspect
 * document back to a `ContainerInfo`. Everything the runtime must recover after a restart
 * (host address, ports, data dir) travels in `wharf.runtime.*` labels on the container itself.
 */
import { constants } from 'node:os';
import { type ContainerCreateOptions, type ContainerInspectInfo } from 'dockerode';
import { runtimeError } from './errors';
import { type ContainerInfo, type ContainerSpec, type ContainerState } from './types';

/** Marks every container a Wharf runtime created; nothing without it is ever touched. */
export const MANAGED_LABEL = 'wharf.managed';
/** Labels the runtime writes for itself and strips from `ContainerInfo.labels`. */
export const RUNTIME_LABELS = {
  hostAddress: 'wharf.runtime.host-address',
  ports: 'wharf.runtime.ports',
  dataDir: 'wharf.runtime.data-dir',
} as const;
/** CFS period (µs): Docker's default, so `CpuQuota` reads as "µs of CPU per 100 ms". */
export const CPU_PERIOD_US = 100_000;
/** Smallest CFS quota the kernel (and Docker) accepts (1 ms per period). */
export const MIN_CPU_QUOTA_US = 1_000;
/** Bytes in a MiB. */
const MIB = 1_048_576;
/** Docker's "never" timestamp for StartedAt/FinishedAt. */
const ZERO_TIME_PREFIX = '0001-01-01';

/** What `toCreateOptions` needs besides the spec. */
export interface CreateContext {
  /** In-container path of the data dir bind mount. */
  mountPath: string;
  /** CPUs of the engine's host: `cpuQuota` is a fraction of all of them. */
  hostCpus: number;
  /** `uid:gid` to run as, or undefined for the image's user. */
  user?: string;
}

/** CFS quota (µs per {@link CPU_PERIOD_US}) for a fraction of a host with `hostCpus` CPUs. */
export function cpuQuotaUs(fraction: number, hostCpus: number): number {
  return Math.max(MIN_CPU_QUOTA_US, Math.round(fraction * hostCpus * CPU_PERIOD_US));
}

/** Docker create options for a validated spec (host networking, no restart policy, no swap). */
export function toCreateOptions(spec: ContainerSpec, ctx: CreateContext): ContainerCreateOptions {
  if (spec.image === undefined) {
    throw runtimeError('the docker runtime needs an image', { field: 'image', name: spec.name });
  }
  const memory = spec.memoryMb * MIB;
  return {
    name: spec.name,
    Image: spec.image,
    ...(spec.argv.length > 0 ? { Cmd: [...spec.argv] } : {}),
    Env: Object.entries(spec.env).map(([key, value]) => `${key}=${value}`),
    Labels: {
      ...spec.labels,
      [MANAGED_LABEL]: 'true',
      [RUNTIME_LABELS.hostAddress]: spec.hostAddress,
      [RUNTIME_LABELS.ports]: JSON.stringify(spec.ports),
      [RUNTIME_LABELS.dataDir]: spec.dataDir,
    },
    WorkingDir: spec.workDir ?? ctx.mountPath,
    ...(ctx.user === undefined ? {} : { User: ctx.user }),
    HostConfig: {
      // The instance binds the allocator address itself: advertised address = reachable address.
      NetworkMode: 'host',
      Binds: [`${spec.dataDir}:${ctx.mountPath}:rw`, ...(spec.extraBinds ?? [])],
      ...(spec.groupAdd === undefined || spec.groupAdd.length === 0 ? {} : { GroupAdd: [...spec.groupAdd] }),
      Memory: memory,
      MemorySwap: memory,
      CpuPeriod: CPU_PERIOD_US,
      ...(spec.cpuQuota === undefined ? {} : { CpuQuota: cpuQuotaUs(spec.cpuQuota, ctx.hostCpus) }),
      // The allocator owns restarts (with back-off); the engine must never restart on its own.
      RestartPolicy: { Name: 'no' },
      // A tiny init as PID 1 forwards SIGTERM and reaps zombies, so `stop` is graceful.
      Init: true,
      CapDrop: ['ALL'],
      SecurityOpt: ['no-new-privileges'],
    },
  };
}

/** A Docker timestamp in epoch ms, or undefined for "never". */
export function dockerTime(value: string | undefined): number | undefined {
  if (!value || value.startsWith(ZERO_TIME_PREFIX)) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}

function stateOf(status: string): ContainerState {
  switch (status) {
    case 'created':
      return 'created';
    case 'running':
    case 'paused':
    case 'restarting':
      return 'running';
    case 'removing':
      return 'removing';
    default:
      return 'exited';
  }
}

/**
 * Docker reports death by signal N as exit code 128+N (as a shell does): mapped back to
 * `{ exitCode: null, signal }`, the way `ProcessRuntime` reports a signalled process.
 */
export function exitOf(code: number | null | undefined): { exitCode: number | null; signal: string | null } {
  if (code === null || code === undefined || !Number.isInteger(code)) return { exitCode: null, signal: null };
  if (code > 128) {
    const number = code - 128;
    const name = Object.entries(constants.signals).find(([, value]) => value === number)?.[0];
    if (name !== undefined) return { exitCode: null, signal: name };
  }
  return { exitCode: code, signal: null };
}

/** Labels the caller gave (runtime-owned labels stripped). */
export function callerLabels(labels: Record<string, string> | undefined): Record<string, string> {
  const owned = new Set<string>([MANAGED_LABEL, ...Object.values(RUNTIME_LABELS)]);
  return Object.fromEntries(Object.entries(labels ?? {}).filter(([key]) => !owned.has(key)));
}

function parsePorts(text: string | undefined): Record<string, number> {
  if (!text) return {};
  try {
    const value = JSON.parse(text) as unknown;
    if (typeof value !== 'object' || value === null) return {};
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).filter(
        (entry): entry is [string, number] => typeof entry[1] === 'number',
      ),
    );
  } catch {
    return {};
  }
}

/** The `ContainerInfo` of an inspected Wharf container. */
export function toContainerInfo(raw: ContainerInspectInfo): ContainerInfo {
  const labels = raw.Config.Labels ?? {};
  const state = stateOf(raw.State.Status);
  const info: ContainerInfo = {
    id: raw.Id,
    name: raw.Name.replace(/^\//, ''),
    labels: callerLabels(labels),
    state,
    createdAt: dockerTime(raw.Created) ?? 0,
    hostAddress: labels[RUNTIME_LABELS.hostAddress] ?? '',
    ports: parsePorts(labels[RUNTIME_LABELS.ports]),
    dataDir: labels[RUNTIME_LABELS.dataDir] ?? '',
    image: raw.Config.Image,
  };
  if (state === 'running' && raw.State.Pid > 0) info.pid = raw.State.Pid;
  const startedAt = dockerTime(raw.State.StartedAt);
  if (startedAt !== undefined) info.startedAt = startedAt;
  if (state === 'exited' && startedAt !== undefined) {
    const finishedAt = dockerTime(raw.State.FinishedAt);
    if (finishedAt !== undefined) info.finishedAt = finishedAt;
    Object.assign(info, exitOf(raw.State.ExitCode));
  }
  return info;
}
