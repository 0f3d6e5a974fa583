/**
 * The embedded single-host platform: ZooKeeper (embedded unless one answers at WHARF_ZK), then
 * one `wharf-runner` per simulated host (host-n at 127.0.0.n, its roles seeded in ZooKeeper when
 * the host is new), each starting its host's services as processes or containers. Ready once
 * every runner, api and proxy answers its health endpoint and the api sees every service
 * registered. While running, platform.json lists the runners and — from each host's live node —
 * the services they run. `close()` stops the runners (each stops its services), then ZooKeeper.
 */
import { existsSync } from 'node:fs';
import { copyFile, mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { WharfError, paths } from '@wharf/model';
import { type Logger } from '@wharf/observability';
import { DEFAULT_CHROOT, DocumentStore, ZkSession } from '@wharf/zk';
import { LOOPBACK, type UpConfig } from '../config/up-config';
import { type Clock, systemClock } from './clock';
import { checkDockerReady, packageVersion } from './docker-check';
import { freePorts } from './free-port';
import { checkPortsFree, liveServiceRecords, seedHosts } from './simulated-hosts';
import { isExpectedProcess, stopProcessGroup } from './process-control';
import { type PlatformPackage, type RunnerLaunch, planHosts, planRunners } from './host-plan';
import {
  type PlatformRecord,
  type ProcessRecord,
  removePlatformFile,
  writePlatformFile,
} from './platform-file';
import { type ReadyInfo } from './ready-info';
import { type HealthTarget, readApiKey, waitHealthy, waitRegistered } from './readiness';
import { SupervisedProcess } from './supervised-process';
import { ZooKeeperKeeper } from './zookeeper-keeper';

/** How often the supervisor copies each host's live node (its services' pids) into platform.json. */
export const LIVE_POLL_MS = 1000;
/** A runner stops its services (10 s grace each, in parallel) before it exits: give it that and more. */
export const RUNNER_EXTRA_STOP_MS = 15_000;

/**
 * `idle` → `starting` → `running` → `stopping` → `stopped`; a failed start goes `starting` →
 * `stopping` → `stopped` and `start()` rejects.
 */
export type PlatformState = 'idle' | 'starting' | 'running' | 'stopping' | 'stopped';

/** Options of a {@link PlatformSupervisor}. */
export interface PlatformSupervisorOptions {
  readonly config: UpConfig;
  readonly detached: boolean;
  readonly entries: Readonly<Record<PlatformPackage, string>>;
  /** Environment the services inherit before their own variables are applied. */
  readonly baseEnv: Readonly<Record<string, string | undefined>>;
  /** The Node executable that runs the services. */
  readonly execPath: string;
  readonly logger: Logger;
  readonly examplePlan?: string;
  readonly clock?: Clock;
}

/** Supervises the processes of one embedded platform. */
export class PlatformSupervisor {
  private stateValue: PlatformState = 'idle';
  private readonly processes = new Map<string, SupervisedProcess>();
  private readonly records = new Map<string, ProcessRecord>();
  private zookeeper: ZooKeeperKeeper | undefined;
  private session: ZkSession | undefined;
  private runners: RunnerLaunch[] = [];
  private cancelLivePoll: (() => void) | undefined;
  private record: PlatformRecord | undefined;
  private writes: Promise<void> = Promise.resolve();
  private closing: Promise<void> | undefined;
  private readonly clock: Clock;
  private readonly logger: Logger;

  constructor(private readonly options: PlatformSupervisorOptions) {
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger;
  }

  /** The current state. */
  get state(): PlatformState {
    return this.stateValue;
  }

  /** Starts everything and resolves once every service is healthy; on failure stops what it started and rejects. */
  async start(): Promise<ReadyInfo> {
    if (this.stateValue !== 'idle') throw new Error('the platform supervisor was already started');
    this.transition('starting');
    try {
      return await this.startAll();
    } catch (err) {
      await this.close();
      throw err;
    }
  }

  /** Stops every service, then ZooKeeper, and removes platform.json. Idempotent. */
  close(): Promise<void> {
    this.closing ??= this.closeOnce();
    return this.closing;
  }

  private async startAll(): Promise<ReadyInfo> {
    const { config, entries } = this.options;
    await mkdir(join(config.home, 'logs'), { recursive: true });
    await mkdir(join(config.home, 'run'), { recursive: true });
    const hosts = planHosts(config);
    const apiKeyFile = join(config.home, 'credentials', 'api-key');
    const keyFiles = [
      apiKeyFile,
      ...hosts
        .filter((h) => h.apiPort !== undefined)
        .map((h) => join(config.home, 'hosts', h.id, 'credentials', 'api-key')),
    ];
    const apiKeyExisted = keyFiles.some((file) => existsSync(file));

    if (config.mode === 'docker') await checkDockerReady(packageVersion(entries.runner));
    await checkPortsFree(hosts);
    this.zookeeper = new ZooKeeperKeeper({
      settings: config.zk,
      logger: this.logger,
      clock: this.clock,
      onProcess: (record) => this.setRecord(record),
    });
    const zkConnectString = await this.zookeeper.start();
    this.abortIfClosing();
    this.session = new ZkSession({
      connectString: zkConnectString,
      chroot: config.zk.chroot ?? DEFAULT_CHROOT,
    });
    await this.session.start();
    await seedHosts(this.session, hosts, {
      mode: config.mode,
      version: packageVersion(entries.runner),
      now: new Date(this.clock.now()),
      logger: this.logger,
    });
    this.abortIfClosing();

    const fixed = [config.apiPort, ...config.proxyPorts, config.zk.embeddedPort];
    const metricsPorts =
      config.metricsPortBase > 0
        ? hosts.map((_, i) => config.metricsPortBase + i)
        : await freePorts(hosts.length, fixed);
    this.runners = planRunners(config, { zkConnectString, runnerEntry: entries.runner, metricsPorts });
    this.record = {
      schema_version: 1,
      home: config.home,
      started: new Date(this.clock.now()).toISOString(),
      supervisor_pid: process.pid,
      detached: this.options.detached,
      zookeeper: {
        connect_string: zkConnectString,
        embedded: this.zookeeper.embedded,
        ...(config.zk.chroot === undefined ? {} : { chroot: config.zk.chroot }),
      },
      api_url: `http://${LOOPBACK}:${config.apiPort}`,
      proxy_urls: hosts.flatMap((h) =>
        h.proxyPort === undefined
          ? []
          : [
              h.address === LOOPBACK
                ? `http://<deployment-id>.${config.domain}:${h.proxyPort}`
                : `http://${h.address}:${h.proxyPort} (Host: <deployment-id>.${config.domain})`,
            ],
      ),
      services: [],
    };
    for (const runner of this.runners) this.spawn(runner);
    this.persist();
    this.logger.info('waiting for the runners and their services to be healthy', {
      hosts: hosts.map((h) => `${h.id} ${h.address} ${h.zone} [${h.roles.join(',')}]`),
      mode: config.mode,
    });
    const deadline = this.clock.now() + config.startTimeoutMs;
    const readiness = {
      clock: this.clock,
      logger: this.logger,
      checkAborted: () => this.abortIfClosing(),
      describe: (id: string) => this.processes.get(id),
    };
    const targets: HealthTarget[] = [
      ...this.runners,
      ...this.runners.flatMap((r) =>
        r.probes.map((p) => ({ id: p.id, healthUrl: p.url, logFile: p.logFile })),
      ),
    ];
    await waitHealthy(targets, deadline, config.startTimeoutMs, readiness);
    this.pollLive();
    await this.adoptApiKey(keyFiles, deadline);
    await waitRegistered(
      {
        url: `${this.record.api_url}/api/v1/platform`,
        apiKeyFile,
        expected: {
          allocators: hosts.filter((h) => h.roles.includes('allocator')).length,
          constructors: hosts.filter((h) => h.roles.includes('coordinator')).length,
          proxies: hosts.filter((h) => h.roles.includes('proxy')).length,
        },
      },
      deadline,
      readiness,
    );
    this.transition('running');
    this.zookeeper.watch();
    await this.refreshLive();

    const newApiKey = apiKeyExisted ? undefined : await readApiKey(apiKeyFile);
    const apiUrl = `${this.record.api_url}/api/v1`;
    return {
      home: config.home,
      apiUrl,
      proxyUrls: this.record.proxy_urls,
      zookeeper: { connectString: zkConnectString, embedded: this.zookeeper.embedded },
      processes: this.records.size,
      hosts: hosts.map((h) => ({ id: h.id, address: h.address, zone: h.zone, roles: [...h.roles] })),
      mode: config.mode,
      logsDir: join(config.home, 'logs'),
      apiKeyFile,
      ...(newApiKey === undefined ? {} : { newApiKey }),
      ...(this.options.examplePlan === undefined ? {} : { examplePlan: this.options.examplePlan }),
      detached: this.options.detached,
    };
  }

  /**
   * The api that won the key-creation lock saved the key under its own host's home; copy it to
   * `<home>/credentials/api-key` (0600), the one place the CLI and the docs read it from.
   */
  private async adoptApiKey(files: readonly string[], deadline: number): Promise<void> {
    const [target, ...hostFiles] = files;
    if (existsSync(target!)) return;
    for (;;) {
      const found = hostFiles.find((file) => existsSync(file));
      if (found !== undefined) {
        await mkdir(dirname(target!), { recursive: true, mode: 0o700 });
        await copyFile(found, target!);
        return;
      }
      this.abortIfClosing();
      // An older install whose key file is gone: the api keeps the key in ZooKeeper and never
      // prints it again, so there is nothing to copy; waitRegistered then warns.
      if (this.clock.now() >= deadline) return;
      await this.clock.sleep(250);
    }
  }

  private spawn(launch: RunnerLaunch): void {
    const { config, baseEnv, execPath } = this.options;
    const supervised = new SupervisedProcess({
      id: launch.id,
      command: execPath,
      // The runner allocates little: a 1 MB young generation saves ~10 MB of idle RSS (as for
      // the control-plane services it starts, services/runner CONTROL_PLANE_NODE_OPTIONS).
      args: ['--max-semi-space-size=1', launch.entry],
      env: { ...baseEnv, ...launch.env },
      cwd: config.home,
      logFile: launch.logFile,
      logger: this.logger,
      restart: true,
      clock: this.clock,
      onSpawn: (pid, restarts) => {
        this.setRecord({
          id: launch.id,
          service: 'runner',
          pid,
          host: launch.host.id,
          ...(launch.host.address === LOOPBACK ? {} : { address: launch.host.address }),
          metrics_port: launch.metricsPort,
          health_url: launch.healthUrl,
          log: launch.logFile,
          zone: launch.host.zone,
          ...(launch.host.portRange === undefined ? {} : { port_range: launch.host.portRange }),
          ...(launch.host.capacityMb === undefined ? {} : { capacity_mb: launch.host.capacityMb }),
          command_match: launch.entry,
          restarts,
        });
        if (restarts > 0) this.logger.info('runner restarted', { id: launch.id, pid, restarts });
      },
    });
    this.processes.set(launch.id, supervised);
    supervised.start();
  }

  /** Copies every host's live node into platform.json every {@link LIVE_POLL_MS} until closing. */
  private pollLive(): void {
    if (this.stateValue === 'stopping' || this.stateValue === 'stopped') return;
    this.cancelLivePoll = this.clock.schedule(() => {
      void this.refreshLive().finally(() => this.pollLive());
    }, LIVE_POLL_MS);
  }

  /** The services each runner reports in `/hosts/<host>/live`, as platform.json records. */
  private async refreshLive(): Promise<void> {
    const session = this.session;
    if (session === undefined) return;
    for (const runner of this.runners) {
      const host = runner.host;
      let live;
      try {
        live = (await new DocumentStore(session).read('host-live', paths.hostLive(host.id)))?.value;
      } catch {
        continue; // the runner is restarting: keep what we had
      }
      if (live === undefined) continue; // not published yet
      const records = liveServiceRecords(live, host, this.options.config);
      for (const record of records) this.records.set(record.id, record);
      const seen = new Set(records.map((r) => r.id));
      for (const [id, record] of this.records) {
        if (record.host === host.id && record.service !== 'runner' && !seen.has(id)) this.records.delete(id);
      }
    }
    this.persist();
  }

  private abortIfClosing(): void {
    if (this.stateValue === 'stopping' || this.stateValue === 'stopped') {
      throw new WharfError('WHARF_UNAVAILABLE', 'start interrupted: the platform is stopping');
    }
  }

  private async closeOnce(): Promise<void> {
    if (this.stateValue === 'idle') {
      this.transition('stopped');
      return;
    }
    this.transition('stopping');
    this.cancelLivePoll?.();
    const grace = this.options.config.stopTimeoutMs + RUNNER_EXTRA_STOP_MS;
    const outcomes = await Promise.all(
      [...this.processes.entries()].map(async ([id, proc]) => ({ id, outcome: await proc.stop(grace) })),
    );
    const killed = outcomes.filter((o) => o.outcome === 'killed').map((o) => o.id);
    if (killed.length > 0)
      this.logger.warn('runners did not stop in time and were killed', { killed, graceMs: grace });
    await this.stopLeftovers();
    await this.session?.close().catch(() => undefined);
    await this.zookeeper?.close();
    this.record = undefined;
    await this.writes;
    await removePlatformFile(this.options.config.home);
    this.transition('stopped');
  }

  /**
   * Services a runner left behind (it was killed, or its stop timed out): stopped group by group,
   * after checking each recorded pid still runs the recorded program. Docker-mode services are
   * containers the runner removes; their pids are not ours to signal.
   */
  private async stopLeftovers(): Promise<void> {
    if (this.options.config.mode === 'docker') return;
    const leftovers = [...this.records.values()].filter(
      (r) => r.service !== 'runner' && r.service !== 'zookeeper' && isExpectedProcess(r.pid, r.command_match),
    );
    if (leftovers.length === 0) return;
    this.logger.warn('services outlived their runner; stopping them', { ids: leftovers.map((r) => r.id) });
    await Promise.all(leftovers.map((r) => stopProcessGroup(r.pid, this.options.config.stopTimeoutMs)));
  }

  private setRecord(record: ProcessRecord): void {
    this.records.set(record.id, record);
    this.persist();
  }

  /** Queues a rewrite of platform.json; writes never interleave and stop once closing. */
  private persist(): void {
    this.writes = this.writes
      .then(async () => {
        if (this.record === undefined || this.stateValue === 'stopped') return;
        this.record.services = [...this.records.values()];
        await writePlatformFile(this.options.config.home, this.record);
      })
      .catch((err: unknown) => this.logger.error('cannot write platform.json', { err }));
  }

  private transition(next: PlatformState): void {
    if (next === this.stateValue) return;
    this.logger.debug('platform state', { from: this.stateValue, to: next });
    this.stateValue = next;
  }
}
