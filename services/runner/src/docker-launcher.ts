/**
 * The container launcher (`WHARF_RUNNER_MODE=docker`): each service runs as a container of
 * `wharf/<service>:<version>` (docker/service.Dockerfile; its entrypoint is the service's
 * `dist/main.js`) through a `ContainerRuntime` of @wharf/runtime — the only package that talks to
 * Docker. `DockerRuntime` uses host networking, so services bind the host address and reach
 * ZooKeeper exactly as processes do; the per-host home is the bind-mounted data dir.
 *
 * It depends on a structural slice of `ContainerRuntime` ({@link ContainerApi}, with runtime's own
 * `ContainerSpec`) so tests can hand it a fake; `main.ts` wires a `DockerRuntime` in.
 *
 * Given a {@link ContainerLogSource}, each container's stdout and stderr are appended to the
 * service's log file, as in process mode: followed from the container's start until the engine
 * ends the stream (the container stopped or was removed). Each launch is a new container, so a
 * restart appends the new run's output only.
 */
import { type Writable } from 'node:stream';
import { type Logger, nullLogger } from '@wharf/observability';
import { type ContainerSpec } from '@wharf/runtime';
import { type ChildExit, type Launched, type StopOutcome } from '@wharf/supervise';
import { type ContainerLogSource, type LogCopy, appendToFile, copyLogs } from './docker-logs';
import { type ServiceLauncher } from './launcher';
import { type ServiceLaunchSpec } from './roles';

/** Memory limit of one platform service container: Node services idle at ~100 MB; headroom for load. */
export const SERVICE_MEMORY_MB = 1024;
/** Image repository prefix: images are `<prefix>/<service>:<version>`. */
export const DEFAULT_IMAGE_PREFIX = 'wharf';
/** Where docker/service.Dockerfile puts the repository inside the image. */
export const IMAGE_APP_DIR = '/app';
/** Label naming the runner's host on every container it creates. */
export const RUNNER_HOST_LABEL = 'wharf.host';
/** Label naming the service. */
export const RUNNER_SERVICE_LABEL = 'wharf.service';
/** Scope label of a runner's `DockerRuntime`: `wharf.runner=<host>` (its list/events/adoption see only these). */
export const RUNNER_SCOPE_LABEL = 'wharf.runner';
/** Default Docker engine socket, mounted (same path) into the allocator container. */
export const DEFAULT_DOCKER_SOCKET = '/var/run/docker.sock';
/**
 * After a container stops, how long its log stream may take to deliver the last lines and end
 * (the engine ends it at once, normally) before the copy is cut and its file closed anyway.
 */
export const LOG_DRAIN_MS = 2_000;

/** What the launcher needs from a `ContainerRuntime` (@wharf/runtime). */
export interface ContainerApi {
  containerView(dataDir: string, hostAddress: string): { dataDir: string };
  create(spec: ContainerSpec): Promise<{ id: string }>;
  start(id: string): Promise<void>;
  stop(id: string, options?: { timeoutMs?: number }): Promise<void>;
  remove(id: string, options?: { force?: boolean }): Promise<void>;
  inspect(id: string): Promise<{ pid?: number; state: string } | null>;
  on(
    event: 'exit',
    listener: (event: { id: string; exitCode: number | null; signal: string | null }) => void,
  ): () => void;
}

/** Options of {@link DockerLauncher}. */
export interface DockerLauncherOptions {
  readonly runtime: ContainerApi;
  readonly version: string;
  readonly hostId: string;
  readonly hostAddress: string;
  /** Host directory mounted as each service's WHARF_HOME. */
  readonly hostHome: string;
  readonly imagePrefix?: string;
  /** Variables every service gets before the contract ones (docker: nothing else is inherited). */
  readonly baseEnv?: Readonly<Record<string, string>>;
  /**
   * The engine socket given to the allocator (same path inside) with `WHARF_RUNTIME=docker`, and
   * its group id so the container user (uid 10001) may use it. Undefined: no socket is mounted.
   */
  readonly dockerSocket?: { readonly path: string; readonly gid: number };
  /** Where containers' output comes from; undefined: it stays in `docker logs` only. */
  readonly logs?: ContainerLogSource;
  /** Opens a service's log file for appending (default: the file, its directory created). */
  readonly openLog?: (path: string) => Writable;
  readonly logger?: Logger;
}

/** Starts services as containers. */
export class DockerLauncher implements ServiceLauncher {
  readonly mode = 'docker' as const;

  constructor(private readonly options: DockerLauncherOptions) {}

