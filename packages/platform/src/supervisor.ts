/**
 * The embedded single-host platform: ZooKeeper (platform-zookeeper.ts: the directors' members),
 * then one `wharf-runner` per simulated host (host-n at 127.0.0.n, roles seeded when new), each
 * starting its host's services. Ready once every runner, api and proxy answers its health
 * endpoint and the api sees every service registered. platform.json lists the runners and — from
 * each host's live node — their services. `close()` stops the runners, then ZooKeeper's owners.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { WharfError, paths } from '@wharf/model';
import { type Logger } from '@wharf/observability';
import { type Clock, SupervisedChild, freePorts, systemClock } from '@wharf/supervise';
import { DEFAULT_CHROOT, DocumentStore, type ZkSession } from '@wharf/zk';
import { type UpConfig, directorsOwnZooKeeper } from './config';
import { checkDockerReady, packageVersion } from './docker-check';
import {
  apiKeyFiles,
  checkPortsFree,
  liveServiceRecords,
  newPlatformRecord,
  openAndSeed,
  stopLeftoverServices,
} from './simulated-hosts';
import {
  type PlatformPackage,
  type RunnerLaunch,
  type SimulatedHost,
  planHosts,
  planRunners,
} from './host-plan';
import {
  type PlatformRecord,
  type ProcessRecord,
  isRecordedRunning,
  removePlatformFile,
  writePlatformFile,
} from './platform-file';
import { type ReadyInfo } from './ready-info';
import { type HealthTarget, adoptApiKey, readApiKey, waitHealthy, waitRegistered } from './readiness';
import { launchRunner } from './runner-process';
import { type SecureInstall, prepareSecureInstall } from './secure-bootstrap';
import { PlatformZooKeeper, pickDirectorPort } from './platform-zookeeper';

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
  /** The director's `dist/main.js`: required when the directors own ZooKeeper (`--directors 3`). */
  readonly directorEntry?: string;
}

/** Supervises the processes of one embedded platform. */
export class PlatformSupervisor {
  private stateValue: PlatformState = 'idle';
  private readonly processes = new Map<string, SupervisedChild>();
  private readonly records = new Map<string, ProcessRecord>();
  private zookeeper: PlatformZooKeeper | undefined;
  private directorPort = 0;
  private secure: SecureInstall | undefined;
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
    const keyFiles = apiKeyFiles(config.home, hosts);
    const apiKeyFile = keyFiles[0]!;
    const apiKeyExisted = keyFiles.some((file) => existsSync(file));

    if (config.mode === 'docker') await checkDockerReady(packageVersion(entries.runner));
    await checkPortsFree(hosts);
    const zookeeper = await this.startZooKeeper(hosts);
    const record = await this.spawnRunners(hosts, zookeeper);
    await this.waitReady(hosts, keyFiles, record);
    this.transition('running');
    zookeeper.keeper.watch();
    await this.refreshLive();

