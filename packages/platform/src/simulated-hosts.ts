/**
 * What `wharf up` does with its simulated hosts besides running their runners: registers them
 * with their planned roles (once), checks their client ports before anything starts, and turns a
 * host's live node into platform.json records.
 */
import { join } from 'node:path';
import { WharfError, isWharfError, paths, serializeDocument, type HostLive } from '@wharf/model';
import { type Logger } from '@wharf/observability';
import { type ProcessIdentity, isPortFree, stopProcessGroup } from '@wharf/supervise';
import { ZkSession, type ZkTlsOptions } from '@wharf/zk';
import { LOOPBACK, type UpConfig } from './config';
import { type RunnerLaunch, type SimulatedHost, serviceLogFile } from './host-plan';
import { type PlatformRecord, type ProcessKind, type ProcessRecord } from './platform-file';
import { type SecureInstall, caCertFile } from './secure-bootstrap';
import { startTimeOf } from './zookeeper-keeper';

/**
 * Registers each simulated host with its planned roles, unless it is registered already: roles
 * changed through the API (`PUT /platform/hosts/<id>/roles`) survive `wharf down` / `wharf up`.
 * This is the first-host bootstrap a real install does with `--bootstrap-roles` or a roles token.
 */
export async function seedHosts(
  session: ZkSession,
  hosts: readonly SimulatedHost[],
  facts: { mode: UpConfig['mode']; version: string; now: Date; logger: Logger },
): Promise<void> {
  await session.mkdirp(paths.hosts());
  for (const host of hosts) {
    const doc = serializeDocument('host-registration', {
      schema_version: 1,
      id: host.id,
      address: host.address,
      zone: host.zone,
      roles: [...host.roles],
      runtime: facts.mode,
      version: facts.version,
      started: facts.now.toISOString(),
    });
    try {
      await session.create(paths.host(host.id), doc);
      facts.logger.info('host registered', { host: host.id, roles: host.roles });
    } catch (err) {
      if (!isWharfError(err, 'WHARF_ZK_NODE_EXISTS')) throw err;
      facts.logger.info('host already registered; keeping its roles', { host: host.id });
    }
  }
}

/**
 * Opens the supervisor's session and registers the hosts that are new. In secure mode each host
 * is registered by its own runner's certificate — ZooKeeper's ACL then lets that runner, and only
 * it, write under its host node — and the supervisor reads as host-1's runner.
 */
export async function openAndSeed(
  where: { connectString: string; chroot: string },
  hosts: readonly SimulatedHost[],
  facts: Parameters<typeof seedHosts>[2],
  secure: SecureInstall | undefined,
): Promise<ZkSession> {
  const open = async (tls: ZkTlsOptions | undefined) => {
    const session = new ZkSession({ ...where, ...(tls === undefined ? {} : { tls }) });
    await session.start();
    return session;
  };
  if (secure === undefined) {
    const session = await open(undefined);
    await seedHosts(session, hosts, facts);
    return session;
  }
  for (const host of hosts) {
    const session = await open(await secure.session(host.id, 'runner'));
    try {
      await seedHosts(session, [host], facts);
    } finally {
      await session.close();
    }
  }
  return open(await secure.session(hosts[0]!.id, 'runner'));
}

/** Fails fast, naming each busy address and port, instead of letting services crash-loop on EADDRINUSE. */
export async function checkPortsFree(hosts: readonly SimulatedHost[]): Promise<void> {
  const ports = hosts.flatMap((h) => [
    ...(h.apiPort === undefined ? [] : [{ id: `api-${h.id}`, address: h.address, port: h.apiPort }]),
    ...(h.proxyPort === undefined ? [] : [{ id: `proxy-${h.id}`, address: h.address, port: h.proxyPort }]),
  ]);
  const busy = [];
  for (const entry of ports) if (!(await isPortFree(entry.port, entry.address))) busy.push(entry);
  if (busy.length > 0) {
    throw new WharfError(
      'WHARF_CONFLICT',
      `ports already in use: ${busy.map((b) => `${b.address}:${b.port}`).join(', ')}`,
      { details: busy.map((b) => ({ path: b.id, message: `port ${b.port} is in use on ${b.address}` })) },
    );
  }
}

