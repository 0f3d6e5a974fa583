#!/usr/bin/env node
/**
 * `wharf-director`: reads the environment, loads or creates the CA in `<WHARF_HOME>/ca`, wires
 * the ZooKeeper session, logger and metrics, and runs a director until SIGTERM/SIGINT. The only
 * module that reads `process.env` or calls `process.exit`.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import {
  type Logger,
  createLogger,
  createMetrics,
  createObservabilityHandler,
  installShutdown,
  startObservabilityServer,
  runMain,
} from '@wharf/observability';
import { CA_PASSPHRASE_ENV, loadOrCreateCa, readTlsCredentials } from '@wharf/pki';
import {
  type EmbeddedZooKeeperTls,
  ZkSession,
  ensembleConnectString,
  registerService,
  zkTlsFromEnv,
} from '@wharf/zk';
import { configFromEnv, helpText, type DirectorConfig } from './config';
import { Director } from './director';
import { createDirectorMetrics } from './metrics';
import { MemberCertificateWatch } from './member-certificate';
import { ZooKeeperMember } from './zk-member';

/** Version written in the service registration. */
const VERSION = '0.1.0';
/** How long a graceful shutdown may take before the process exits anyway. */
const SHUTDOWN_TIMEOUT_MS = 10_000;
/** A removed director's keep-alive timer: any long period (it only holds the event loop open). */
const REMOVED_IDLE_TICK_MS = 3_600_000;

async function main(): Promise<void> {
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    process.stdout.write(helpText());
    process.exit(0);
  }
  const config = configFromEnv(process.env, { hostname: hostname() });
  const logger = createLogger({ service: 'director', level: config.logLevel, context: { id: config.id } });
  const passphrase = process.env[CA_PASSPHRASE_ENV] || undefined;
  // The member first: `wharf up` waits for it before starting anything else, and a new CA's
  // RSA key (seconds on a busy box) can be made while the runners start.
  let retire: () => Promise<void> = async () => undefined;
  const member = await startZkMember(config, logger, () => void retire());
  if (member?.state === 'removed') return idleRemoved(logger);
  const certificateWatch = watchMemberCertificate(config, member, logger);
  const ca = await loadCa(config.home, passphrase, logger);
  const tls = zkTlsFromEnv(process.env);
  const zk = new ZkSession({ connectString: config.zkConnectString, chroot: config.zkChroot, tls, logger });
  const metrics = createDirectorMetrics(createMetrics('director'));
  const director = new Director({
    id: config.id,
    zk,
    ca,
    enrol: { host: config.host, port: config.port, names: config.names },
    zkConnectString: config.zkConnectString,
    ...(member === null
      ? {}
      : {
          zkServers: () => ensembleConnectString(member.members),
          memberCertificate: () => member.certificate,
        }),
    ...(tls === undefined ? {} : { zkTls: tls }),
    quorumIntervalMs: config.quorumIntervalMs,
    metrics,
    logger,
  });
  const observability = await startObservabilityServer({
    port: config.metricsPort,
    logger,
    handler: createObservabilityHandler({
      registry: metrics.registry,
      health: () => health(zk, director),
      logger,
    }),
  });
  installShutdown({
    logger,
    hardLimitMs: SHUTDOWN_TIMEOUT_MS,
    close: async () => {
      await certificateWatch?.close();
      await director.close();
      await observability.close();
      await zk.close();
      await member?.stop(); // stays a member: a restart rejoins with its data
    },
  });
  // Removed from the ensemble (`wharf director remove`): its member stopped its server; the
  // director stops serving and unregisters, and the process idles so its supervisor keeps it down.
  retire = async () => {
    logger.warn('director removed from the ensemble; retiring');
    await certificateWatch?.close();
    await director.close();
    await zk.close();
  };
  await zk.start();
  await director.start();
  // Found by the api's Prometheus service discovery like every other service; closed with the session.
  await registerService(zk, {
    service: 'director',
    id: config.id,
    address: observability.address,
    version: VERSION,
    started: new Date(),
  });
  logger.info('director started', {
    enrol: director.enrolUrl,
    caFingerprint: director.caFingerprint,
    metrics: observability.url,
  });
}