    const newApiKey = apiKeyExisted ? undefined : await readApiKey(apiKeyFile);
    return {
      home: config.home,
      apiUrl: `${record.api_url}/api/v1`,
      proxyUrls: record.proxy_urls,
      zookeeper: {
        connectString: zookeeper.connectString,
        embedded: zookeeper.keeper.embedded,
        owner: zookeeper.keeper.owner,
        ...(config.secure ? { tls: true } : {}),
      },
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

  /** Finds or starts ZooKeeper, opens our session and registers the simulated hosts. */
  private async startZooKeeper(
    hosts: readonly SimulatedHost[],
  ): Promise<{ keeper: PlatformZooKeeper; connectString: string }> {
    const { config, entries } = this.options;
    // Secure mode: the CA and every certificate, before ZooKeeper starts (secure-bootstrap.ts).
    if (config.secure) {
      const passphrase = this.options.baseEnv.WHARF_CA_PASSPHRASE || undefined;
      const now = new Date(this.clock.now());
      const options = { passphrase, now, logger: this.logger, ensemble: directorsOwnZooKeeper(config) };
      this.secure = await prepareSecureInstall(config.home, hosts, { ...options, domain: config.domain });
    }
    const secure = this.secure;
    this.directorPort = await pickDirectorPort(config);
    const keeper = new PlatformZooKeeper({
      config,
      directorPort: this.directorPort,
      execPath: this.options.execPath,
      baseEnv: this.options.baseEnv,
      logger: this.logger,
      clock: this.clock,
      onProcess: (record) => this.setRecord(record),
      ...(this.options.directorEntry === undefined ? {} : { directorEntry: this.options.directorEntry }),
      ...(secure === undefined ? {} : { secure }),
    });
    this.zookeeper = keeper;
    const connectString = await keeper.start();
    this.abortIfClosing();
    const where = { connectString, chroot: config.zk.chroot ?? DEFAULT_CHROOT };
    const version = packageVersion(entries.runner);
    const facts = { mode: config.mode, version, now: new Date(this.clock.now()), logger: this.logger };
    this.session = await openAndSeed(where, hosts, facts, secure);
    this.abortIfClosing();
    return { keeper, connectString };
  }

  /** Starts one runner per host and the platform file that lists them. */
  private async spawnRunners(
    hosts: readonly SimulatedHost[],
    zookeeper: { keeper: PlatformZooKeeper; connectString: string },
  ): Promise<PlatformRecord> {
    const { config, entries } = this.options;
    const directorPort = this.directorPort;
    const fixed = [config.apiPort, ...config.proxyPorts, config.zk.embeddedPort, directorPort];
    const metricsPorts =
      config.metricsPortBase > 0
        ? hosts.map((_, i) => config.metricsPortBase + i)
        : await freePorts(hosts.length, fixed);
    const zkConnectString = zookeeper.connectString;
    const secure = this.secure;
    this.runners = planRunners(config, {
      zkConnectString,
      runnerEntry: entries.runner,
      metricsPorts,
      directorPort,
      ...(secure === undefined ? {} : { tlsDir: (hostId: string) => secure.tlsDir(hostId) }),
      directorsOwnZooKeeper: zookeeper.keeper.owner === 'directors',
    });
    const record = newPlatformRecord(config, hosts, {
      started: new Date(this.clock.now()),
      detached: this.options.detached,
      zkConnectString,
      zkEmbedded: zookeeper.keeper.embedded,
    });
    this.record = record;
    for (const runner of this.runners) this.spawn(runner);
    this.persist();
    this.logger.info('waiting for the runners and their services to be healthy', {
      hosts: hosts.map((h) => `${h.id} ${h.address} ${h.zone} [${h.roles.join(',')}]`),
      mode: config.mode,
    });
    return record;
  }

  /** Every runner and client-facing service healthy, the api key in place, every service registered. */
  private async waitReady(
    hosts: readonly SimulatedHost[],
    keyFiles: readonly string[],
    record: PlatformRecord,
  ): Promise<void> {
    const { config } = this.options;
    const deadline = this.clock.now() + config.startTimeoutMs;
    const readiness = {
      clock: this.clock,
      logger: this.logger,
      checkAborted: () => this.abortIfClosing(),
      ...(this.secure === undefined ? {} : { fetch: this.secure.apiFetch }),
      describe: (id: string) => {
        const child = this.processes.get(id);
        return child && { state: child.state.kind, restarts: child.restarts };
      },
    };
    const targets: HealthTarget[] = [
      ...this.runners,
      ...this.runners.flatMap((r) =>
        r.probes.map((p) => ({ id: p.id, healthUrl: p.url, logFile: p.logFile })),
      ),
    ];
    await waitHealthy(targets, deadline, config.startTimeoutMs, readiness);
    this.pollLive();
    await adoptApiKey(keyFiles, deadline, readiness);
    // The Prometheus scrape token, created by the same api start: `<home>/credentials/scrape-token`.
    await adoptApiKey(
      keyFiles.map((file) => join(dirname(file), 'scrape-token')),
      deadline,
      readiness,
    );
    const count = (role: string) => hosts.filter((h) => (h.roles as readonly string[]).includes(role)).length;
    await waitRegistered(
      {
        url: `${record.api_url}/api/v1/platform`,
        apiKeyFile: keyFiles[0]!,
        expected: {
          allocators: count('allocator'),
          constructors: count('coordinator'),
          proxies: count('proxy'),
          directors: count('director') - (this.zookeeper?.removedDirectors ?? 0),
        },
      },
      deadline,
      readiness,
    );
  }

  private spawn(launch: RunnerLaunch): void {
    const { config, baseEnv, execPath } = this.options;
    const child: SupervisedChild = new SupervisedChild({
      name: launch.id,
      logger: this.logger,
      clock: this.clock,
      launch: async () =>
        launchRunner(launch, {
          execPath,
          env: { ...baseEnv, ...launch.env },
          cwd: config.home,
          clock: this.clock,
          restarts: child.restarts,
          onSpawn: (record) => {
            this.setRecord(record);
            if (record.restarts)
              this.logger.info('runner restarted', {
                id: launch.id,
                pid: record.pid,
                restarts: record.restarts,
              });
          },
        }),
    });
    this.processes.set(launch.id, child);
    child.start();
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
        if (record.host === host.id && !this.ownProcess(record) && !seen.has(id)) this.records.delete(id);
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
    // Services a runner left behind (killed, or its stop timed out); containers are the runner's.
    const leftovers = [...this.records.values()].filter(
      (r) => !this.ownProcess(r) && r.service !== 'zookeeper' && isRecordedRunning(r),
    );
    if (this.options.config.mode !== 'docker')
      await stopLeftoverServices(leftovers, this.options.config.stopTimeoutMs, this.logger);
    await this.session?.close().catch(() => undefined);
    await this.zookeeper?.close();
    this.record = undefined;
    await this.writes;
    await removePlatformFile(this.options.config.home);
    this.transition('stopped');
  }

  /** Runners and ZooKeeper-owning directors are this supervisor's children, not a runner's services. */
  private ownProcess(record: ProcessRecord): boolean {
    return record.service === 'runner' || this.zookeeper?.owns(record) === true;
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
