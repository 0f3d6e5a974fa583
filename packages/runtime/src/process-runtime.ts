/**
 * `ProcessRuntime`: the embedded runtime for hosts without Docker. Each container is a child
 * process in its own process group with a log file and a persisted state file under the runtime
 * root, so a restarted allocator adopts the processes that outlived it. No isolation and no
 * resource enforcement: memory and CPU limits are recorded, not applied.
 */
import { mkdir } from 'node:fs/promises';
import { type RuntimeLogger } from './deps';
import { type Entry, matchesLabels, toInfo } from './entry';
import { conflict, notFound, runtimeError } from './errors';
import { KeyedMutex } from './keyed-mutex';
import { launchProcess, type ProcessExit } from './launch';
import { DEFAULT_LOG_TAIL_LINES, tailFile } from './log-file';
import {
  type CompiledProcessRuntimeOptions,
  compileProcessRuntimeOptions,
  type ProcessRuntimeOptions,
} from './options';
import { identityOf, isSameProcess, readProcStat } from './proc';
import { RootLock } from './root-lock';
import { type ContainerRecord, newContainerId, StateStore } from './state-store';
import { terminateGroup } from './terminate';
import {
  type ContainerInfo,
  type ContainerRuntime,
  type ContainerSpec,
  type ContainerView,
  type ExitListener,
  type LogsOptions,
  type RemoveOptions,
  type RuntimeState,
  type StopOptions,
} from './types';
import { validateContainerSpec } from './validate';

/** Runs containers as local child processes (see the package README for guarantees and limits). */
export class ProcessRuntime implements ContainerRuntime {
  /** Always `process`. */
  readonly kind = 'process' as const;
  private readonly options: CompiledProcessRuntimeOptions;
  private readonly log: RuntimeLogger;
  private readonly store: StateStore;
  private readonly entries = new Map<string, Entry>();
  /** Serialises operations per container (and creates per name). */
  private readonly ops = new KeyedMutex();
  /** Serialises state-file writes per container. */
  private readonly writes = new KeyedMutex();
  private readonly listeners = new Set<ExitListener>();
  private current: RuntimeState = 'new';
  private opening?: Promise<void>;
  private lock?: RootLock;
  private readonly watchAbort = new AbortController();
  private watching?: Promise<void>;

  constructor(options: ProcessRuntimeOptions) {
    this.options = compileProcessRuntimeOptions(options);
    this.log = this.options.logger;
    this.store = new StateStore(this.options.rootDir);
  }

  /** `new` until `open()` succeeds, `closed` after `close()`. */
  get state(): RuntimeState {
    return this.current;
  }

  /** Loads persisted containers, adopts live processes, marks dead ones exited. Idempotent. */
  async open(): Promise<void> {
    if (this.current === 'closed') throw runtimeError('runtime is closed', {});
    this.opening ??= this.load();
    await this.opening;
  }

  private async load(): Promise<void> {
    await this.store.init();
    this.lock = await RootLock.acquire(this.options.rootDir);
    let adopted = 0;
    for (const loaded of await this.store.loadAll()) {
      if ('error' in loaded) {
        this.log.warn('unreadable container state skipped', { id: loaded.id, err: loaded.error });
        continue;
      }
      const entry: Entry = { record: loaded, run: 0, removing: false };
      this.entries.set(loaded.id, entry);
      if (loaded.state === 'running' && (await this.adopt(entry))) adopted += 1;
    }
    this.current = 'open';
    this.watching = this.watch(this.watchAbort.signal);
    this.log.info('process runtime opened', {
      rootDir: this.options.rootDir,
      containers: this.entries.size,
      adopted,
    });
  }

  /** Keeps a persisted `running` container whose process is still the one we spawned; else records its exit. */
  private async adopt(entry: Entry): Promise<boolean> {
    const identity = entry.record.process;
    const stat = identity && (await isSameProcess(identity)) ? await readProcStat(identity.pid) : null;
    if (identity && stat !== null && stat.pgrp === identity.pid) {
      this.log.info('container adopted', {
        id: entry.record.id,
        name: entry.record.spec.name,
        pid: identity.pid,
      });
      return true;
    }
    await this.recordExit(entry, entry.run, { exitCode: null, signal: null }, true);
    return false;
  }

  /** Processes: the data dir as given; the host address to bind. */
  containerView(dataDir: string, hostAddress: string): ContainerView {
    return { dataDir, bindHost: hostAddress };
  }