  /** The image of `service`. */
  imageOf(service: string): string {
    return `${this.options.imagePrefix ?? DEFAULT_IMAGE_PREFIX}/${service}:${this.options.version}`;
  }

  async launch(spec: ServiceLaunchSpec): Promise<Launched> {
    const { runtime, hostAddress, hostHome } = this.options;
    const name = `wharf-${spec.id}`;
    // A container left by an earlier runner of this host is replaced, never adopted: its spec may be stale.
    await runtime.remove(name, { force: true });
    // The runtime is built with mountPath = hostHome, so the view is the host path itself: the
    // allocator hands instance data dirs (host paths) to the engine, and they must mean the same.
    const view = runtime.containerView(hostHome, hostAddress);
    const socket = this.options.dockerSocket;
    const allocatorExtras =
      spec.service === 'allocator' && socket !== undefined
        ? {
            extraBinds: [`${socket.path}:${socket.path}:rw`],
            groupAdd: [String(socket.gid)],
          }
        : {};
    const created = await runtime.create({
      name,
      labels: { [RUNNER_HOST_LABEL]: this.options.hostId, [RUNNER_SERVICE_LABEL]: spec.service },
      image: this.imageOf(spec.service),
      argv: [], // the image's entrypoint runs the service
      env: {
        ...this.options.baseEnv,
        ...spec.env,
        WHARF_HOME: view.dataDir,
        ...(spec.service === 'allocator' && socket !== undefined ? { WHARF_RUNTIME: 'docker' } : {}),
      },
      dataDir: hostHome,
      // The image's entrypoint is `node dist/main.js`, relative to its WORKDIR (the runtime would
      // otherwise default the working dir to the mount path).
      workDir: `${IMAGE_APP_DIR}/services/${spec.service}`,
      memoryMb: SERVICE_MEMORY_MB,
      hostAddress,
      ports: spec.port === undefined ? {} : { http: spec.port },
      ...allocatorExtras,
    });
    let resolveExit!: (exit: ChildExit) => void;
    const ended = new Promise<ChildExit>((resolve) => (resolveExit = resolve));
    const unsubscribe = runtime.on('exit', (event) => {
      if (event.id !== created.id) return;
      unsubscribe();
      resolveExit({ code: event.exitCode, signal: event.signal });
    });
    // Taken before the start, so `since` covers the container's first line.
    const startedAtMs = Date.now();
    try {
      await runtime.start(created.id);
    } catch (err) {
      unsubscribe();
      await runtime.remove(created.id, { force: true });
      throw err;
    }
    const logs = this.copyLogs(created.id, startedAtMs, spec.logFile);
    const info = await runtime.inspect(created.id);
    return new LaunchedContainer(runtime, created.id, info?.pid, ended, logs);
  }

  private copyLogs(id: string, sinceMs: number, logFile: string): LogCopy | undefined {
    const source = this.options.logs;
    if (source === undefined) return undefined;
    const open = this.options.openLog ?? appendToFile;
    return copyLogs({
      source,
      id,
      sinceMs,
      open: () => open(logFile),
      logger: this.options.logger ?? nullLogger,
    });
  }
}

class LaunchedContainer implements Launched {
  /** Resolves when the container ended and its last output is in the log file (or cut). */
  readonly exited: Promise<ChildExit>;
  private stopping: Promise<StopOutcome> | undefined;
  private done = false;

  constructor(
    private readonly runtime: ContainerApi,
    private readonly id: string,
    readonly pid: number | undefined,
    ended: Promise<ChildExit>,
    private readonly logs: LogCopy | undefined,
  ) {
    void ended.then(() => (this.done = true));
    // The supervisor restarts on `exited`: the crash's last lines land in the file first.
    this.exited = ended.then(async (exit) => {
      await logs?.settle(LOG_DRAIN_MS);
      return exit;
    });
  }

  stop(graceMs: number): Promise<StopOutcome> {
    this.stopping ??= this.stopOnce(graceMs);
    return this.stopping;
  }

  private async stopOnce(graceMs: number): Promise<StopOutcome> {
    const wasRunning = !this.done;
    try {
      await this.runtime.stop(this.id, { timeoutMs: graceMs });
      // Removal would cut a stream still delivering the last lines.
      await this.logs?.settle(LOG_DRAIN_MS);
    } finally {
      await this.runtime.remove(this.id, { force: true });
      await this.logs?.settle(0);
    }
    return wasRunning ? 'terminated' : 'not-running';
  }
}
