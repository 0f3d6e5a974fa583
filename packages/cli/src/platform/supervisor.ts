/**
 * The embedded single-host platform: ZooKeeper (embedded unless one answers at WHARF_ZK), then
 * every service as its own supervised process, recorded in platform.json, until everything is
 * healthy. `close()` stops the services (SIGTERM, bounded wait, SIGKILL), then ZooKeeper.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { WharfError } from '@wharf/model';
import { type Logger } from '@wharf/observability';
import { LOOPBACK, type UpConfig } from '../config/up-config';
import { type Clock, systemClock } from './clock';
import { freePorts, isPortFree } from './free-port';
import {
  type PlatformRecord,
  type ProcessRecord,
  removePlatformFile,
  writePlatformFile,
} from './platform-file';
import { type ReadyInfo } from './ready-info';
import { readApiKey, waitHealthy, waitRegistered } from './readiness';
import { type ServiceKind, type ServiceLaunch, planServices } from './service-plan';
import { SupervisedProcess } from './supervised-process';
import { ZooKeeperKeeper } from './zookeeper-keeper';

/**
 * `idle` → `starting` → `running` → `stopping` → `stopped`; a failed start goes `starting` →
 * `stopping` → `stopped` and `start()` rejects.
 */
export type PlatformState = 'idle' | 'starting' | 'running' | 'stopping' | 'stopped';

/** Options of a {@link PlatformSupervisor}. */
export interface PlatformSupervisorOptions {
  readonly config: UpConfig;
  readonly detached: boolean;
  readonly entries: Readonly<Record<ServiceKind, string>>;
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
    const { config } = this.options;
    await mkdir(join(config.home, 'logs'), { recursive: true });
    await mkdir(join(config.home, 'run'), { recursive: true });
    const apiKeyFile = join(config.home, 'credentials', 'api-key');
    const apiKeyExisted = existsSync(apiKeyFile);

    await this.checkPortsFree();
    this.zookeeper = new ZooKeeperKeeper({
      settings: config.zk,
      logger: this.logger,
      clock: this.clock,
      onProcess: (record) => this.setRecord(record),
    });
    const zkConnectString = await this.zookeeper.start();
    this.abortIfClosing();

    const fixed = [config.apiPort, ...config.proxyPorts, config.zk.embeddedPort];
    const metricsCount = config.constructors + config.allocators.length;
    const metricsPorts =
      config.metricsPortBase > 0
        ? Array.from({ length: metricsCount }, (_, i) => config.metricsPortBase + i)
        : await freePorts(metricsCount, fixed);
    const launches = planServices(config, { zkConnectString, entries: this.options.entries, metricsPorts });
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
      proxy_urls: config.proxyPorts.map((port) => `http://<deployment-id>.${config.domain}:${port}`),
      services: [],
    };
    for (const launch of launches) this.spawn(launch);
    this.persist();
    this.logger.info('waiting for services to be healthy', { services: launches.length });
    const deadline = this.clock.now() + config.startTimeoutMs;
    const readiness = {
      clock: this.clock,
      logger: this.logger,
      checkAborted: () => this.abortIfClosing(),
      describe: (id: string) => this.processes.get(id),
    };
    await waitHealthy(launches, deadline, config.startTimeoutMs, readiness);
    await waitRegistered(
      {
        url: `${this.record.api_url}/api/v1/platform`,
        apiKeyFile,
        expected: {
          allocators: config.allocators.length,
          constructors: config.constructors,
          proxies: config.proxyPorts.length,
        },
      },
      deadline,
      readiness,
    );
    this.transition('running');
    this.zookeeper.watch();

    const newApiKey = apiKeyExisted ? undefined : await readApiKey(apiKeyFile);
    const apiUrl = `${this.record.api_url}/api/v1`;
    return {
      home: config.home,
      apiUrl,
      proxyUrls: this.record.proxy_urls,
      zookeeper: { connectString: zkConnectString, embedded: this.zookeeper.embedded },
      processes: this.records.size,
      logsDir: join(config.home, 'logs'),
      apiKeyFile,
      ...(newApiKey === undefined ? {} : { newApiKey }),
      ...(this.options.examplePlan === undefined ? {} : { examplePlan: this.options.examplePlan }),
      detached: this.options.detached,
    };
  }

  /** Fails fast, naming the port, instead of letting a service crash-loop on EADDRINUSE until the timeout. */
  private async checkPortsFree(): Promise<void> {
    const { config } = this.options;
    const ports = [
      { id: 'api-1', port: config.apiPort },
      ...config.proxyPorts.map((port, i) => ({ id: `proxy-${i + 1}`, port })),
    ];
    const busy = [];
    for (const entry of ports) if (!(await isPortFree(entry.port))) busy.push(entry);
    if (busy.length > 0) {
      throw new WharfError('WHARF_CONFLICT', `ports already in use: ${busy.map((b) => b.port).join(', ')}`, {
        details: busy.map((b) => ({ path: b.id, message: `port ${b.port} is in use on ${LOOPBACK}` })),
      });
    }
  }

  private spawn(launch: ServiceLaunch): void {
    const { config, baseEnv, execPath } = this.options;
    const supervised = new SupervisedProcess({
      id: launch.id,
      command: execPath,
      args: [launch.entry],
      env: { ...baseEnv, ...launch.env },
      cwd: config.home,
      logFile: launch.logFile,
      logger: this.logger,
      restart: true,
      clock: this.clock,
      onSpawn: (pid, restarts) => {
        this.setRecord({
          id: launch.id,
          service: launch.service,
          pid,
          ...(launch.port === undefined ? {} : { port: launch.port }),
          ...(launch.metricsPort === undefined ? {} : { metrics_port: launch.metricsPort }),
          health_url: launch.healthUrl,
          log: launch.logFile,
          ...(launch.zone === undefined ? {} : { zone: launch.zone }),
          ...(launch.portRange === undefined ? {} : { port_range: launch.portRange }),
          ...(launch.capacityMb === undefined ? {} : { capacity_mb: launch.capacityMb }),
          command_match: launch.entry,
          restarts,
        });
        if (restarts > 0) this.logger.info('service restarted', { id: launch.id, pid, restarts });
      },
    });
    this.processes.set(launch.id, supervised);
    supervised.start();
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
    const grace = this.options.config.stopTimeoutMs;
    const outcomes = await Promise.all(
      [...this.processes.entries()].map(async ([id, proc]) => ({ id, outcome: await proc.stop(grace) })),
    );
    const killed = outcomes.filter((o) => o.outcome === 'killed').map((o) => o.id);
    if (killed.length > 0)
      this.logger.warn('services did not stop in time and were killed', { killed, graceMs: grace });
    await this.zookeeper?.close();
    this.record = undefined;
    await this.writes;
    await removePlatformFile(this.options.config.home);
    this.transition('stopped');
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