  /** Validates `spec`, creates its data dir and persists the container (not started). */
  async create(spec: ContainerSpec): Promise<ContainerInfo> {
    this.assertOpen();
    const valid = validateContainerSpec(spec);
    return this.ops.run(`name:${valid.name}`, async () => {
      const existing = this.lookup(valid.name);
      if (existing) throw conflict('container name is in use', { name: valid.name, id: existing.record.id });
      await mkdir(valid.dataDir, { recursive: true, mode: 0o700 });
      const record: ContainerRecord = {
        version: 1,
        id: newContainerId(),
        spec: valid,
        createdAt: this.options.clock.now(),
        state: 'created',
      };
      const entry: Entry = { record, run: 0, removing: false };
      this.entries.set(record.id, entry);
      try {
        await this.persist(entry);
      } catch (err) {
        this.entries.delete(record.id);
        throw runtimeError('could not persist the container', { name: valid.name }, err);
      }
      this.log.info('container created', { id: record.id, name: valid.name });
      return toInfo(entry);
    });
  }

  /** Spawns the container's process; no-op when it runs. */
  async start(id: string): Promise<void> {
    this.assertOpen();
    const entry = this.find(id);
    await this.ops.run(entry.record.id, async () => {
      if (entry.removing || this.entries.get(entry.record.id) !== entry) throw notFound(id);
      if (entry.record.state === 'running') return;
      const { spec } = entry.record;
      // Descendants of the previous run may still hold its ports or files.
      await this.killRemnants(entry);
      const launched = await launchProcess(spec, this.store.logPathOf(entry.record.id), this.options.path);
      entry.run += 1;
      const run = entry.run;
      entry.child = launched.child;
      const { exitCode: _c, signal: _s, finishedAt: _f, ...rest } = entry.record;
      entry.record = {
        ...rest,
        state: 'running',
        process: launched.identity,
        startedAt: this.options.clock.now(),
      };
      entry.exited = launched.exit
        .then((exit) => this.recordExit(entry, run, exit, false))
        .catch((err: unknown) => this.log.error('recording an exit failed', { id: entry.record.id, err }));
      await this.persist(entry);
      this.log.info('container started', {
        id: entry.record.id,
        name: spec.name,
        pid: launched.identity.pid,
      });
    });
  }

  /** SIGTERM to the process group, SIGKILL after the timeout; resolves once the group is gone. */
  async stop(id: string, options: StopOptions = {}): Promise<void> {
    this.assertOpen();
    const entry = this.find(id);
    const timeoutMs = options.timeoutMs ?? this.options.stopTimeoutMs;
    await this.ops.run(entry.record.id, async () => {
      if (entry.record.state === 'running') await this.terminate(entry, timeoutMs);
    });
  }

  /** Removes a container's state and log (never its data dir). `force` kills it first. No-op when unknown. */
  async remove(id: string, options: RemoveOptions = {}): Promise<void> {
    this.assertOpen();
    const entry = this.lookup(id);
    if (!entry) return;
    const rid = entry.record.id;
    await this.ops.run(rid, async () => {
      if (this.entries.get(rid) !== entry) return;
      if (entry.record.state === 'running' && options.force !== true) {
        throw conflict('container is running; stop it or remove with force', { id: rid });
      }
      entry.removing = true;
      try {
        if (entry.record.state === 'running') await this.terminate(entry, 0);
        await this.killRemnants(entry);
      } catch (err) {
        entry.removing = false;
        throw err;
      }
      this.entries.delete(rid);
      await this.writes.run(rid, () => this.store.delete(rid));
      this.log.info('container removed', { id: rid, name: entry.record.spec.name });
    });
  }

  /** The container with this id or name, or null. */
  async inspect(id: string): Promise<ContainerInfo | null> {
    this.assertOpen();
    const entry = this.lookup(id);
    return entry ? toInfo(entry) : null;
  }

