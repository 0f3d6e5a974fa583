/** Options of `DockerRuntime`, with defaults filled once by {@link compileDockerRuntimeOptions}. */
import type Dockerode from 'dockerode';
import { NOOP_LOGGER, SYSTEM_CLOCK, type RuntimeClock, type RuntimeLogger } from './deps';
import { runtimeError } from './errors';
import { DEFAULT_STOP_TIMEOUT_MS } from './options';
import { isCleanAbsolutePath } from './validate';

/** Where the data dir is mounted inside every container: fixed, so packs render one path. */
export const DEFAULT_MOUNT_PATH = '/data';
/**
 * User (uid = gid) instances run as when the runtime itself runs as root: an unprivileged id
 * outside the range distributions hand out, so it owns nothing on the host but the data dirs.
 */
export const DEFAULT_CONTAINER_UID = 10_001;

/** What a `DockerRuntime` accepts; everything has a default. */
export interface DockerRuntimeOptions {
  /** Engine client; default a new dockerode client (default socket, or `DOCKER_HOST`). */
  docker?: Dockerode;
  logger?: RuntimeLogger;
  clock?: RuntimeClock;
  /**
   * Labels every container of this runtime carries (e.g. `{ 'wharf.allocator': 'a1' }`): `open()`,
   * `list()` and exit events only see containers with them; `create()` adds them to the spec.
   */
  scope?: Record<string, string>;
  /** In-container path of the data dir; default {@link DEFAULT_MOUNT_PATH}. */
  mountPath?: string;
  /**
   * `uid:gid` instances run as, or `null` for the image's own user. Default: the caller's
   * uid:gid, or {@link DEFAULT_CONTAINER_UID} when the caller is root (data dirs are chowned to it).
   */
  user?: string | null;
  /** CPUs `cpuQuota` is a fraction of; default the engine's `NCPU`. */
  hostCpus?: number;
  /** Default grace period of `stop()`; default 10 s (Docker's). */
  stopTimeoutMs?: number;
}

/** {@link DockerRuntimeOptions} with defaults filled (`docker` still lazily created). */
export interface CompiledDockerRuntimeOptions {
  readonly docker?: Dockerode;
  readonly logger: RuntimeLogger;
  readonly clock: RuntimeClock;
  readonly scope: Readonly<Record<string, string>>;
  readonly mountPath: string;
  /** `uid:gid` or undefined (image user). */
  readonly user?: string;
  /** Set when the runtime must chown data dirs to the container user (it runs as root). */
  readonly chownTo?: { uid: number; gid: number };
  readonly hostCpus?: number;
  readonly stopTimeoutMs: number;
}

/** The default container user for a caller with this uid/gid. */
export function defaultUser(
  uid: number,
  gid: number,
): { user: string; chownTo?: { uid: number; gid: number } } {
  if (uid !== 0) return { user: `${uid}:${gid}` };
  const id = DEFAULT_CONTAINER_UID;
  return { user: `${id}:${id}`, chownTo: { uid: id, gid: id } };
}

/** Validates `options` and fills defaults. */
export function compileDockerRuntimeOptions(
  options: DockerRuntimeOptions,
  ids: { uid: number; gid: number } = { uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 },
): CompiledDockerRuntimeOptions {
  const mountPath = options.mountPath ?? DEFAULT_MOUNT_PATH;
  if (!isCleanAbsolutePath(mountPath))
    throw runtimeError('mountPath must be a normalised absolute path', { field: 'mountPath' });
  const stopTimeoutMs = options.stopTimeoutMs ?? DEFAULT_STOP_TIMEOUT_MS;
  if (!Number.isFinite(stopTimeoutMs) || stopTimeoutMs < 0)
    throw runtimeError('stopTimeoutMs must be non-negative', { field: 'stopTimeoutMs' });
  if (options.hostCpus !== undefined && !(options.hostCpus > 0))
    throw runtimeError('hostCpus must be positive', { field: 'hostCpus' });
  if (options.user !== undefined && options.user !== null && !/^\d+(:\d+)?$/.test(options.user)) {
    throw runtimeError('user must be a numeric uid[:gid]', { field: 'user' });
  }
  const user =
    options.user === undefined
      ? defaultUser(ids.uid, ids.gid)
      : options.user === null
        ? {}
        : { user: options.user };
  return Object.freeze({
    ...(options.docker ? { docker: options.docker } : {}),
    logger: options.logger ?? NOOP_LOGGER,
    clock: options.clock ?? SYSTEM_CLOCK,
    scope: Object.freeze({ ...(options.scope ?? {}) }),
    mountPath,
    ...user,
    ...(options.hostCpus === undefined ? {} : { hostCpus: options.hostCpus }),
    stopTimeoutMs,
  });
}
