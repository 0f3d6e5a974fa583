import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { WharfError } from '@wharf/model';
import { parseEnsembleConfig, type EnsembleConfig, type EnsembleServer } from './ensemble-config';
import { ZkSession } from './session';
import { type ZkTlsOptions } from './tls';
import { DEFAULT_JAVA_DIR, SERVER_JARS } from './zk-config';
import { WHARF_RECONFIG_CLASS, ensureX509Provider } from './x509-provider';

export { parseEnsembleConfig, type EnsembleConfig, type EnsembleServer } from './ensemble-config';
/*
 * A ZooKeeper ensemble that grows and shrinks while it serves (ZooKeeper ≥ 3.5 dynamic
 * reconfiguration), as ECE's directors keep theirs: the first director runs a quorum of one
 * (`standaloneEnabled=false`, so it is already an ensemble that can grow), a new director starts
 * its server with the current membership plus itself — it syncs from the leader as a non-voting
 * learner — and then asks the ensemble to `reconfig -add` it; a leaving director is removed first
 * and stopped after. The membership lives in ZooKeeper itself (`/zookeeper/config`, readable by
 * every client), so nothing else has to be kept in step with it.
 */

/** The super user of digest auth, allowed to reconfigure. */
export const SUPER_USER = 'super';

/** The JVM property holding the super user's digest. */
export const SUPER_DIGEST_PROPERTY = 'zookeeper.DigestAuthenticationProvider.superDigest';

/** Reading `/zookeeper/config`: one short session. */
const CONFIG_READ_TIMEOUT_MS = 10_000;

/** A reconfig waits for the new quorum to commit; a cold JVM adds 1–3 s on a busy box. */
export const RECONFIG_TIMEOUT_MS = 60_000;

/**
 * After a lost reply, how long the configuration may take to be readable again: removing the
 * leader starts an election among the rest, which on a loaded 2-core box took over 10 s.
 */
export const RECONFIG_CONFIRM_MS = 45_000;
/** Between two reads of the configuration while confirming. */
const RECONFIG_CONFIRM_POLL_MS = 1_000;

const execFileAsync = promisify(execFile);

/**
 * `server.N=host:quorum:election:role;host:client`, ZooKeeper's dynamic config line. With
 * `tlsClients` the `;host:client` part is left out: ZooKeeper opens a *plaintext* client port at
 * that address, and a TLS member serves its clients on its `secureClientPort` (zoo.cfg) only.
 */
export function serverSpec(server: EnsembleServer, tlsClients = false): string {
  const role = server.role ?? 'participant';
  const spec = `server.${server.id}=${server.host}:${server.quorumPort}:${server.electionPort}:${role}`;
  return tlsClients ? spec : `${spec};${server.host}:${server.clientPort}`;
}

/** Renders a dynamic configuration file (one `server.N` line per member; see {@link serverSpec}). */
export function renderDynamicConfig(servers: readonly EnsembleServer[], tlsClients = false): string {
  return `${[...servers]
    .sort((a, b) => a.id - b.id)
    .map((s) => serverSpec(s, tlsClients))
    .join('\n')}\n`;
}

/** `host:port,…` of every member's client port. */
export function ensembleConnectString(servers: readonly EnsembleServer[]): string {
  return servers.map((s) => `${s.host}:${s.clientPort}`).join(',');
}

/**
 * `super:<base64 sha1("super:<password>")>`: the server side of digest auth's super user. Only
 * the digest reaches the server's argv; the password stays with the directors.
 */
export function superDigest(password: string): string {
  const digest = createHash('sha1').update(`${SUPER_USER}:${password}`).digest('base64');
  return `${SUPER_USER}:${digest}`;
}

/** Options of {@link reconfigureEnsemble}. */
export interface ReconfigureOptions {
  /** Any serving member (or several, comma-separated). */
  readonly connectString: string;
  readonly add?: readonly EnsembleServer[];
  readonly remove?: readonly number[];
  /**
   * Commit only if the configuration is still this version (hex `version=` of
   * `/zookeeper/config`): a removal decided on one membership is refused after a concurrent change.
   */
  readonly fromConfig?: string | null;
  /** The super user's password (see {@link superDigest}). */
  readonly superPassword: string;
  /** A TLS ensemble: the reconfiguring client's PEM stores, and the config read after a lost reply. */
  readonly tls?: ReconfigureTls;
  readonly javaDir?: string;
  readonly javaPath?: string;
  readonly javacPath?: string;
  readonly timeoutMs?: number;
}

/** How the reconfiguration tool reaches a TLS-only ensemble. */
export interface ReconfigureTls {
  /** PEM key store: the private key (PKCS#8) and a certificate with the `clientAuth` usage. */
  readonly keyStore: string;
  /** PEM trust store: the CA that signed the members' certificates. */
  readonly trustStore: string;
  /** The same identity as session options (to read `/zookeeper/config`). */
  readonly session: ZkTlsOptions;
}

/**
 * JVM flags of ZooKeeper's Java client for a secure client port: the Netty client socket (the
 * NIO one has no TLS) with PEM stores. Host names are verified (the default): each member's
 * certificate names its own address.
 */
export function reconfigureTlsProperties(tls: ReconfigureTls): string[] {
  return [
    '-Dzookeeper.client.secure=true',
    '-Dzookeeper.clientCnxnSocket=org.apache.zookeeper.ClientCnxnSocketNetty',
    `-Dzookeeper.ssl.keyStore.location=${tls.keyStore}`,
    '-Dzookeeper.ssl.keyStore.type=PEM',
    `-Dzookeeper.ssl.trustStore.location=${tls.trustStore}`,
    '-Dzookeeper.ssl.trustStore.type=PEM',
  ];
}