  /** Containers whose labels include every pair of `labelFilter`, oldest first. */
  async list(labelFilter: Record<string, string> = {}): Promise<ContainerInfo[]> {
    this.assertOpen();
    return [...this.entries.values()]
      .filter((entry) => matchesLabels(entry.record.spec.labels, labelFilter))
      .map(toInfo)
      .sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id));
  }

  /** The last `tail` lines of the container's combined stdout/stderr. */
  async logs(id: string, options: LogsOptions = {}): Promise<string> {
    this.assertOpen();
    const entry = this.find(id);
    return tailFile(this.store.logPathOf(entry.record.id), options.tail ?? DEFAULT_LOG_TAIL_LINES);
  }

  /** Subscribes to exit events; returns the unsubscribe function. */
  on(event: 'exit', listener: ExitListener): () => void {
    if (event !== 'exit') throw runtimeError('unknown event', { event });
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Stops watching and releases the root; processes keep running for the next runtime to adopt. */
  async close(): Promise<void> {
    if (this.current === 'closed') return;
    const wasOpen = this.current === 'open';
    await this.opening?.catch(() => undefined);
    this.current = 'closed';
    this.watchAbort.abort();
    await this.watching;
    // Our children must not keep this process alive, nor report to a closed runtime.
    for (const entry of this.entries.values()) entry.child?.unref();
    await this.lock?.release();
    if (wasOpen) this.log.info('process runtime closed', { rootDir: this.options.rootDir });
  }

  private assertOpen(): void {
    if (this.current !== 'open')
      throw runtimeError(`runtime is ${this.current}, not open`, { state: this.current });
  }

  private lookup(idOrName: string): Entry | undefined {
    const byId = this.entries.get(idOrName);
    if (byId) return byId;
    for (const entry of this.entries.values()) if (entry.record.spec.name === idOrName) return entry;
    return undefined;
  }

  private find(idOrName: string): Entry {
    const entry = this.lookup(idOrName);
    if (!entry) throw notFound(idOrName);
    return entry;
  }

  private async persist(entry: Entry): Promise<void> {
    const id = entry.record.id;
    await this.writes.run(id, async () => {
      if (this.entries.get(id) === entry) await this.store.write(entry.record);
    });
  }

  /** Records the end of run `run` once (later duplicates and exits after `close()` are ignored). */
  private async recordExit(entry: Entry, run: number, exit: ProcessExit, unobserved: boolean): Promise<void> {
    if (this.current === 'closed' || entry.run !== run || entry.record.state !== 'running') return;
    entry.record = { ...entry.record, state: 'exited', ...exit, finishedAt: this.options.clock.now() };
    delete entry.child;
    await this.persist(entry);
    const { id, spec } = entry.record;
    this.log.info('container exited', { id, name: spec.name, ...exit, unobserved });
    for (const listener of this.listeners) {
      try {
        listener({ id, name: spec.name, labels: { ...spec.labels }, ...exit, unobserved });
      } catch (err) {
        this.log.error('exit listener threw', { id, err });
      }
    }
  }

  /** Stops the running process group of `entry` and waits until its exit is recorded. */
  private async terminate(entry: Entry, timeoutMs: number): Promise<void> {
    const { id, spec, process: identity } = entry.record;
    const run = entry.run;
    // Captured before signalling: the exit handler clears `child` as soon as the process ends.
    const ownExit = entry.child ? entry.exited : undefined;
    if (identity) {
      const leader = await identityOf(identity.pid);
      if (leader !== null && leader.startTicks !== identity.startTicks) {
        // The pid now belongs to someone else, so our group is long gone: never signal it.
        this.log.warn('container pid was reused by another process', { id, pid: identity.pid });
      } else {
        const outcome = await terminateGroup(identity.pid, timeoutMs, this.options.clock);
        this.log.info('container stopped', { id, name: spec.name, outcome, timeoutMs });
      }
    }
    if (ownExit) await ownExit;
    else await this.recordExit(entry, run, { exitCode: null, signal: null }, true);
  }

  /** Kills what is left of an exited container's process group (descendants that outlived the leader). */
  private async killRemnants(entry: Entry): Promise<void> {
    const identity = entry.record.process;
    if (!identity) return;
    const leader = await identityOf(identity.pid);
    if (leader !== null && leader.startTicks !== identity.startTicks) return;
    const outcome = await terminateGroup(identity.pid, 0, this.options.clock);
    if (outcome !== 'gone')
      this.log.warn('killed leftover processes of a container', { id: entry.record.id });
  }

  /** Polls adopted processes (not our children, so no exit event reaches us). */
  private async watch(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      await this.options.clock.sleep(this.options.watchIntervalMs, signal);
      for (const entry of this.entries.values()) {
        if (signal.aborted) return;
        const identity = entry.record.process;
        if (entry.record.state !== 'running' || entry.child || entry.removing || !identity) continue;
        if (await isSameProcess(identity)) continue;
        await this.recordExit(entry, entry.run, { exitCode: null, signal: null }, true).catch(
          (err: unknown) => this.log.error('recording an exit failed', { id: entry.record.id, err }),
        );
      }
    }
  }
}