/** The services a host's runner reports in its live node, as platform.json records (those with a pid). Pure. */
export function liveServiceRecords(
  live: HostLive,
  host: SimulatedHost,
  config: Pick<UpConfig, 'home' | 'mode'>,
): ProcessRecord[] {
  return live.services.flatMap((service) =>
    service.pid === undefined
      ? []
      : [
          {
            id: service.id,
            service: service.service as ProcessKind,
            pid: service.pid,
            host: host.id,
            ...(host.address === LOOPBACK ? {} : { address: host.address }),
            ...(service.port === undefined ? {} : { port: service.port }),
            log: serviceLogFile(config.home, host.id, service.id),
            zone: host.zone,
            // A container's main process runs `node dist/main.js` from the service's directory.
            command_match: config.mode === 'docker' ? 'dist/main.js' : `${service.service}/dist/main.js`,
            restarts: service.restarts,
          },
        ],
  );
}

/** The platform.json record of a runner just spawned as `identity`. Pure. */
export function runnerRecord(
  launch: RunnerLaunch,
  identity: ProcessIdentity,
  restarts: number,
): ProcessRecord {
  const host = launch.host;
  return {
    id: launch.id,
    service: 'runner',
    pid: identity.pid,
    ...(identity.startTime === undefined ? {} : { start_time: identity.startTime }),
    host: host.id,
    ...(host.address === LOOPBACK ? {} : { address: host.address }),
    metrics_port: launch.metricsPort,
    health_url: launch.healthUrl,
    log: launch.logFile,
    zone: host.zone,
    ...(host.portRange === undefined ? {} : { port_range: host.portRange }),
    ...(host.capacityMb === undefined ? {} : { capacity_mb: host.capacityMb }),
    command_match: launch.entry,
    restarts,
  };
}

/** What is known at start time, besides the configuration. */
export interface PlatformFacts {
  readonly started: Date;
  readonly detached: boolean;
  readonly zkConnectString: string;
  readonly zkEmbedded: boolean;
}

/** The platform file of a platform this process (the supervisor) is starting, listing nothing yet. */
export function newPlatformRecord(
  config: UpConfig,
  hosts: readonly SimulatedHost[],
  facts: PlatformFacts,
): PlatformRecord {
  const self = startTimeOf(process.pid).start_time;
  // Secure mode: the api serves HTTPS with a certificate from the CA (secure-bootstrap.ts).
  const apiCa = config.secure ? caCertFile(config.home, hosts) : undefined;
  return {
    schema_version: 1,
    home: config.home,
    started: facts.started.toISOString(),
    supervisor_pid: process.pid,
    ...(self === undefined ? {} : { supervisor_start_time: self }),
    detached: facts.detached,
    zookeeper: {
      connect_string: facts.zkConnectString,
      embedded: facts.zkEmbedded,
      ...(config.zk.chroot === undefined ? {} : { chroot: config.zk.chroot }),
      ...(config.secure ? { tls: true } : {}),
    },
    api_url: `${apiCa === undefined ? 'http' : 'https'}://${LOOPBACK}:${config.apiPort}`,
    ...(apiCa === undefined ? {} : { api_ca: apiCa }),
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
}

/** `<home>/credentials/api-key`, then each coordinator host's own copy (whichever api wrote first). */
export function apiKeyFiles(home: string, hosts: readonly SimulatedHost[]): string[] {
  return [
    join(home, 'credentials', 'api-key'),
    ...hosts
      .filter((h) => h.apiPort !== undefined)
      .map((h) => join(home, 'hosts', h.id, 'credentials', 'api-key')),
  ];
}

/**
 * Stops services their runner left behind (it was killed, or its stop timed out), group by group,
 * after checking each recorded pid still runs the recorded program. Process mode only: Docker-mode
 * services are containers the runner removes; their pids are not ours to signal.
 */
export async function stopLeftoverServices(
  leftovers: readonly ProcessRecord[],
  graceMs: number,
  logger: Logger,
): Promise<void> {
  if (leftovers.length === 0) return;
  logger.warn('services outlived their runner; stopping them', { ids: leftovers.map((r) => r.id) });
  await Promise.all(
    leftovers.map((r) =>
      stopProcessGroup(r.pid, { graceMs, identity: { pid: r.pid }, commandMatch: r.command_match }),
    ),
  );
}