/** The director's CA (`<home>/ca`), created on a first start. */
async function loadCa(home: string, passphrase: string | undefined, logger: Logger) {
  const caDir = join(resolve(home), 'ca');
  const { ca, created } = await loadOrCreateCa(caDir, passphrase === undefined ? {} : { passphrase });
  logger.info(created ? 'ca created' : 'ca loaded', { dir: caDir, encrypted: passphrase !== undefined });
  return ca;
}

/** The director's `/health`: its session, itself and its last quorum verdict. */
function health(zk: ZkSession, director: Director) {
  const quorum = director.quorum;
  return {
    checks: {
      zookeeper: { status: zk.state === 'closed' ? 'failing' : 'ok', detail: zk.state },
      director: { status: director.state === 'running' ? 'ok' : 'failing', detail: director.state },
      quorum: {
        status: quorum.healthy === false ? 'failing' : 'ok',
        detail: quorum.healthy === undefined ? 'not checked yet' : quorum.healthy ? 'healthy' : 'unhealthy',
      },
    },
  } as const;
}

/**
 * Starts this director's ZooKeeper ensemble member when configured (before its own session,
 * which may connect to it). The super user's password comes from `WHARF_ZK_SUPER_PASSWORD` or
 * `<home>/director/zk-super` (0600, created by the bootstrap director; copy it to the others).
 */
async function startZkMember(
  config: DirectorConfig,
  logger: Logger,
  onRemoved: () => void,
): Promise<ZooKeeperMember | null> {
  if (config.zkMember === null) return null;
  const dir = join(resolve(config.home), 'director');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const superPassword =
    process.env.WHARF_ZK_SUPER_PASSWORD || (await superPasswordFile(join(dir, 'zk-super')));
  const member = new ZooKeeperMember({
    dataDir: join(dir, 'zookeeper'),
    self: { ...config.zkMember, host: config.host },
    ...(config.zkJoin === '' ? {} : { join: config.zkJoin }),
    superPassword,
    ...(config.zkMemberTlsDir === '' ? {} : { tls: await memberTls(config) }),
    logger: logger.child({ component: 'zookeeper' }),
    onRemoved,
  });
  await member.start();
  return member;
}

/** A TLS member restarts its server when `wharf pki rotate --members` gives it a new certificate. */
function watchMemberCertificate(
  config: DirectorConfig,
  member: ZooKeeperMember | null,
  logger: Logger,
): MemberCertificateWatch | null {
  if (member === null || config.zkMemberTlsDir === '') return null;
  const watch = new MemberCertificateWatch({
    member,
    dir: resolve(config.zkMemberTlsDir),
    base: config.zkSuperUser === '' ? {} : { superUser: config.zkSuperUser },
    logger: logger.child({ component: 'zookeeper' }),
  });
  watch.start();
  return watch;
}

/**
 * A director whose member was removed stays down: no server, no enrolment, no registration. It
 * idles until stopped rather than exit, which its supervisor would answer with a restart.
 */
function idleRemoved(logger: Logger): void {
  logger.warn('director was removed from the ensemble; idle until stopped');
  const keepAlive = setInterval(() => undefined, REMOVED_IDLE_TICK_MS);
  installShutdown({ logger, hardLimitMs: SHUTDOWN_TIMEOUT_MS, close: async () => clearInterval(keepAlive) });
}

/** The TLS member's certificate (also its probe and reconfiguration identity) and super user. */
async function memberTls(config: DirectorConfig): Promise<EmbeddedZooKeeperTls> {
  const { ca, cert, key } = await readTlsCredentials(resolve(config.zkMemberTlsDir));
  return { ca, cert, key, ...(config.zkSuperUser === '' ? {} : { superUser: config.zkSuperUser }) };
}

/** Reads the super password file, creating it (0600, 32 random bytes) when absent. */
async function superPasswordFile(file: string): Promise<string> {
  const existing = await readFile(file, 'utf8').catch(() => null);
  if (existing !== null && existing.trim() !== '') return existing.trim();
  const password = randomBytes(32).toString('base64url');
  await writeFile(file, `${password}\n`, { mode: 0o600, flag: 'wx' }).catch(async () => undefined);
  return (await readFile(file, 'utf8')).trim();
}

runMain('wharf-director', main);
