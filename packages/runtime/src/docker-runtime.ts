/**
 * `DockerRuntime`: one Docker container per instance, with the memory limit and CPU quota the
 * spec asks for, the data dir bind-mounted at a fixed path, host networking and no restart
 * policy (the allocator owns restarts). The engine keeps the state, so a new runtime adopts
 * whatever is running just by listing its labels; exits come from the `/events` stream, with
 * an inspect-based resync on every (re)connection.
 */
import { chown, mkdir, stat } from 'node:fs/promises';
import { type Readable } from 'node:stream';
import type Dockerode from 'dockerode';
import { type ContainerInspectInfo } from 'dockerode';
import { type RuntimeLogger } from './deps';
import { type DockerEvent, DockerEventWatcher } from './docker-events';
import { newDockerClient } from './dockerode-client';
import { engineError, isNotFound, isNotModified } from './docker-errors';
import {
  type CompiledDockerRuntimeOptions,
  compileDockerRuntimeOptions,
  type DockerRuntimeOptions,
} from './docker-options';
import { RunTracker } from './docker-exits';
import { MANAGED_LABEL, exitOf, toContainerInfo, toCreateOptions } from './docker-spec';
import { type ContainerStats, toContainerStats } from './docker-stats';
import { type FollowLogsOptions, demuxLogBuffer, followContainerLogs } from './docker-logs';
import { conflict, notFound, runtimeError } from './errors';
import { KeyedMutex } from './keyed-mutex';
import { DEFAULT_LOG_TAIL_LINES } from './log-file';
import {
  type ContainerInfo,
  type ContainerRuntime,
  type ContainerSpec,
  type ContainerView,
  type ExitEvent,
  type ExitListener,
  type LogsOptions,
  type RemoveOptions,
  type RuntimeState,
  type StopOptions,
} from './types';
import { validateContainerSpec } from './validate';

/** Container ids and names as they may appear in an engine URL path (no `/`, `?`, `..`). */
const REF_REGEX = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;
/** Milliseconds per second (Docker's stop timeout is whole seconds). */
const MS_PER_S = 1_000;

/** Runs containers on a Docker engine (see the package README for the mapping and its reasons). */
export class DockerRuntime implements ContainerRuntime {
  /** Always `docker`. */
  readonly kind = 'docker' as const;
  private readonly options: CompiledDockerRuntimeOptions;
  private readonly log: RuntimeLogger;
  private readonly docker: Dockerode;
  /** Serialises operations and event handling per container id. */
  private readonly ops = new KeyedMutex();
  private readonly listeners = new Set<ExitListener>();
  /** Runs seen running: each ends in exactly one exit event. */
  private readonly runs = new RunTracker((event) => this.emit(event));
  private current: RuntimeState = 'new';
  private opening?: Promise<void>;
  private watcher?: DockerEventWatcher;
  private hostCpus = 1;

  constructor(options: DockerRuntimeOptions = {}) {
    this.options = compileDockerRuntimeOptions(options);
    this.log = this.options.logger;
    this.docker = this.options.docker ?? newDockerClient();
  }

  /** `new` until `open()` succeeds, `closed` after `close()`. */
  get state(): RuntimeState {
    return this.current;
  }

  /** Pings the engine, follows its events and adopts the running containers of this scope. Idempotent. */
  async open(): Promise<void> {
    if (this.current === 'closed') throw runtimeError('runtime is closed', {});
    this.opening ??= this.connect();
    await this.opening;
  }

  private async connect(): Promise<void> {
    try {
      await this.docker.ping();
      this.hostCpus = this.options.hostCpus ?? ((await this.docker.info()) as { NCPU?: number }).NCPU ?? 1;
    } catch (err) {
      throw runtimeError('the docker engine does not answer', {}, err);
    }
    this.watcher = new DockerEventWatcher({
      docker: this.docker,
      filters: { type: ['container'], event: ['start', 'die'], label: this.scopeFilter() },
      onEvent: (event) => this.onEvent(event),
      onConnect: () => this.resync(),
      logger: this.log,
      clock: this.options.clock,
    });
    await this.watcher.start();
    this.current = 'open';
    this.log.info('docker runtime opened', { scope: this.options.scope, adopted: this.runs.size });
  }

  /** Docker: the data dir is the bind-mount target; the instance binds the host address (host network). */
  containerView(_dataDir: string, hostAddress: string): ContainerView {
    return { dataDir: this.options.mountPath, bindHost: hostAddress };
  }