/**
 * Adds and/or removes members in one incremental reconfiguration and resolves with the new
 * configuration. ZooKeeper commits it through the current quorum, so it fails — changing
 * nothing — when that quorum is not available, or when the change would leave no quorum.
 */
export async function reconfigureEnsemble(options: ReconfigureOptions): Promise<EnsembleConfig> {
  const add = options.add ?? [];
  const remove = options.remove ?? [];
  if (add.length === 0 && remove.length === 0) {
    throw new WharfError('WHARF_BAD_REQUEST', 'a reconfiguration needs members to add or remove');
  }
  const javaDir = options.javaDir ?? DEFAULT_JAVA_DIR;
  const classes = await ensureX509Provider({ javaDir, javacPath: options.javacPath });
  const classpath = [...SERVER_JARS.map((jar) => join(javaDir, jar)), classes].join(':');
  const args = [
    '-Xmx64m',
    '-XX:TieredStopAtLevel=1',
    `-Dlog4j.configuration=file:/dev/null`,
    ...(options.tls === undefined ? [] : reconfigureTlsProperties(options.tls)),
    '-cp',
    classpath,
    WHARF_RECONFIG_CLASS,
    options.connectString,
    ...(options.tls === undefined
      ? [
          add.length === 0 ? '-' : add.map((s) => serverSpec(s)).join(','),
          remove.length === 0 ? '-' : remove.join(','),
          ...(options.fromConfig == null ? [] : ['-', options.fromConfig]),
        ]
      : await wholeMembership(options.connectString, options.tls, add, remove, options.fromConfig)),
  ];
  try {
    const { stdout } = await execFileAsync(options.javaPath ?? 'java', args, {
      timeout: options.timeoutMs ?? RECONFIG_TIMEOUT_MS,
      env: { PATH: process.env.PATH ?? '', WHARF_ZK_SUPER_AUTH: `${SUPER_USER}:${options.superPassword}` },
    });
    return parseEnsembleConfig(stdout);
  } catch (err) {
    // Removing the leader ends its sessions, ours included, often after the change committed:
    // the configuration, not the lost reply, says whether it happened.
    const after = await readConfigWithin(options.connectString, options.tls?.session, RECONFIG_CONFIRM_MS);
    if (after !== null && applied(after, add, remove)) return after;
    const stderr = (err as { stderr?: string }).stderr ?? '';
    throw new WharfError('WHARF_ZK_ERROR', 'zookeeper reconfiguration failed', {
      details: {
        connectString: options.connectString,
        add: add.map((s) => s.id),
        remove: [...remove],
        error: stderr.trim().split('\n').slice(-3).join(' '),
      },
      cause: err,
    });
  }
}

/**
 * The arguments of a non-incremental reconfiguration: ZooKeeper refuses to *add* a server spec
 * without a client address, which a TLS member's must not have (see {@link serverSpec}), but
 * accepts a whole new membership of such specs — on the condition that the configuration read
 * here is still the current one, so a concurrent change is refused rather than undone.
 */
async function wholeMembership(
  connectString: string,
  tls: ReconfigureTls,
  add: readonly EnsembleServer[],
  remove: readonly number[],
  fromConfig?: string | null,
): Promise<string[]> {
  const current = await readEnsembleConfig(connectString, tls.session);
  if (fromConfig != null && current.version !== fromConfig) {
    throw new WharfError('WHARF_ZK_BAD_VERSION', 'the ensemble configuration changed meanwhile', {
      details: { expected: fromConfig, found: current.version },
    });
  }
  const changed = new Set([...add.map((s) => s.id), ...remove]);
  const members = [...current.servers.filter((s) => !changed.has(s.id)), ...add];
  return ['-', '-', members.map((s) => serverSpec(s, true)).join(','), current.version ?? '-'];
}

/** The configuration once it can be read again (an election may be under way), null after `withinMs`. */
async function readConfigWithin(
  connectString: string,
  tls: ZkTlsOptions | undefined,
  withinMs: number,
): Promise<EnsembleConfig | null> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    const config = await readEnsembleConfig(connectString, tls).catch(() => null);
    if (config !== null || Date.now() >= deadline) return config;
    await new Promise((resolve) => setTimeout(resolve, RECONFIG_CONFIRM_POLL_MS));
  }
}

/** True when `config` has every added member and none of the removed ones. */
function applied(config: EnsembleConfig, add: readonly EnsembleServer[], remove: readonly number[]): boolean {
  const ids = new Set(config.servers.map((s) => s.id));
  return add.every((s) => ids.has(s.id)) && remove.every((id) => !ids.has(id));
}

/**
 * Reads `/zookeeper/config` through a short session on the root (outside Wharf's chroot); with
 * `tls`, over the members' secure client ports (whose port, listed nowhere in the config, is
 * the connect string's).
 */
export async function readEnsembleConfig(connectString: string, tls?: ZkTlsOptions): Promise<EnsembleConfig> {
  const session = new ZkSession({
    connectString,
    chroot: '/',
    connectTimeoutMs: CONFIG_READ_TIMEOUT_MS,
    operationTimeoutMs: CONFIG_READ_TIMEOUT_MS,
    // The answer must be this member's (or these members'): never move to another one.
    followEnsemble: false,
    // A configuration read creates nothing: no ACL identity needed from the certificate.
    ...(tls === undefined ? {} : { tls, acl: null }),
  });
  const port = Number(/:(\d+)/.exec(connectString)?.[1] ?? 0);
  try {
    await session.start();
    return parseEnsembleConfig((await session.get('/zookeeper/config')).data.toString(), port);
  } finally {
    await session.close();
  }
}
