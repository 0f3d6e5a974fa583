/**
 * The container runtime contract. Callers (the allocator) speak only this interface, so the
 * embedded `ProcessRuntime` and a Docker-backed runtime are interchangeable.
 */

/** Which implementation runs the containers. */
export type RuntimeKind = 'process' | 'docker';

/** What to run for one instance. Validated by `validateContainerSpec` before anything happens. */
export interface ContainerSpec {
  /** Unique container name ({@link CONTAINER_NAME_PATTERN}); becomes a directory or a Docker name. */
  name: string;
  /** Free-form labels (`wharf.deployment`, `wharf.instance`, `wharf.allocator`, ...); `list()` filters on them. */
  labels: Record<string, string>;
  /** Image to run (Docker). Ignored by `ProcessRuntime`. */
  image?: string;
  /** The command as an argv array; `argv[0]` is an absolute path or a bare program name. Never a shell string. */
  argv: string[];
  /** The whole environment of the instance (a runtime adds `PATH` only when this lacks it). */
  env: Record<string, string>;
  /** Absolute host path of the instance's data directory (created if missing, never deleted by the runtime). */
  dataDir: string;
  /** Working directory as the instance sees it; defaults to its data directory. */
  workDir?: string;
  /** Memory limit in MiB (enforced by Docker; recorded only by `ProcessRuntime`). */
  memoryMb: number;
  /** CPU quota as a fraction of the whole host, in (0, 1] (enforced by Docker only). */
  cpuQuota?: number;
  /** Host address every port is published (or bound) on, e.g. `127.0.0.1`. */
  hostAddress: string;
  /** Named ports: name → host port. Docker publishes the same number inside the container. */
  ports: Record<string, number>;
  /**
   * Extra bind mounts, `<absolute host path>:<absolute container path>[:ro|:rw]` (Docker only;
   * ignored by `ProcessRuntime`). The platform runner uses it to give the allocator the engine socket.
   */
  extraBinds?: string[];
  /** Extra groups (numeric gids) the container user joins (Docker only), e.g. the socket's group. */
  groupAdd?: string[];
}

/** Lifecycle state of a container, as Docker names them. */
export type ContainerState = 'created' | 'running' | 'exited' | 'removing';

/** A container as the runtime reports it. */
export interface ContainerInfo {
  /** Runtime-assigned id; stable for the container's life. */
  id: string;
  name: string;
  labels: Record<string, string>;
  state: ContainerState;
  /** Host pid of the main process while running. */
  pid?: number;
  /** Exit code of the last run; `null` when it was killed by a signal or the runtime could not see it end. */
  exitCode?: number | null;
  /** Signal that ended the last run, if any. */
  signal?: string | null;
  /** Epoch milliseconds. */
  createdAt: number;
  /** Epoch milliseconds of the last start. */
  startedAt?: number;
  /** Epoch milliseconds of the last exit (when the runtime noticed it, for an unwatched process). */
  finishedAt?: number;
  hostAddress: string;
  ports: Record<string, number>;
  dataDir: string;
  image?: string;
}

/** Reported once for every run that ends, whether or not `stop()` caused it. */
export interface ExitEvent {
  id: string;
  name: string;
  labels: Record<string, string>;
  /** `null` when a signal ended it or when the runtime could not observe the exit status. */
  exitCode: number | null;
  signal: string | null;
  /** True when the exit happened while no runtime watched it (seen at `open()` or by polling). */
  unobserved: boolean;
}

/** Listener for {@link ExitEvent}s. */
export type ExitListener = (event: ExitEvent) => void;

/** Options of `stop()`. */
export interface StopOptions {
  /** Grace period after SIGTERM before SIGKILL; default `DEFAULT_STOP_TIMEOUT_MS`. */
  timeoutMs?: number;
}

/** Options of `remove()`. */
export interface RemoveOptions {
  /** Kill a running container instead of refusing (`WHARF_CONFLICT`). */
  force?: boolean;
}

/** Options of `logs()`. */
export interface LogsOptions {
  /** Last lines to return; default `DEFAULT_LOG_TAIL_LINES`. */
  tail?: number;
}

/** How an instance sees itself from inside its container, for rendering its command. */
export interface ContainerView {
  /** Path of the data directory inside the container (Docker: the bind-mount target). */
  dataDir: string;
  /** Address the instance must listen on: the host address (processes, and containers on host networking). */
  bindHost: string;
}

/** State of a runtime object: `new` → `open` → `closed`. */
export type RuntimeState = 'new' | 'open' | 'closed';

/**
 * A container runtime. `open()` before use (a process runtime adopts what is still running);
 * `close()` stops watching but leaves containers running, as a Docker engine outlives its clients.
 * Every id-taking method also accepts the container's name.
 */
export interface ContainerRuntime {
  /** Which implementation this is. */
  readonly kind: RuntimeKind;
  /** Current state of the runtime object. */
  readonly state: RuntimeState;
  /** Connects / loads persisted containers and adopts running ones. Idempotent. */
  open(): Promise<void>;
  /** How an instance with this data dir and host address sees itself (pure). */
  containerView(dataDir: string, hostAddress: string): ContainerView;
  /** Creates a container (not started). `WHARF_CONFLICT` when the name is taken. */
  create(spec: ContainerSpec): Promise<ContainerInfo>;
  /** Starts a created or exited container; no-op when running. */
  start(id: string): Promise<void>;
  /** SIGTERM, then SIGKILL after the timeout; no-op when not running. Resolves once it is gone. */
  stop(id: string, options?: StopOptions): Promise<void>;
  /** Removes a stopped container (its log and state, not its data dir). No-op when unknown. */
  remove(id: string, options?: RemoveOptions): Promise<void>;
  /** The container, or null when unknown. */
  inspect(id: string): Promise<ContainerInfo | null>;
  /** Containers whose labels include every pair of `labelFilter`. */
  list(labelFilter?: Record<string, string>): Promise<ContainerInfo[]>;
  /** The last lines of the container's combined stdout/stderr. */
  logs(id: string, options?: LogsOptions): Promise<string>;
  /** Subscribes to exit events; returns the unsubscribe function. */
  on(event: 'exit', listener: ExitListener): () => void;
  /** Stops watching; containers keep running. Idempotent. */
  close(): Promise<void>;
}