  /** Creates the container (never pulls: the image must exist locally). */
  async create(spec: ContainerSpec): Promise<ContainerInfo> {
    this.assertOpen();
    const valid = validateContainerSpec(spec, { allowEmptyArgv: true });
    const labels = { ...valid.labels };
    for (const [key, value] of Object.entries(this.options.scope)) {
      if (labels[key] !== undefined && labels[key] !== value) {
        throw runtimeError('spec label contradicts the runtime scope', { field: 'labels', key });
      }
      labels[key] = value;
    }
    const options = toCreateOptions(
      { ...valid, labels },
      { mountPath: this.options.mountPath, hostCpus: this.hostCpus, user: this.options.user },
    );
    const t0 = performance.now();
    await this.prepareDataDir(valid.dataDir);
    let created: Dockerode.Container;
    try {
      created = await this.docker.createContainer(options);
    } catch (err) {
      if (isNotFound(err)) {
        throw runtimeError('image not found locally (the runtime never pulls)', {
          field: 'image',
          image: valid.image,
        });
      }
      throw engineError(err, 'create the container', valid.name);
    }
    const info = toContainerInfo(await created.inspect());
    this.log.info('container created', {
      id: info.id,
      name: info.name,
      image: valid.image,
      ms: Math.round(performance.now() - t0),
    });
    return info;
  }

  /** Starts a created or exited container; no-op when it runs. */
  async start(id: string): Promise<void> {
    const t0 = performance.now();
    const raw = await this.require(id);
    await this.ops.run(raw.Id, async () => {
      const container = this.docker.getContainer(raw.Id);
      try {
        await container.start();
      } catch (err) {
        if (!isNotModified(err)) throw engineError(err, 'start the container', id);
      }
      const after = await container.inspect();
      // Tracked before looking at it, so a run that already ended is still reported once.
      this.runs.track(after);
      this.runs.settle(raw.Id, after, false);
      this.log.info('container started', {
        id: raw.Id,
        name: after.Name.slice(1),
        pid: after.State.Pid,
        ms: Math.round(performance.now() - t0),
      });
    });
  }

  /** `docker stop` (SIGTERM, SIGKILL after the timeout); resolves once the container has exited. */
  async stop(id: string, options: StopOptions = {}): Promise<void> {
    const raw = await this.require(id);
    const timeoutMs = options.timeoutMs ?? this.options.stopTimeoutMs;
    await this.ops.run(raw.Id, async () => {
      await this.halt(raw.Id, timeoutMs);
    });
  }

  /** Removes the container (not its data dir); `force` kills a running one first. No-op when unknown. */
  async remove(id: string, options: RemoveOptions = {}): Promise<void> {
    const raw = await this.find(id);
    if (!raw) return;
    await this.ops.run(raw.Id, async () => {
      const now = await this.inspectRaw(raw.Id);
      if (!now) return;
      if (now.State.Running && options.force !== true) {
        throw conflict('container is running; stop it or remove with force', { id: raw.Id });
      }
      if (now.State.Running) await this.halt(raw.Id, 0);
      try {
        await this.docker.getContainer(raw.Id).remove({ force: true, v: true });
      } catch (err) {
        if (!isNotFound(err)) throw engineError(err, 'remove the container', id);
      }
      this.runs.forget(raw.Id);
      this.log.info('container removed', { id: raw.Id, name: raw.Name.slice(1) });
    });
  }

  /** The container with this id or name (of this runtime's scope), or null. */
  async inspect(id: string): Promise<ContainerInfo | null> {
    this.assertOpen();
    const raw = await this.find(id);
    return raw ? toContainerInfo(raw) : null;
  }

  /** Containers of this scope whose labels include every pair of `labelFilter`, oldest first. */
  async list(labelFilter: Record<string, string> = {}): Promise<ContainerInfo[]> {
    this.assertOpen();
    const raws = await this.listRaw(labelFilter);
    return raws.map(toContainerInfo).sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id));
  }

  /** The last `tail` lines of the container's stdout and stderr, demultiplexed. */
  async logs(id: string, options: LogsOptions = {}): Promise<string> {
    const raw = await this.require(id);
    try {
      const buffer = await this.docker.getContainer(raw.Id).logs({
        stdout: true,
        stderr: true,
        follow: false,
        tail: options.tail ?? DEFAULT_LOG_TAIL_LINES,
      });
      return await demuxLogBuffer(
        this.docker,
        Buffer.isBuffer(buffer) ? buffer : Buffer.from(String(buffer)),
      );
    } catch (err) {
      throw engineError(err, 'read the logs', id);
    }
  }

  /**
   * Follows the container's stdout and stderr from `sinceMs`, demultiplexed, in the order
   * written; the stream ends when the container stops or goes away (destroy it to stop early).
   */
  async followLogs(id: string, options: FollowLogsOptions = {}): Promise<Readable> {
    const raw = await this.require(id);
    try {
      return await followContainerLogs(this.docker, raw.Id, options);
    } catch (err) {
      throw engineError(err, 'follow the logs', id);
    }
  }

  /** Memory and CPU usage of a running container (for metrics); null when unknown or not running. */
  async stats(id: string): Promise<ContainerStats | null> {
    const raw = await this.find(id);
    if (!raw?.State.Running) return null;
    try {
      return toContainerStats(
        raw.Id,
        await this.docker.getContainer(raw.Id).stats({ stream: false, 'one-shot': true }),
      );
    } catch (err) {
      if (isNotFound(err)) return null;
      throw engineError(err, 'read the stats', id);
    }
  }

  /** Subscribes to exit events; returns the unsubscribe function. */
  on(event: 'exit', listener: ExitListener): () => void {
    if (event !== 'exit') throw runtimeError('unknown event', { event });
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Stops following events; containers keep running for the next runtime to adopt. Idempotent. */
  async close(): Promise<void> {
    if (this.current === 'closed') return;
    const wasOpen = this.current === 'open';
    await this.opening?.catch(() => undefined);
    this.current = 'closed';
    await this.watcher?.close();
    if (wasOpen) this.log.info('docker runtime closed', { scope: this.options.scope });
  }

  private assertOpen(): void {
    if (this.current !== 'open')
      throw runtimeError(`runtime is ${this.current}, not open`, { state: this.current });
  }

  private scopeFilter(extra: Record<string, string> = {}): string[] {
    const labels = { ...extra, ...this.options.scope, [MANAGED_LABEL]: 'true' };
    return Object.entries(labels).map(([key, value]) => `${key}=${value}`);
  }

  private inScope(raw: ContainerInspectInfo): boolean {
    const labels = raw.Config.Labels ?? {};
    if (labels[MANAGED_LABEL] !== 'true') return false;
    return Object.entries(this.options.scope).every(([key, value]) => labels[key] === value);
  }

  private async inspectRaw(ref: string): Promise<ContainerInspectInfo | null> {
    try {
      return await this.docker.getContainer(ref).inspect();
    } catch (err) {
      if (isNotFound(err)) return null;
      throw engineError(err, 'inspect the container', ref);
    }
  }

  /** A container of this scope by id or name; foreign containers are invisible. */
  private async find(ref: string): Promise<ContainerInspectInfo | null> {
    this.assertOpen();
    if (!REF_REGEX.test(ref) || ref.includes('..')) return null;
    const raw = await this.inspectRaw(ref);
    return raw && this.inScope(raw) ? raw : null;
  }

  private async require(ref: string): Promise<ContainerInspectInfo> {
    const raw = await this.find(ref);
    if (!raw) throw notFound(ref);
    return raw;
  }

  private async listRaw(labelFilter: Record<string, string>): Promise<ContainerInspectInfo[]> {
    const summaries = await this.docker.listContainers({
      all: true,
      filters: { label: this.scopeFilter(labelFilter) },
    });
    const raws = await Promise.all(summaries.map((summary) => this.inspectRaw(summary.Id)));
    return raws.filter((raw): raw is ContainerInspectInfo => raw !== null && this.inScope(raw));
  }

  /** Stops the container (caller holds its lock) and reports the end of its run. */
  private async halt(id: string, timeoutMs: number): Promise<void> {
    const container = this.docker.getContainer(id);
    try {
      await container.stop({ t: Math.ceil(timeoutMs / MS_PER_S) });
    } catch (err) {
      if (!isNotModified(err)) throw engineError(err, 'stop the container', id);
    }
    this.runs.settle(id, await this.inspectRaw(id), false);
    this.log.info('container stopped', { id, timeoutMs });
  }

  /** Docker creates a missing bind source as root: create it, owned by the container user. */
  private async prepareDataDir(dataDir: string): Promise<void> {
    await mkdir(dataDir, { recursive: true, mode: 0o700 });
    const owner = this.options.chownTo;
    if (!owner) return;
    const info = await stat(dataDir);
    if (info.uid !== owner.uid || info.gid !== owner.gid) await chown(dataDir, owner.uid, owner.gid);
  }

  private emit(event: ExitEvent): void {
    if (this.current === 'closed') return;
    this.log.info('container exited', { ...event, labels: undefined });
    for (const listener of this.listeners) {
      try {
        listener({ ...event, labels: { ...event.labels } });
      } catch (err) {
        this.log.error('exit listener threw', { id: event.id, err });
      }
    }
  }

  private onEvent(event: DockerEvent): void {
    const id = event.Actor?.ID ?? event.id;
    const action = event.Action ?? event.status;
    if (!id || (action !== 'start' && action !== 'die')) return;
    const code = Number(event.Actor?.Attributes?.exitCode);
    const fallback = action === 'die' && Number.isInteger(code) ? exitOf(code) : undefined;
    void this.ops
      .run(id, async () => {
        const raw = await this.inspectRaw(id);
        if (raw && !this.inScope(raw)) return;
        this.runs.settle(id, raw, false, fallback);
      })
      .catch((err: unknown) => this.log.warn('docker event handling failed', { id, action, err }));
  }

  /** After each (re)connection: reports runs that ended unwatched, tracks the running ones. */
  private async resync(): Promise<void> {
    const raws = await this.listRaw({});
    const seen = new Set<string>();
    await Promise.all(
      raws.map((raw) =>
        this.ops.run(raw.Id, async () => {
          seen.add(raw.Id);
          this.runs.settle(raw.Id, await this.inspectRaw(raw.Id), true);
        }),
      ),
    );
    const gone = this.runs.ids().filter((id) => !seen.has(id));
    await Promise.all(gone.map((id) => this.ops.run(id, async () => this.runs.settle(id, null, true))));
  }
}
